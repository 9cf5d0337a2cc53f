#include "http/server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "base/log.h"
#include "http/connection.h"
#include "http/socket.h"
#include "http/tls.h"

namespace berth::http {

using internal::TlsContext;

namespace {

struct Listener {
  unique_fd fd;
  std::string unix_path;  // removed on Stop
  bool tcp = false;
  std::shared_ptr<TlsContext> tls;
};

// One accepted connection and the thread serving it.
struct Conn {
  unique_fd fd;  // closed only after the thread was joined
  std::thread thread;
  bool busy = false;  // a request is being handled
  bool done = false;  // the thread is about to return
};

}  // namespace

// Lock order: mu only; never held while calling a handler or doing I/O.
struct Server::Impl {
  Handler handler;
  Options options;
  std::vector<Listener> listeners;  // set up before Start, then owned by the accept thread
  unique_fd wake;                   // eventfd: tells the accept thread to return
  std::thread accept_thread;

  mutable std::mutex mu;
  std::condition_variable cv;  // signalled when a connection finishes
  std::map<uint64_t, std::unique_ptr<Conn>> conns;  // guarded by mu
  uint64_t next_id = 0;                            // guarded by mu
  bool stopping = false;                           // guarded by mu
  bool stopped = false;                            // guarded by mu

  class Hooks : public internal::ConnHooks {
   public:
    Hooks(Impl& impl, Conn& conn) : impl_(impl), conn_(conn) {}
    bool BeginRequest() override {
      std::lock_guard lock(impl_.mu);
      if (impl_.stopping) return false;
      conn_.busy = true;
      return true;
    }
    bool EndRequest() override {
      std::lock_guard lock(impl_.mu);
      conn_.busy = false;
      return !impl_.stopping;
    }
    bool Stopping() override {
      std::lock_guard lock(impl_.mu);
      return impl_.stopping;
    }

   private:
    Impl& impl_;
    Conn& conn_;
  };

  void AcceptLoop();
  void Spawn(int fd, const Listener& l);
  void RunConn(Conn* c, std::shared_ptr<TlsContext> tls);
  void ReapFinished();
  // Shuts down sockets: all of them, or only those between requests.
  void ShutdownConns(bool idle_only);
};

void Server::Impl::AcceptLoop() {
  std::vector<pollfd> fds;
  fds.push_back({wake.get(), POLLIN, 0});
  for (const Listener& l : listeners) fds.push_back({l.fd.get(), POLLIN, 0});
  for (;;) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      log::Error("http: poll listeners: {}", std::strerror(errno));
      return;
    }
    if (fds[0].revents) return;
    ReapFinished();
    for (size_t i = 1; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      int fd = accept4(fds[i].fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          log::Warn("http: accept: {}", std::strerror(errno));
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        continue;
      }
      Spawn(fd, listeners[i - 1]);
    }
  }
}

void Server::Impl::Spawn(int fd, const Listener& l) {
  if (l.tcp) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  std::lock_guard lock(mu);
  if (stopping) {
    close(fd);
    return;
  }
  auto c = std::make_unique<Conn>();
  c->fd.reset(fd);
  Conn* raw = c.get();
  conns.emplace(next_id++, std::move(c));
  raw->thread = std::thread([this, raw, tls = l.tls] { RunConn(raw, tls); });
}

void Server::Impl::RunConn(Conn* c, std::shared_ptr<TlsContext> tls) {
  std::unique_ptr<internal::Transport> t;
  if (tls) {
    auto r = internal::TlsAccept(c->fd.get(), *tls);
    if (r.ok()) t = std::move(r).value();
    else log::Debug("http: {}", r.error().message());
  } else {
    t = internal::MakePlainTransport(c->fd.get());
  }
  if (t) {
    Hooks hooks(*this, *c);
    internal::ServeConnection(*t, handler, options, hooks);
  }
  t.reset();
  std::lock_guard lock(mu);
  c->done = true;
  c->busy = false;
  shutdown(c->fd.get(), SHUT_RDWR);
  cv.notify_all();
}

void Server::Impl::ReapFinished() {
  std::vector<std::unique_ptr<Conn>> finished;
  {
    std::lock_guard lock(mu);
    for (auto it = conns.begin(); it != conns.end();) {
      if (it->second->done) {
        finished.push_back(std::move(it->second));
        it = conns.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& c : finished) c->thread.join();
}

void Server::Impl::ShutdownConns(bool idle_only) {
  std::lock_guard lock(mu);
  for (auto& [id, c] : conns)
    if (!c->done && (!idle_only || !c->busy)) shutdown(c->fd.get(), SHUT_RDWR);
}

Server::Server(Handler handler, Options options) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  impl_->options = options;
}

Server::~Server() { Stop(std::chrono::milliseconds(0)); }

Status Server::ListenUnix(const std::string& path) {
  Listener l;
  l.fd = BERTH_TRY(http::ListenUnix(path));
  l.unix_path = path;
  impl_->listeners.push_back(std::move(l));
  return Ok();
}

Result<uint16_t> Server::ListenTcp(const std::string& host, uint16_t port,
                                   const TlsOptions* tls) {
  Listener l;
  l.tcp = true;
  if (tls) {
    l.tls = BERTH_TRY(internal::MakeServerTlsContext(*tls));
    // OpenSSL writes with write(2): a vanished peer must not kill the daemon.
    struct sigaction old {};
    if (sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL)
      signal(SIGPIPE, SIG_IGN);
  }
  l.fd = BERTH_TRY(http::ListenTcp(host, port));
  uint16_t bound = BERTH_TRY(LocalPort(l.fd.get()));
  impl_->listeners.push_back(std::move(l));
  return bound;
}

Status Server::Start() {
  if (impl_->accept_thread.joinable()) return Error(Code::kConflict, "server already started");
  if (impl_->listeners.empty()) return Error::Invalid("server has no listeners");
  impl_->wake.reset(eventfd(0, EFD_CLOEXEC));
  if (!impl_->wake) return Error::Sys("eventfd");
  impl_->accept_thread = std::thread([this] { impl_->AcceptLoop(); });
  return Ok();
}

void Server::Stop(std::chrono::milliseconds deadline) {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.mu);
    if (s.stopped) return;
    s.stopped = s.stopping = true;
  }
  if (s.accept_thread.joinable()) {
    uint64_t one = 1;
    if (write(s.wake.get(), &one, sizeof one) < 0) log::Warn("http: wake accept thread failed");
    s.accept_thread.join();
  }
  for (Listener& l : s.listeners) {
    if (!l.unix_path.empty()) unlink(l.unix_path.c_str());
    l.fd.reset();
  }
  s.ShutdownConns(/*idle_only=*/true);
  auto all_done = [&s] {
    for (auto& [id, c] : s.conns)
      if (!c->done) return false;
    return true;
  };
  {
    std::unique_lock lock(s.mu);
    if (!s.cv.wait_for(lock, deadline, all_done)) {
      lock.unlock();
      log::Warn("http: aborting requests still running after {} ms", deadline.count());
      s.ShutdownConns(/*idle_only=*/false);
      lock.lock();
      s.cv.wait(lock, all_done);
    }
  }
  s.ReapFinished();
}

size_t Server::ConnectionCount() const {
  std::lock_guard lock(impl_->mu);
  size_t n = 0;
  for (auto& [id, c] : impl_->conns) n += !c->done;
  return n;
}

}  // namespace berth::http
