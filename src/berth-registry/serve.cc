// berth-registry serve: the HTTP(S) server, the upload sweeper, signals.
#include <signal.h>

#include <condition_variable>
#include <cstdio>
#include <thread>

#include "base/fs.h"
#include "base/log.h"
#include "berth-registry/commands.h"
#include "http/server.h"
#include "registry/registry.h"

namespace berth::registry_cli {
namespace {

bool Loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

Result<std::pair<std::string, uint16_t>> SplitAddr(const std::string& addr) {
  size_t colon = addr.rfind(':');
  if (colon == std::string::npos) return Error::Invalid("--addr " + addr + ": want HOST:PORT");
  std::string host = addr.substr(0, colon), port = addr.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) > 65535)
    return Error::Invalid("--addr " + addr + ": bad port");
  if (host.empty()) host = "0.0.0.0";
  return std::make_pair(host, static_cast<uint16_t>(std::stoi(port)));
}

int Fatal(const std::string& msg) {
  fprintf(stderr, "berth-registry: %s\n", msg.c_str());
  return 1;
}

}  // namespace

int Serve(const Options& o) {
  auto addr = SplitAddr(o.addr);
  if (!addr.ok()) return Fatal(addr.error().message());
  bool tls = !o.tls_cert.empty() || !o.tls_key.empty();
  if (tls && (o.tls_cert.empty() || o.tls_key.empty())) return Fatal("--tls-cert and --tls-key go together");
  if (!tls && !Loopback(addr->first) && !o.insecure_remote)
    return Fatal("refusing plain HTTP on " + addr->first +
                 ": give --tls-cert/--tls-key, listen on loopback, or pass --insecure-remote");

  auto storage = registry::Storage::Open(o.root);
  if (!storage.ok()) return Fatal(storage.error().message());
  auto signer = registry::TokenSigner::Load(storage->AuthDir() + "/token.key");
  if (!signer.ok()) return Fatal(signer.error().message());
  registry::Users users(storage->AuthDir() + "/htpasswd", storage->AuthDir() + "/admins");
  registry::Uploads uploads(&*storage, o.upload_timeout);

  FILE* access = nullptr;
  if (o.access_log == "-") {
    access = stderr;
  } else if (o.access_log != "off" && !o.access_log.empty()) {
    access = fopen(o.access_log.c_str(), "ae");
    if (!access) return Fatal("open access log " + o.access_log + ": " + strerror(errno));
  }
  registry::RegistryOptions ro;
  ro.service = o.service;
  ro.realm = o.realm;
  ro.tls = tls;
  ro.basic_challenge = o.auth_challenge == "basic";
  ro.token_ttl = o.token_ttl;
  ro.access_log = access;
  registry::Registry reg(&*storage, &uploads, &users, std::move(*signer), ro);

  // Signals are taken synchronously by this thread; every other thread
  // inherits the mask.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  signal(SIGPIPE, SIG_IGN);

  http::Server server(reg.AsHandler());
  http::TlsOptions tls_opts;
  tls_opts.cert_file = o.tls_cert;
  tls_opts.key_file = o.tls_key;
  tls_opts.verify_client = false;
  auto port = server.ListenTcp(addr->first, addr->second, tls ? &tls_opts : nullptr);
  if (!port.ok()) return Fatal(port.error().message());
  std::string bound = (addr->first.find(':') != std::string::npos ? "[" + addr->first + "]" : addr->first) +
                      ":" + std::to_string(*port);
  if (Status st = server.Start(); !st.ok()) return Fatal(st.error().message());
  if (!o.addr_file.empty()) {
    if (Status st = fs::AtomicWrite(o.addr_file, bound + "\n", 0644, false); !st.ok())
      return Fatal(st.error().message());
  }
  log::Info("berth-registry: serving {} on {} (storage {}, users {})", tls ? "https" : "http", bound,
            storage->root(), users.Any() ? "on" : "none: open registry");

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  auto period = std::min<std::chrono::seconds>(std::chrono::seconds(60),
                                              std::max<std::chrono::seconds>(std::chrono::seconds(1), o.upload_timeout / 4));
  std::thread sweeper([&] {
    std::unique_lock lock(mu);
    while (!cv.wait_for(lock, period, [&] { return stopping; })) {
      lock.unlock();
      uploads.Sweep();
      lock.lock();
    }
  });

  int sig = 0;
  sigwait(&sigs, &sig);
  log::Info("berth-registry: {} received, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  server.Stop(std::chrono::seconds(10));
  {
    std::lock_guard lock(mu);
    stopping = true;
  }
  cv.notify_all();
  sweeper.join();
  if (access && access != stderr) fclose(access);
  log::Info("berth-registry: stopped");
  return 0;
}

}  // namespace berth::registry_cli
