#include "daemon/daemon.h"
#include "dns/server.h"
#include "network/manager.h"

#include <grp.h>
#include <signal.h>
#include <unistd.h>

#include <mutex>
#include <vector>

#include "base/fs.h"
#include "base/log.h"
#include "base/random.h"
#include "base/strings.h"
#include "daemon/build_backend.h"
#include "daemon/container_env.h"
#include "daemon/discovery_service.h"
#include "daemon/events.h"
#include "daemon/host_info.h"
#include "daemon/registration.h"
#include "daemon/root_lock.h"
#include "daemon/routes/routes.h"
#include "daemon/store_backend.h"
#include "distribution/service.h"
#include "http/server.h"
#include "http/socket.h"

#ifndef BERTH_GIT_COMMIT
#define BERTH_GIT_COMMIT "unknown"
#endif
#ifndef BERTH_BUILD_TIME
#define BERTH_BUILD_TIME ""
#endif

namespace berth::daemon {

// Members are destroyed in reverse order: server first (no handler runs
// after it), then the routes' backends, then the locks.
struct Daemon::State {
  Options options;
  std::vector<RootLock> locks;
  std::string pidfile;
  bool pidfile_written = false;
  HostInfo host;
  DaemonFacts facts;
  EventBus events;
  std::unique_ptr<StoreBackend> images;
  std::unique_ptr<DiscoveryService> discovery;
  std::unique_ptr<ContainerEnv> container_env;  // after discovery, before the engine
  std::unique_ptr<network::Manager> network;  // null with --bridge=none
  // The embedded DNS: the engine's listeners in bridge containers, and any
  // resolver or host listener added to it (dns/server.h). Stopped
  // after the engine's threads, before the engine goes (its resolver
  // calls into the engine).
  std::unique_ptr<dns::Server> dns;
  std::unique_ptr<EngineBuildBackend> builder;
  std::unique_ptr<engine::Engine> engine;
  std::unique_ptr<Registration> registration;  // set after the engine opens
  std::mutex registration_mu;                   // guards registration
  std::unique_ptr<distribution::Service> distribution;
  http::Router router;
  std::unique_ptr<http::Server> server;
  bool stopped = false;
};

namespace {

// --dns-upstream, else the host's non-loopback nameservers; "none": none.
Result<std::vector<dns::Upstream>> DnsUpstreams(const Options& o) {
  std::vector<dns::Upstream> out;
  if (o.dns_upstreams.empty()) {
    auto text = fs::ReadFile("/etc/resolv.conf");
    return text.ok() ? dns::UpstreamsFromResolvConf(*text) : out;
  }
  for (const std::string& u : o.dns_upstreams) {
    if (u == "none") return std::vector<dns::Upstream>{};
    out.push_back(BERTH_TRY_CTX(dns::Upstream::Parse(u), "--dns-upstream"));
  }
  return out;
}

// The persistent daemon ID: a random UUID made on first start.
Result<std::string> EngineId(const std::string& data_root) {
  std::string path = fs::Join(data_root, "engine-id");
  if (auto text = fs::ReadFile(path); text.ok() && !str::Trim(*text).empty())
    return std::string(str::Trim(*text));
  std::string id = rnd::Uuid();
  BERTH_TRY_CTX(fs::AtomicWrite(path, id + "\n"), "write engine ID");
  return id;
}

// The socket's group: --group if it exists, else root (with a warning).
gid_t SocketGroup(const std::string& name) {
  if (name.empty()) return 0;
  std::vector<char> buf(16384);
  struct group gr, *out = nullptr;
  if (getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &out) == 0 && out) return gr.gr_gid;
  log::Warn(
      "group {} not found: the API socket is root:root 0660, so only root can use it "
      "(create the group, e.g. `groupadd --system {}`, to let its members in)",
      name, name);
  return 0;
}

// A helper binary berthd starts (berth-monitor, berth-init): beside berthd's
// own executable (installed), in the build tree (src/<dir>/, berth-init in
// src/engine/spec/init/), else on PATH.
std::string HelperBinary(const std::string& name, const std::string& build_dir) {
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    self[n] = 0;
    std::string dir = fs::Dirname(self);
    for (const std::string& p : {fs::Join(dir, name), fs::Join(dir, "../" + build_dir + "/" + name),
                                 fs::Join(dir, "../engine/spec/" + build_dir + "/" + name)})
      if (::access(p.c_str(), X_OK) == 0) return p;
  }
  for (const char* d : {"/usr/local/bin", "/usr/bin", "/usr/local/libexec/berth"}) {
    std::string p = fs::Join(d, name);
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return name;
}

Status Listen(Daemon::State& s, const std::string& host, gid_t gid) {
  http::Endpoint ep = BERTH_TRY(http::ParseEndpoint(host));
  if (ep.kind == http::Endpoint::Kind::kUnix) {
    BERTH_TRY(fs::MkdirAll(fs::Dirname(ep.path), 0755));
    BERTH_TRY(s.server->ListenUnix(ep.path));
    // Non-root (tests) cannot chown to another group: keep ours then.
    gid_t g = ::geteuid() == 0 ? gid : static_cast<gid_t>(-1);
    BERTH_TRY(http::SetSocketOwnership(ep.path, 0660, g));
    log::Info("API listen on {}", ep.path);
    return Ok();
  }
  const Options& o = s.options;
  if (o.tls_verify) {
    http::TlsOptions tls{o.tls_ca_cert, o.tls_cert, o.tls_key, true};
    uint16_t port = BERTH_TRY_CTX(s.server->ListenTcp(ep.host, ep.port, &tls), "listen on " + host);
    log::Info("API listen on {}:{} (TLS, client certificates required)", ep.host, port);
    return Ok();
  }
  uint16_t port = BERTH_TRY_CTX(s.server->ListenTcp(ep.host, ep.port), "listen on " + host);
  std::string warning = fmt::format(
      "WARNING: API is accessible on http://{}:{} without encryption and without "
      "authentication: anyone who can reach this port is root on this host",
      ep.host, port);
  log::Warn("{}", warning);
  s.facts.warnings.push_back(warning);
  return Ok();
}

Status StartState(Daemon::State& s) {
  const Options& o = s.options;
  s.locks.push_back(BERTH_TRY(RootLock::Acquire(o.data_root, "data root")));
  s.locks.push_back(BERTH_TRY(RootLock::Acquire(o.exec_root, "exec root")));

  s.host = ReadHostInfo();
  s.facts.id = BERTH_TRY(EngineId(o.data_root));
  s.facts.name = s.host.hostname;
  s.facts.data_root = o.data_root;
  s.facts.backing_fs = BackingFilesystem(o.data_root);
  s.facts.git_commit = BERTH_GIT_COMMIT;
  s.facts.build_time = BERTH_BUILD_TIME;
  s.facts.debug = o.log_level == log::Level::kDebug;

  // The discovery node: the host name, made unique per daemon (several
  // berthd may share one etcd from one machine) by the daemon ID.
  std::string node = !o.discovery_node.empty()
                         ? o.discovery_node
                         : (s.host.hostname.empty() ? "berth" : s.host.hostname) + "-" +
                               s.facts.id.substr(0, 8);
  s.discovery = BERTH_TRY(DiscoveryService::Start(o, node));

  image::StoreOptions store_options;
  store_options.root = fs::Join(o.data_root, "image");
  auto store = BERTH_TRY_CTX(image::ImageStore::Open(store_options), "open image store");
  s.images = std::make_unique<StoreBackend>(std::move(store));

  if (o.bridge != "none") {
    network::ManagerOptions no;
    no.bridge = o.bridge;
    no.bip = o.bip;
    no.table = o.nft_table;
    no.mtu = o.mtu;
    no.pool = o.address_pool;
    no.pool_size = o.address_pool_size;
    no.state_dir = fs::Join(o.data_root, "network");
    no.netns_dir = fs::Join(o.exec_root, "netns");
    s.network = BERTH_TRY_CTX(network::Manager::Open(no), "set up the default bridge network");
    // Every bridge network's gateway (the default and the user-defined ones
    // restored from state), so restored containers keep their CONSUL_HTTP_ADDR.
    for (const network::NetworkInfo& n : s.network->Networks())
      s.discovery->ListenOnGateway(network::ToString(n.gateway));
  }
  s.container_env = BERTH_TRY(ContainerEnv::Open(fs::Join(o.data_root, "discovery-token.key"),
                                                 s.discovery.get(), s.images->store()));

  // Started with or without a bridge (a host listener may use it).
  s.dns = BERTH_TRY_CTX(dns::Server::Start({}), "start the embedded DNS server");
  s.dns->AddResolver(s.discovery->resolver());  // <name>.service.berth in containers

  engine::Options eo;
  eo.network = s.network.get();
  eo.dns = s.dns.get();
  eo.dns_upstreams = BERTH_TRY(DnsUpstreams(o));
  eo.data_root = o.data_root;
  eo.exec_root = o.exec_root;
  eo.monitor_path = HelperBinary("berth-monitor", "monitor");
  eo.init_path = HelperBinary("berth-init", "init");
  eo.images = s.images->store();
  ContainerEnv* cenv = s.container_env.get();
  eo.start_env = [cenv](const engine::StartEnvInput& in) { return cenv->ForStart(in); };
  EventBus* bus = &s.events;
  Daemon::State* st = &s;
  eo.events = [bus, st](const std::string& type, const std::string& action, const std::string& id,
                        std::map<std::string, std::string> attrs) {
    {
      std::lock_guard<std::mutex> l(st->registration_mu);
      if (st->registration) st->registration->OnEvent(type, action, id);
    }
    Event e;
    e.type = type;
    e.action = action;
    e.actor_id = id;
    e.attributes = std::move(attrs);
    bus->Publish(std::move(e));
  };
  s.engine = BERTH_TRY_CTX(engine::Engine::Open(eo), "open the container engine");
  engine::Engine* eng = s.engine.get();
  {
    std::lock_guard<std::mutex> l(s.registration_mu);
    s.registration =
        std::make_unique<Registration>(eng, s.discovery->store(), cenv, "127.0.0.1");
    s.registration->Reconcile();
  }
  s.discovery->api()->SetResolver([cenv](const std::string& token) { return cenv->Resolve(token); });
  s.images->SetInUse([eng](const std::string& image_id) { return eng->ImageUsers(image_id); });

  AddSystemRoutes(s.router, {&s.host, &s.facts, &s.events, s.images.get(), [eng] {
                               engine::Engine::Counts c = eng->Count();
                               return ContainerCounts{c.total, c.running, c.paused, c.stopped};
                             },
                             [eng] { return eng->VolumeDiskUsage(); }});
  distribution::ServiceOptions dso;
  dso.store = s.images->store();
  dso.insecure_registries = o.insecure_registries;
  s.distribution = std::make_unique<distribution::Service>(dso);
  http::Handler pull = AddDistributionRoutes(s.router, s.distribution.get(), &s.events);
  AddImageRoutes(s.router, s.images.get(), &s.events, std::move(pull));
  AddContainerRoutes(s.router, eng);
  AddVolumeRoutes(s.router, eng);
  AddNetworkRoutes(s.router, eng);
  AddDiscoveryRoutes(s.router, s.discovery->api());
  s.builder = std::make_unique<EngineBuildBackend>(eng, s.images->store(),
                                                   fs::Join(o.data_root, "build"));
  AddBuildRoutes(s.router, s.builder.get(), &s.events);
  s.server = std::make_unique<http::Server>(WithCommonHeaders(s.router, s.facts.version));

  bool any_unix = false;
  for (const std::string& host : o.EffectiveHosts())
    any_unix = any_unix || str::StartsWith(host, "unix://") || str::StartsWith(host, "/");
  gid_t gid = any_unix ? SocketGroup(o.group) : 0;
  for (const std::string& host : o.EffectiveHosts()) BERTH_TRY(Listen(s, host, gid));

  s.pidfile = o.EffectivePidfile();
  BERTH_TRY(WritePidfile(s.pidfile));
  s.pidfile_written = true;
  BERTH_TRY(s.server->Start());
  return Ok();
}

}  // namespace

