#include "runtime/sync.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>

#include <cstring>

namespace berth::runtime {
namespace {

struct Header {
  uint32_t type;
  int32_t err;
  int64_t value;
};

constexpr size_t kMaxText = 4096;

}  // namespace

Result<std::pair<SyncSocket, SyncSocket>> SyncSocket::Pair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
    return Error::Sys("socketpair");
  return std::make_pair(SyncSocket(unique_fd(fds[0])), SyncSocket(unique_fd(fds[1])));
}

Status SyncSocket::Send(Msg type, int64_t value, const std::string& text, int fd, int32_t err) {
  char buf[sizeof(Header) + kMaxText];
  Header h{static_cast<uint32_t>(type), err, value};
  std::memcpy(buf, &h, sizeof h);
  size_t n = std::min(text.size(), kMaxText);
  std::memcpy(buf + sizeof h, text.data(), n);
  return SendWithFd(fd_.get(), buf, sizeof h + n, fd).Context("send on sync socket");
}

Status SendWithFd(int sock, const void* data, size_t len, int fd) {
  struct iovec iov = {const_cast<void*>(data), len};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  }
  for (;;) {
    if (::sendmsg(sock, &msg, MSG_NOSIGNAL) >= 0) return Ok();
    if (errno != EINTR) return Error::Sys("sendmsg");
  }
}

Result<Message> SyncSocket::Recv() {
  char buf[sizeof(Header) + kMaxText];
  struct iovec iov = {buf, sizeof buf};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  bool reset = false;
  for (;;) {
    n = ::recvmsg(fd_.get(), &msg, MSG_CMSG_CLOEXEC);
    if (n >= 0 || errno == EINTR) {
      if (n >= 0) break;
      continue;
    }
    // A peer that exits with a message of ours unread (init failing before
    // it reads kGo) resets the connection; the kernel reports that first
    // and clears it, and the peer's last message (its error) is still queued.
    if (errno == ECONNRESET && !reset) {
      reset = true;
      continue;
    }
    break;
  }
  if (n < 0) return Error::Sys("receive on sync socket");
  if (n == 0) {
    Message closed;
    closed.type = Msg::kClosed;
    return closed;
  }
  if (static_cast<size_t>(n) < sizeof(Header)) return Error::Internal("short sync message");
  Header h;
  std::memcpy(&h, buf, sizeof h);
  Message m;
  m.type = static_cast<Msg>(h.type);
  m.err = h.err;
  m.value = h.value;
  m.text.assign(buf + sizeof h, static_cast<size_t>(n) - sizeof h);
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      m.fd.reset(fd);
    }
  }
  return m;
}

Result<unique_fd> AwaitExec(SyncSocket& sync) {
  unique_fd console;
  for (;;) {
    auto m = BERTH_TRY(sync.Recv());
    switch (m.type) {
      case Msg::kClosed: return console;
      case Msg::kError: return m.AsError();
      case Msg::kConsole: console = std::move(m.fd); break;
      default: return Error::Internal("unexpected message from the container process");
    }
  }
}

Result<Message> SyncSocket::Expect(Msg type) {
  auto m = Recv();
  if (!m.ok()) return std::move(m).error();
  if (m->type == Msg::kError) return m->AsError();
  if (m->type == Msg::kClosed)
    return Error(Code::kUnavailable, "the container process exited before it was set up");
  if (m->type != type)
    return Error::Internal("unexpected sync message " + std::to_string(static_cast<int>(m->type)));
  return m;
}

namespace {

// Runs f(name) with the working directory set to dirname(path), so that a
// long path fits in sun_path.
template <typename F>
Status InDirOf(const std::string& path, F f) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  std::string name = path.substr(slash + 1);
  unique_fd cwd(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!cwd) return Error::Sys("open .");
  if (::chdir(dir.c_str()) < 0) return Error::Sys("chdir " + dir);
  Status st = f(name);
  if (::fchdir(cwd.get()) < 0 && st.ok()) return Error::Sys("restore the working directory");
  return st;
}

sockaddr_un Addr(const std::string& name) {
  sockaddr_un a = {};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path, name.c_str(), std::min(name.size(), sizeof a.sun_path - 1));
  return a;
}

}  // namespace

Result<unique_fd> ListenStartSocket(const std::string& path) {
  unique_fd s(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!s) return Error::Sys("socket");
  BERTH_TRY(InDirOf(path, [&](const std::string& name) -> Status {
    sockaddr_un a = Addr(name);
    if (::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) < 0)
      return Error::Sys("bind " + path);
    return Ok();
  }));
  if (::listen(s.get(), 1) < 0) return Error::Sys("listen on " + path);
  return s;
}

Result<SyncSocket> ConnectStartSocket(const std::string& path) {
  unique_fd s(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!s) return Error::Sys("socket");
  BERTH_TRY(InDirOf(path, [&](const std::string& name) -> Status {
    sockaddr_un a = Addr(name);
    if (::connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) < 0)
      return Error::Sys("connect to " + path);
    return Ok();
  }));
  return SyncSocket(std::move(s));
}

}  // namespace berth::runtime
