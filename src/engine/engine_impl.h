// Engine internals shared by the engine's .cc files.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "engine/engine.h"
#include "oci/runtime_spec.h"
#include "runtime/runtime.h"
#include "volume/volume.h"

namespace berth::engine {

using nlohmann::json;
using ContainerPtr = std::shared_ptr<Container>;

struct Exec {
  std::string id;
  std::string container_id;
  ExecConfig config;
  std::string dir;  // the exec monitor's dir
  bool running = false;
  bool started = false;
  int exit_code = -1;
  bool has_exit = false;
  pid_t pid = 0;
};

class Engine::Impl {
 public:
  explicit Impl(Options o);

  Options opts;
  runtime::GlobalOptions rt;  // the runtime library's root

  // Paths.
  std::string ContainerDir(const std::string& id) const;  // data root
  std::string RunDir(const std::string& id) const;        // exec root (monitor dir)
  std::string MergedDir(const std::string& id) const;
  std::string LogPath(const std::string& id) const;

  // Lookup by full ID, name or unique ID prefix.
  Result<ContainerPtr> Find(const std::string& name);
  std::vector<ContainerPtr> All();
  Status Save(const Container& c);  // caller holds c.mu
  void Publish(const std::string& action, const Container& c,
               std::map<std::string, std::string> extra = {});

  // Start, with c.op_mu held.
  Status StartLocked(const ContainerPtr& c, bool restarting);
  // Stop, with c.op_mu held.
  Status StopLocked(const ContainerPtr& c, int timeout, bool manual);
  // Waits (c.mu not held) until c is not running or the deadline passes.
  bool WaitStopped(const ContainerPtr& c, std::chrono::milliseconds timeout);
  Status SignalLocked(Container& c, int sig);
  Status RemoveFiles(const ContainerPtr& c);

  // Exit watching: one thread polls every monitor's wait connection.
  // start_gen: the container's start_generation of the run watched.
  void Watch(const std::string& container_id, const std::string& exec_id, unique_fd fd,
             uint64_t start_gen = 0);
  void WatcherLoop();
  // Records the exit of the run start_gen (nullopt: whichever runs); an
  // exit of an earlier run (stale) or an already recorded one is ignored.
  // Takes c.mu itself; the caller holds none of the container's locks.
  void OnContainerExit(const std::string& id, std::optional<uint64_t> start_gen = std::nullopt);
  void OnExecExit(const std::string& exec_id);
  // Restart policy after an exit (c.mu held); schedules a restart.
  void MaybeRestart(const ContainerPtr& c);
  void ScheduleRestart(const std::string& id, std::chrono::milliseconds delay);
  void TimerLoop();

  void Restore();

  // Volumes and binds (mounts.cc).
  // At create: the container's mount points from --volumes-from, Binds,
  // Mounts and Config.Volumes (Docker's order and overrides). Makes nothing
  // (volumes stay unnamed and without a source until CreateVolumes).
  Result<std::vector<volume::MountPoint>> ResolveMounts(const Container& c);
  // Creates the volumes c.mounts name (named ones when missing, anonymous
  // ones always) and fills in their names and sources; the anonymous ones
  // it made are appended to made. Caller holds volumes_mu.
  Status CreateVolumes(Container& c, std::vector<std::string>* made);
  // Removes volumes a failed create made (caller holds volumes_mu; nothing
  // references them: the container was never indexed).
  void RemoveMadeVolumes(const std::vector<std::string>& made);
  // At start: bind sources made, volumes acquired (mounted when they have
  // options) and filled from the image when new and empty; the binds for
  // the spec. Releases what it took on error.
  Result<std::vector<oci::Mount>> SetupMounts(const Container& c, const std::string& merged);
  // When the container stops (or its start failed): its volumes released.
  void ReleaseMounts(const Container& c);
  // After a restart, for a container still running.
  void HoldMounts(const Container& c);
  // Removes the container's anonymous volumes no other container uses
  // (rm -v, run --rm).
  void RemoveAnonymousVolumes(const Container& c);
  // IDs of the containers that name the volume.
  std::vector<std::string> VolumeReferences(const std::string& name);
  // Runs fn with the container's volumes and binds mounted over the merged
  // rootfs (for cp), unmounted after.
  Status WithVolumesMounted(const Container& c, const std::string& merged,
                            const std::function<Status()>& fn);
  void PublishVolume(const std::string& action, const std::string& name,
                     std::map<std::string, std::string> extra = {});

