#include "network/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <thread>

#include <fmt/format.h>

namespace berth::network {
namespace {

// Runs fn on a new thread (whose namespace changes die with it) and
// returns its result.
template <typename T, typename F>
Result<T> OnThread(F fn) {
  std::optional<Result<T>> out;
  std::thread t([&] { out.emplace(fn()); });
  t.join();
  return std::move(*out);
}

}  // namespace

Result<Netns> CreateNetns(const std::string& path) {
  return OnThread<Netns>([&]() -> Result<Netns> {
    int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    if (fd < 0) return Error::Sys("create " + path);
    ::close(fd);
    auto undo = [&](Error e) {
      ::umount2(path.c_str(), MNT_DETACH);
      ::unlink(path.c_str());
      return e;
    };
    if (::unshare(CLONE_NEWNET) < 0) return undo(Error::Sys("unshare the network namespace"));
    if (::mount("/proc/thread-self/ns/net", path.c_str(), nullptr, MS_BIND, nullptr) < 0)
      return undo(Error::Sys("bind the network namespace at " + path));
    unique_fd ns(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!ns) return undo(Error::Sys("open the network namespace"));
    auto nl = Netlink::Open();
    if (!nl.ok()) return undo(std::move(nl).error());
    return Netns{std::move(ns), std::move(*nl)};
  });
}

Result<Netns> OpenNetns(const std::string& path) {
  unique_fd ns(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns) return Error::Sys("open " + path);
  auto nl = OnThread<Netlink>([&]() -> Result<Netlink> {
    if (::setns(ns.get(), CLONE_NEWNET) < 0) return Error::Sys("enter the network namespace " + path);
    return Netlink::Open();
  });
  if (!nl.ok()) return std::move(nl).error();
  return Netns{std::move(ns), std::move(*nl)};
}

Status RemoveNetns(const std::string& path) {
  if (::umount2(path.c_str(), MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    return Error::Sys("unmount " + path);
  if (::unlink(path.c_str()) < 0 && errno != ENOENT) return Error::Sys("remove " + path);
  return Ok();
}

}  // namespace berth::network
