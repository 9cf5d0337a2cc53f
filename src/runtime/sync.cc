#include "runtime/sync.h"

#include <sys/socket.h>

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
  struct iovec iov = {buf, sizeof h + n};
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
    if (::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL) >= 0) return Ok();
    if (errno == EINTR) continue;
    return Error::Sys("send on sync socket");
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
  do {
    n = ::recvmsg(fd_.get(), &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Error::Sys("receive on sync socket");
  if (n == 0)
    return Error(Code::kUnavailable, "container init exited before it was set up");
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

Result<Message> SyncSocket::Expect(Msg type) {
  auto m = Recv();
  if (!m.ok()) return std::move(m).error();
  if (m->type == Msg::kError)
    return Error(static_cast<Code>(m->value), m->text, m->err);
  if (m->type != type)
    return Error::Internal("unexpected sync message " + std::to_string(static_cast<int>(m->type)));
  return m;
}

}  // namespace berth::runtime