  std::unique_ptr<volume::Store> volumes;
  // Held while volumes are checked for references and removed, and while a
  // create with volume mounts makes its volumes until the container is
  // indexed: a prune never removes a volume a new container is about to
  // use. Creates without volumes never take it. Taken before mu.
  std::mutex volumes_mu;
  // Networking (network.cc). SetupNetwork: the namespace the start joins
  // (netns: "" a new one, "host", or a path) and the container's address
  // on the bridge (ip, "" without one), the endpoint attached for bridge
  // mode; TeardownNetwork undoes it (idempotent). The JSON views need c.mu.
  struct NetworkSetup {
    std::string netns;
    std::string ip, gateway;  // of the first network; "" without a bridge
  };
  Result<NetworkSetup> SetupNetwork(const ContainerPtr& c);
  void TeardownNetwork(const std::string& id);
  // The networks the container joins at start, in order, with their
  // EndpointsConfig settings (network.cc's header comment); c.mu held.
  std::vector<std::pair<std::string, json>> ContainerNetworks(const Container& c);
  json NetworkSettingsJson(const Container& c);
  json PortsList(const Container& c);
  // Legacy links (links.cc). ResolveLinks at create (Docker's errors);
  // CheckLinks at start: the linked containers must run, returns the
  // ALIAS_* variables; HostsText: the container's /etc/hosts with its link
  // lines; UpdateLinkedHosts rewrites (in place) the hosts files of running
  // containers linking to child_id; LinksJson: inspect's HostConfig.Links.
  Result<std::vector<Link>> ResolveLinks(const json& host_config);
  Result<std::vector<std::string>> CheckLinks(const Container& c, const std::vector<Link>& links);
  std::string HostsText(const Container& c, const std::vector<Link>& links, const std::string& ip);
  void UpdateLinkedHosts(const std::string& child_id);
  json LinksJson(const Container& c);
  // Names as a container sees them through the embedded DNS: its links'
  // aliases and names, then its user-defined networks' peers (names, short
  // IDs, aliases: Engine::ResolvePeer). Dotted IPv4s.
  std::vector<std::string> LookupName(const std::string& requester, const std::string& name);
  std::optional<std::string> LookupAddr(const std::string& requester, const std::string& ip);
  // Embedded DNS (dns.cc): a listener in the container's namespace while
  // its network is up. dns_mu guards dns_listeners (a leaf lock).
  void RegisterDnsResolver();
  Status OpenDns(const Container& c, const std::string& netns);
  void CloseDns(const std::string& id);
  bool EmbeddedDns(const Container& c);  // resolv.conf names 127.0.0.11
  void RestoreDns();
  std::mutex dns_mu;
  std::map<std::string, uint64_t> dns_listeners;  // container ID → listener
  // Runs the container's HEALTHCHECK while this start of it lasts.
  void StartHealthcheck(const ContainerPtr& c);
  // Removes a container directory in the background (renamed away first).
  void RemoveDirLater(const std::string& dir);

  Engine* owner = nullptr;

  std::mutex mu;  // guards containers, names, execs
  std::unordered_map<std::string, ContainerPtr> containers;
  std::unordered_map<std::string, std::string> names;  // "/name" → id
  std::unordered_map<std::string, std::shared_ptr<Exec>> execs;

  // Watcher.
  int epfd = -1;
  int wake_fd = -1;  // eventfd: new watch / shutdown
  std::mutex watch_mu;
  struct Watched {
    std::string container_id, exec_id;
    unique_fd fd;
    uint64_t start_gen = 0;
  };
  std::map<int, Watched> watched;
  std::vector<Watched> to_add;
  std::thread watcher;

  // Restart timers.
  std::mutex timer_mu;
  std::condition_variable timer_cv;
  std::multimap<std::chrono::steady_clock::time_point, std::string> timers;
  std::thread timer_thread;

  std::atomic<bool> stopping{false};
};

// Helpers.
std::string NewId();
std::string RandomName();
Error NoSuchContainer(const std::string& name);
// The ALIAS_* variables of a link named link_name ("/web/alias") to a
// container at ip with these exposed ports and env (Docker's set).
std::vector<std::string> LinkEnv(const std::string& link_name, const std::string& ip,
                                 const json& exposed_ports, const std::vector<std::string>& env);
// resolv.conf naming the embedded DNS, with the search domains and options
// given (else the host's) and ndots:0 unless an ndots option is given.
std::string EmbeddedResolvConf(const std::string& host_resolv_conf,
                               const std::vector<std::string>& dns_search,
                               const std::vector<std::string>& dns_options);
// Whether any mount point is a volume (those need volumes_mu at create).
bool HasVolumes(const std::vector<volume::MountPoint>& mounts);
// Create's check of NetworkMode and NetworkingConfig (Docker's errors).
// Endpoint keys are resolved to network names in *networking_config.
Status CheckNetworkMode(Engine::Impl& m, const json& host_config, json* networking_config);

}  // namespace berth::engine
