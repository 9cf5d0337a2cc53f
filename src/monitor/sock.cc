#include "monitor/sock.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstring>
#include <functional>

#include "base/fs.h"

namespace berth::monitor {
namespace {

// Calls fn with a sockaddr for path, short enough for sun_path.
Status WithAddr(const std::string& path, const std::function<Status(const sockaddr_un&)>& fn) {
  sockaddr_un a = {};
  a.sun_family = AF_UNIX;
  if (path.size() < sizeof a.sun_path) {
    std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
    return fn(a);
  }
  std::string dir = fs::Dirname(path);
  unique_fd d(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!d) return Error::Sys("open " + dir);
  std::string via = "/proc/self/fd/" + std::to_string(d.get()) + "/" + fs::Basename(path);
  if (via.size() >= sizeof a.sun_path) return Error::Invalid("socket path too long: " + path);
  std::memcpy(a.sun_path, via.c_str(), via.size() + 1);
  return fn(a);
}

}  // namespace

Result<unique_fd> ListenUnix(const std::string& path) {
  unique_fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!s) return Error::Sys("socket");
  ::unlink(path.c_str());
  BERTH_TRY(WithAddr(path, [&](const sockaddr_un& a) -> Status {
    mode_t old = ::umask(0077);
    int r = ::bind(s.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a);
    int e = errno;
    ::umask(old);
    if (r < 0) return Error::Sys("bind " + path, e);
    return Ok();
  }));
  if (::listen(s.get(), 64) < 0) return Error::Sys("listen on " + path);
  return s;
}

Result<unique_fd> ConnectUnix(const std::string& path) {
  unique_fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) return Error::Sys("socket");
  BERTH_TRY(WithAddr(path, [&](const sockaddr_un& a) -> Status {
    if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) < 0) {
      int e = errno;
      return Error(Code::kUnavailable, "connect to " + path + ": " + std::strerror(e), e);
    }
    return Ok();
  }));
  return s;
}

}  // namespace berth::monitor
