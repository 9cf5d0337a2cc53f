// The server's event loop: listeners, TCP connections and forwarded
// questions, all on one epoll thread (server.h).
#include "dns/server.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "base/log.h"
#include "base/random.h"
#include "base/strings.h"

namespace berth::dns {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kTcpIdle = std::chrono::seconds(10);
constexpr size_t kMaxTcpBuffer = 2 * 65537;
constexpr uint32_t kUdpDefault = 512;

// Names the server never forwards: they are ours or the client's own.
bool LocalOnly(const std::string& name) {
  std::string n = NormalizeName(name);
  if (n.empty()) return false;  // the root: forwarded
  if (n.find('.') == std::string::npos) return true;
  return n == "berth" || (n.size() > 6 && n.compare(n.size() - 6, 6, ".berth") == 0);
}

size_t UdpLimit(const Message& q) {
  return q.edns_udp_size ? std::min<size_t>(*q.edns_udp_size, 4096) : kUdpDefault;
}

std::string Frame(const std::string& msg) {
  std::string out;
  out.push_back(static_cast<char>(msg.size() >> 8));
  out.push_back(static_cast<char>(msg.size() & 0xFF));
  return out + msg;
}

}  // namespace

class Server::Loop {
 public:
  explicit Loop(ServerOptions o) : o_(o) {}
  ~Loop() { Stop(); }