Daemon::Daemon(std::unique_ptr<State> state) : state_(std::move(state)) {}

Daemon::~Daemon() { Stop(); }

Result<std::unique_ptr<Daemon>> Daemon::Start(const Options& options) {
  auto state = std::make_unique<State>();
  state->options = options;
  std::unique_ptr<Daemon> d(new Daemon(std::move(state)));
  BERTH_TRY(StartState(*d->state_));  // on error ~Daemon cleans up what was done
  log::Info("berthd {} started (data root {}, exec root {})", d->state_->facts.version,
            options.data_root, options.exec_root);
  return d;
}

void Daemon::Stop() {
  State& s = *state_;
  if (s.stopped) return;
  s.stopped = true;
  s.events.Close();  // ends /events streams
  if (s.server) s.server->Stop(std::chrono::seconds(5));
  s.server.reset();
  std::unique_ptr<Registration> registration;
  {
    std::lock_guard<std::mutex> l(s.registration_mu);
    registration = std::move(s.registration);
  }
  registration.reset();  // outside the lock: its worker may be inside the engine
  if (s.engine) s.engine->Shutdown();  // containers keep running
  s.dns.reset();  // closes every listener; a restart opens them again
  s.engine.reset();
  if (s.discovery) s.discovery->Stop();
  s.discovery.reset();
  s.container_env.reset();
  if (s.network) s.network->Close();  // the table and bridge go when no container uses them
  s.network.reset();
  s.images.reset();
  if (s.pidfile_written) RemovePidfile(s.pidfile);
  s.locks.clear();
}

int Run(const Options& options) {
  auto daemon = Daemon::Start(options);
  if (!daemon.ok()) {
    log::Error("berthd: {}", daemon.error().message());
    return 1;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      log::Info("SIGHUP: configuration reload is not supported; ignoring");
      continue;
    }
    log::Info("received {}, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    break;
  }
  (*daemon)->Stop();
  log::Info("berthd stopped");
  return 0;
}

}  // namespace berth::daemon
