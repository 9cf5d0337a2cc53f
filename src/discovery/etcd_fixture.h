// A private etcd for tests: started once per test binary on free loopback
// ports with its own data directory, stopped by its PID at exit. Absent
// when no etcd binary is installed (the etcd tests then skip).
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "discovery/store_test_impls.h"
#include "http/client.h"

namespace berth::discovery {

class EtcdServer {
 public:
  // A loopback port the kernel just handed out and nothing listens on
  // (bound, read, closed): for the members here, and for tests that need
  // a port that refuses connections.
  static uint16_t FreePort() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
  }
  // The shared instance, started on first use; nullptr when unavailable.
  static EtcdServer* Get() {
    static std::unique_ptr<EtcdServer> server = Start();
    return server.get();
  }
  ~EtcdServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int st;
      ::waitpid(pid_, &st, 0);
    }
  }
  std::string url() const { return "etcd://127.0.0.1:" + std::to_string(client_port_); }
  uint16_t port() const { return client_port_; }

 private:
  static std::string Binary() {
    for (const char* p : {"/usr/bin/etcd", "/usr/local/bin/etcd"})
      if (::access(p, X_OK) == 0) return p;
    return "";
  }
  static std::unique_ptr<EtcdServer> Start() {
    std::string bin = Binary();
    if (bin.empty()) return nullptr;
    auto s = std::unique_ptr<EtcdServer>(new EtcdServer());
    s->client_port_ = FreePort();
    uint16_t peer = FreePort();
    std::string c = "http://127.0.0.1:" + std::to_string(s->client_port_);
    std::string p = "http://127.0.0.1:" + std::to_string(peer);
    std::string data = fs::Join(s->dir_.path(), "etcd");
    std::string log = fs::Join(s->dir_.path(), "etcd.log");
    pid_t pid = ::fork();
    if (pid == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::execl(bin.c_str(), "etcd", "--name", "t", "--data-dir", data.c_str(),
              "--listen-client-urls", c.c_str(), "--advertise-client-urls", c.c_str(),
              "--listen-peer-urls", p.c_str(), "--initial-advertise-peer-urls", p.c_str(),
              "--initial-cluster", ("t=" + p).c_str(), nullptr);
      ::_exit(127);
    }
    s->pid_ = pid;
    http::Endpoint ep;
    ep.kind = http::Endpoint::Kind::kTcp;
    ep.host = "127.0.0.1";
    ep.port = s->client_port_;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      http::Client client(ep);
      auto r = client.Do({"GET", "/health"});
      if (r.ok() && r->body.find("true") != std::string::npos) return s;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return nullptr;  // the destructor stops it
  }

  TempDir dir_;
  pid_t pid_ = -1;
  uint16_t client_port_ = 0;
};

}  // namespace berth::discovery