  Status Start() {
    ep_.reset(::epoll_create1(EPOLL_CLOEXEC));
    if (!ep_) return Error::Sys("epoll_create1");
    wake_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!wake_) return Error::Sys("eventfd");
    BERTH_TRY(Watch(wake_.get(), kWakeToken, EPOLLIN));
    thread_ = std::thread([this] { Run(); });
    return Ok();
  }

  void Stop() {
    if (!thread_.joinable()) return;
    stop_ = true;
    uint64_t one = 1;
    (void)!::write(wake_.get(), &one, sizeof one);
    thread_.join();
  }

  void AddResolver(std::shared_ptr<Resolver> r) {
    std::lock_guard lock(mu_);
    chain_.push_back(std::move(r));
  }

  Result<ListenerId> AddListener(Sockets s, ListenerConfig cfg) {
    std::lock_guard lock(mu_);
    ListenerId id = next_token_++;
    Listener& l = listeners_[id];
    l.cfg = std::move(cfg);
    if (s.udp) {
      l.udp_token = next_token_++;
      handles_[l.udp_token] = {Kind::kUdp, id, s.udp.get()};
      if (Status st = Watch(s.udp.get(), l.udp_token, EPOLLIN); !st.ok()) {
        RemoveListenerLocked(id);
        return std::move(st).error();
      }
      l.udp = std::move(s.udp);
    }
    if (s.tcp) {
      l.tcp_token = next_token_++;
      handles_[l.tcp_token] = {Kind::kTcpListen, id, s.tcp.get()};
      if (Status st = Watch(s.tcp.get(), l.tcp_token, EPOLLIN); !st.ok()) {
        RemoveListenerLocked(id);
        return std::move(st).error();
      }
      l.tcp = std::move(s.tcp);
    }
    return id;
  }

  void RemoveListener(ListenerId id) {
    std::lock_guard lock(mu_);
    RemoveListenerLocked(id);
  }

  size_t ListenerCount() {
    std::lock_guard lock(mu_);
    return listeners_.size();
  }

  ServerStats Stats() {
    std::lock_guard lock(mu_);
    return stats_;
  }

  std::optional<Answer> ResolveLocal(const Question& q, const Client& who) {
    std::vector<std::shared_ptr<Resolver>> chain;
    {
      std::lock_guard lock(mu_);
      chain = chain_;
    }
    for (const auto& r : chain)
      if (auto a = r->Resolve(q, who)) return a;
    return std::nullopt;
  }

 private:
  static constexpr uint64_t kWakeToken = 0;
  enum class Kind { kUdp, kTcpListen, kTcpConn, kUpstream };
  struct Handle {
    Kind kind;
    ListenerId listener;
    int fd;
  };
  struct Listener {
    unique_fd udp, tcp;
    uint64_t udp_token = 0, tcp_token = 0;
    ListenerConfig cfg;
    std::vector<uint64_t> conns;
  };
  struct Conn {
    unique_fd fd;
    ListenerId listener;
    std::string in, out;
    Clock::time_point last;
    int outstanding = 0;   // questions read, not yet answered
    bool closing = false;  // the client closed its side
  };
  // Where a reply goes: a UDP peer of a listener, or a TCP connection.
  struct Dest {
    ListenerId listener = 0;
    uint64_t conn = 0;  // 0: UDP
    sockaddr_storage peer{};
    socklen_t peer_len = 0;
  };
  struct Pending {
    unique_fd fd;
    Dest to;
    Message question;
    std::string wire;  // with our ID
    uint16_t client_id = 0, our_id = 0;
    std::vector<Upstream> upstreams;
    size_t next = 0;  // the upstream being asked is next - 1
    Clock::time_point deadline;
    // A TCP client is forwarded over TCP (answers larger than UDP carries):
    // out is what is left to send (framed), in what came back.
    bool tcp = false;
    std::string out, in;
  };
  // One question to answer, taken off a socket under mu_.
  struct Work {
    std::string packet;
    Dest to;
    Client client;
    std::vector<Upstream> upstreams;
  };

  Status Watch(int fd, uint64_t token, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = token;
    if (::epoll_ctl(ep_.get(), EPOLL_CTL_ADD, fd, &ev) < 0) return Error::Sys("epoll_ctl add");
    return Ok();
  }
  void Unwatch(int fd) { ::epoll_ctl(ep_.get(), EPOLL_CTL_DEL, fd, nullptr); }

  void RemoveListenerLocked(ListenerId id) {
    auto it = listeners_.find(id);
    if (it == listeners_.end()) return;
    Listener& l = it->second;
    for (uint64_t c : l.conns) CloseConnLocked(c, /*from_listener=*/true);
    if (l.udp) Unwatch(l.udp.get());
    if (l.tcp) Unwatch(l.tcp.get());
    handles_.erase(l.udp_token);
    handles_.erase(l.tcp_token);
    for (auto p = pending_.begin(); p != pending_.end();)
      if (p->second.to.listener == id) {
        Unwatch(p->second.fd.get());
        handles_.erase(p->first);
        p = pending_.erase(p);
      } else {
        ++p;
      }
    listeners_.erase(it);
  }

  void CloseConnLocked(uint64_t token, bool from_listener = false) {
    auto it = conns_.find(token);
    if (it == conns_.end()) return;
    Unwatch(it->second.fd.get());
    handles_.erase(token);
    if (!from_listener)
      if (auto l = listeners_.find(it->second.listener); l != listeners_.end())
        std::erase(l->second.conns, token);
    conns_.erase(it);
  }

  void Run() {
    epoll_event events[64];
    while (!stop_) {
      int timeout = NextTimeoutMs();
      int n = ::epoll_wait(ep_.get(), events, 64, timeout);
      if (n < 0 && errno != EINTR) {
        log::Error("dns: epoll_wait: {}", std::strerror(errno));
        return;
      }
      std::vector<Work> work;
      {
        std::lock_guard lock(mu_);
        for (int i = 0; i < n; ++i) OnEventLocked(events[i].data.u64, events[i].events, &work);
        ExpireLocked();
      }
      for (Work& w : work) Process(std::move(w));
    }
  }

  int NextTimeoutMs() {
    std::lock_guard lock(mu_);
    auto next = Clock::now() + std::chrono::seconds(1);
    for (const auto& [_, p] : pending_) next = std::min(next, p.deadline);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count();
    return static_cast<int>(std::clamp<int64_t>(ms + 1, 0, 1000));
  }

  void OnEventLocked(uint64_t token, uint32_t events, std::vector<Work>* work) {
    if (token == kWakeToken) {
      uint64_t v;
      (void)!::read(wake_.get(), &v, sizeof v);
      return;
    }
    auto h = handles_.find(token);
    if (h == handles_.end()) return;  // removed meanwhile
    switch (h->second.kind) {
      case Kind::kUdp:
        ReadUdpLocked(h->second, work);
        break;
      case Kind::kTcpListen:
        AcceptLocked(h->second);
        break;
      case Kind::kTcpConn:
        ConnEventLocked(token, events, work);
        break;
      case Kind::kUpstream:
        UpstreamEventLocked(token, events);
        break;
    }
  }

  void ReadUdpLocked(const Handle& h, std::vector<Work>* work) {
    const Listener& l = listeners_.at(h.listener);
    for (int i = 0; i < 32; ++i) {
      char buf[4096];
      Work w;
      w.to.listener = h.listener;
      w.to.peer_len = sizeof w.to.peer;
      ssize_t n = ::recvfrom(h.fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&w.to.peer),
                             &w.to.peer_len);
      if (n < 0) break;
      w.packet.assign(buf, static_cast<size_t>(n));
      w.client = l.cfg.client;
      w.upstreams = l.cfg.upstreams;
      work->push_back(std::move(w));
    }
  }

  void AcceptLocked(const Handle& h) {
    for (int i = 0; i < 16; ++i) {
      unique_fd fd(::accept4(h.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (!fd) return;
      if (conns_.size() >= o_.max_tcp_connections) continue;  // closed at once
      uint64_t token = next_token_++;
      if (!Watch(fd.get(), token, EPOLLIN | EPOLLRDHUP).ok()) continue;
      handles_[token] = {Kind::kTcpConn, h.listener, fd.get()};
      listeners_.at(h.listener).conns.push_back(token);
      conns_[token] = Conn{std::move(fd), h.listener, "", "", Clock::now()};
    }
  }

  void ConnEventLocked(uint64_t token, uint32_t events, std::vector<Work>* work) {
    Conn& c = conns_.at(token);
    c.last = Clock::now();
    if (events & EPOLLOUT) FlushLocked(token);
    if (!conns_.count(token)) return;
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
      char buf[4096];
      bool closed = false;
      while (true) {
        ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
        if (n > 0) {
          c.in.append(buf, static_cast<size_t>(n));
          if (c.in.size() > kMaxTcpBuffer) {
            closed = true;
            break;
          }
          continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) closed = true;
        if (n < 0 && errno == EINTR) continue;
        break;
      }
      const Listener& l = listeners_.at(c.listener);
      while (!closed && c.in.size() >= 2) {
        size_t len = (static_cast<uint8_t>(c.in[0]) << 8) | static_cast<uint8_t>(c.in[1]);
        if (c.in.size() < 2 + len) break;
        Work w;
        w.packet = c.in.substr(2, len);
        w.to.listener = c.listener;
        w.to.conn = token;
        w.client = l.cfg.client;
        w.upstreams = l.cfg.upstreams;
        work->push_back(std::move(w));
        ++c.outstanding;
        c.in.erase(0, 2 + len);
      }
      if (closed) {
        // Half-closed by the client: the answers still go out, then it closes.
        c.closing = true;
        FlushLocked(token);
      }
    }
  }

  void FlushLocked(uint64_t token) {
    Conn& c = conns_.at(token);
    while (!c.out.empty()) {
      ssize_t n = ::write(c.fd.get(), c.out.data(), c.out.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) break;
      if (n <= 0) {
        CloseConnLocked(token);
        return;
      }
      c.out.erase(0, static_cast<size_t>(n));
    }
    if (c.closing && c.out.empty() && c.outstanding <= 0) {
      CloseConnLocked(token);
      return;
    }
    epoll_event ev{};
    ev.events = (c.closing ? 0u : uint32_t{EPOLLIN | EPOLLRDHUP}) | (c.out.empty() ? 0u : uint32_t{EPOLLOUT});
    ev.data.u64 = token;
    ::epoll_ctl(ep_.get(), EPOLL_CTL_MOD, c.fd.get(), &ev);
  }

  // Sends a reply where to says, if that listener or connection still exists.
  // An empty wire sends nothing (the question is dropped).
  void SendLocked(const Dest& to, const std::string& wire) {
    if (to.conn) {
      auto it = conns_.find(to.conn);
      if (it == conns_.end()) return;
      if (!wire.empty()) it->second.out += Frame(wire);
      --it->second.outstanding;
      FlushLocked(to.conn);
      return;
    }
    auto l = listeners_.find(to.listener);
    if (l == listeners_.end() || !l->second.udp || wire.empty()) return;
    ::sendto(l->second.udp.get(), wire.data(), wire.size(), MSG_DONTWAIT,
             reinterpret_cast<const sockaddr*>(&to.peer), to.peer_len);
  }

  std::string Reply(const Message& q, Rcode rcode, const Dest& to) {
    Message r = ReplyTo(q, rcode);
    return Build(r, to.conn ? 0 : UdpLimit(q));
  }

  // Outside mu_: parse, ask the chain, then answer or forward.
  void Process(Work w) {
    auto q = Parse(w.packet);
    if (!q.ok()) {
      std::lock_guard lock(mu_);
      ++stats_.malformed;
      auto h = ParseHeader(w.packet);
      if (!h.ok() || h->qr) {
        SendLocked(w.to, "");  // nothing to say; a TCP client's count goes down
        return;
      }
      Message m;
      m.header = *h;
      SendLocked(w.to, Build(ReplyTo(m, Rcode::kFormErr), kUdpDefault));
      return;
    }
    if (q->header.qr) {  // a response sent to us: never answer those
      std::lock_guard lock(mu_);
      SendLocked(w.to, "");
      return;
    }
    {
      std::lock_guard lock(mu_);
      ++stats_.queries;
    }
    std::string reply;
    if (q->header.opcode != 0) {
      reply = Reply(*q, Rcode::kNotImp, w.to);
    } else if (q->questions.size() != 1) {
      reply = Reply(*q, Rcode::kFormErr, w.to);
    } else if (auto a = ResolveLocal(q->questions[0], w.client)) {
      Message r = ReplyTo(*q, a->rcode);
      r.header.aa = true;
      r.answers = std::move(a->answers);
      r.additional = std::move(a->additional);
      reply = Build(r, w.to.conn ? 0 : UdpLimit(*q));
    } else if (LocalOnly(q->questions[0].name)) {
      reply = Reply(*q, Rcode::kNxDomain, w.to);
    } else if (w.upstreams.empty()) {
      reply = Reply(*q, Rcode::kRefused, w.to);
    } else {
      std::lock_guard lock(mu_);
      Forward(std::move(*q), std::move(w));
      return;
    }
    std::lock_guard lock(mu_);
    SendLocked(w.to, reply);
  }

  void Forward(Message q, Work w) {
    if (pending_.size() >= o_.max_pending) {
      SendLocked(w.to, Reply(q, Rcode::kServFail, w.to));
      return;
    }
    ++stats_.forwarded;
    Pending p;
    p.to = w.to;
    p.client_id = q.header.id;
    rnd::Fill(&p.our_id, sizeof p.our_id);
    p.wire = w.packet;
    p.wire[0] = static_cast<char>(p.our_id >> 8);
    p.wire[1] = static_cast<char>(p.our_id & 0xFF);
    p.question = std::move(q);
    p.upstreams = std::move(w.upstreams);
    uint64_t token = next_token_++;
    pending_[token] = std::move(p);
    AskNextLocked(token);
  }

  // Sends the question to the next upstream, or SERVFAIL when none is left.
  void AskNextLocked(uint64_t token) {
    Pending& p = pending_.at(token);
    if (p.fd) {
      Unwatch(p.fd.get());
      handles_.erase(token);
      p.fd.reset();
    }
    p.tcp = p.to.conn != 0;
    while (p.next < p.upstreams.size()) {
      const Upstream& u = p.upstreams[p.next++];
      int type = p.tcp ? SOCK_STREAM : SOCK_DGRAM;
      unique_fd fd(::socket(u.addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
      if (!fd) continue;
      if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&u.addr), u.len) < 0 &&
          !(p.tcp && errno == EINPROGRESS))
        continue;
      uint32_t events = EPOLLIN;
      if (p.tcp) {
        p.out = Frame(p.wire);
        p.in.clear();
        events |= EPOLLOUT;  // sent once connected
      } else if (::send(fd.get(), p.wire.data(), p.wire.size(), 0) < 0) {
        continue;
      }
      if (!Watch(fd.get(), token, events).ok()) continue;
      handles_[token] = {Kind::kUpstream, p.to.listener, fd.get()};
      p.fd = std::move(fd);
      p.deadline = Clock::now() + o_.upstream_timeout;
      return;
    }
    SendLocked(p.to, Reply(p.question, Rcode::kServFail, p.to));
    pending_.erase(token);
  }

  void UpstreamEventLocked(uint64_t token, uint32_t events) {
    auto it = pending_.find(token);
    if (it == pending_.end()) return;
    Pending& p = it->second;
    if (!p.tcp) {
      char buf[65536];
      ssize_t n = ::recv(p.fd.get(), buf, sizeof buf, 0);
      if (n < 0 && errno == EAGAIN) return;
      if (n < 12) {
        AskNextLocked(token);  // refused (ICMP) or garbage: the next one
        return;
      }
      AnswerLocked(token, std::string(buf, static_cast<size_t>(n)));
      return;
    }
    if ((events & EPOLLOUT) && !p.out.empty()) {
      ssize_t n = ::write(p.fd.get(), p.out.data(), p.out.size());
      if (n < 0 && errno != EAGAIN) {
        AskNextLocked(token);  // connection refused: the next one
        return;
      }
      if (n > 0) p.out.erase(0, static_cast<size_t>(n));
      if (p.out.empty()) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = token;
        ::epoll_ctl(ep_.get(), EPOLL_CTL_MOD, p.fd.get(), &ev);
      }
    }
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
    char buf[65536];
    while (true) {
      ssize_t n = ::read(p.fd.get(), buf, sizeof buf);
      if (n < 0 && errno == EAGAIN) return;
      if (n <= 0) {
        AskNextLocked(token);  // closed before a whole answer
        return;
      }
      p.in.append(buf, static_cast<size_t>(n));
      if (p.in.size() < 2) continue;
      size_t len = (static_cast<uint8_t>(p.in[0]) << 8) | static_cast<uint8_t>(p.in[1]);
      if (p.in.size() < 2 + len) continue;
      if (len < 12) {
        AskNextLocked(token);
        return;
      }
      AnswerLocked(token, p.in.substr(2, len));
      return;
    }
  }

  // An upstream's answer (wire, with our ID) to the pending question token.
  void AnswerLocked(uint64_t token, std::string reply) {
    Pending& p = pending_.at(token);
    uint16_t id = static_cast<uint16_t>((static_cast<uint8_t>(reply[0]) << 8) |
                                        static_cast<uint8_t>(reply[1]));
    if (id != p.our_id || !(static_cast<uint8_t>(reply[2]) & 0x80)) {
      if (p.tcp) AskNextLocked(token);  // a TCP upstream answered something else
      return;                           // UDP: not our answer, keep waiting
    }
    reply[0] = static_cast<char>(p.client_id >> 8);
    reply[1] = static_cast<char>(p.client_id & 0xFF);
    if (!p.to.conn && reply.size() > UdpLimit(p.question)) {
      // Larger than the client takes over UDP: the header and question with TC.
      Message r = ReplyTo(p.question, Rcode::kNoError);
      r.header.tc = true;
      reply = Build(r, UdpLimit(p.question));
    }
    SendLocked(p.to, reply);
    Unwatch(p.fd.get());
    handles_.erase(token);
    pending_.erase(token);
  }

  void ExpireLocked() {
    auto now = Clock::now();
    std::vector<uint64_t> due;
    for (const auto& [t, p] : pending_)
      if (p.deadline <= now) due.push_back(t);
    for (uint64_t t : due) AskNextLocked(t);
    std::vector<uint64_t> idle;
    for (const auto& [t, c] : conns_)
      if (now - c.last > kTcpIdle) idle.push_back(t);
    for (uint64_t t : idle) CloseConnLocked(t);
  }

  ServerOptions o_;
  unique_fd ep_, wake_;
  std::thread thread_;
  std::atomic<bool> stop_{false};

  std::mutex mu_;
  std::vector<std::shared_ptr<Resolver>> chain_;     // guarded by mu_
  uint64_t next_token_ = 1;                          // guarded by mu_
  std::map<ListenerId, Listener> listeners_;         // guarded by mu_
  std::map<uint64_t, Handle> handles_;               // epoll token → what; guarded by mu_
  std::map<uint64_t, Conn> conns_;                   // guarded by mu_
  std::map<uint64_t, Pending> pending_;              // guarded by mu_
  ServerStats stats_;                                // guarded by mu_
};

Result<std::unique_ptr<Server>> Server::Start(ServerOptions o) {
  auto loop = std::make_unique<Loop>(o);
  BERTH_TRY(loop->Start());
  return std::unique_ptr<Server>(new Server(std::move(loop)));
}

Server::Server(std::unique_ptr<Loop> loop) : loop_(std::move(loop)) {}
Server::~Server() { loop_->Stop(); }

void Server::AddResolver(std::shared_ptr<Resolver> r) { loop_->AddResolver(std::move(r)); }
Result<Server::ListenerId> Server::AddListener(Sockets s, ListenerConfig cfg) {
  return loop_->AddListener(std::move(s), std::move(cfg));
}
void Server::RemoveListener(ListenerId id) { loop_->RemoveListener(id); }
size_t Server::ListenerCount() { return loop_->ListenerCount(); }
ServerStats Server::Stats() { return loop_->Stats(); }
std::optional<Answer> Server::ResolveLocal(const Question& q, const Client& who) {
  return loop_->ResolveLocal(q, who);
}

}  // namespace berth::dns
