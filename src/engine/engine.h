// The container engine: containers from images, their whole lifecycle,
// exec, logs and attach, surviving berthd restarts (docs/containers.md).
//
//   <data-root>/containers/<id>/   config.v2.json, <id>-json.log, hostname,
//                                  hosts, resolv.conf, fs/{upper,work,merged}
//   <exec-root>/containers/<id>/   config.json (bundle), the monitor's files,
//                                  exec/<exec-id>/
//   <exec-root>/runtime/           the runtime library's state root
//   <data-root>/volumes/           the volume store (volume/volume.h)
//
// Names and IDs: a container is named by its full ID, its name (with or
// without "/") or a unique ID prefix; errors are Docker's ("No such
// container: x").
//
// Threads: every method may be called from any thread. mu_ guards the
// container index; each Container has its own locks (container.h). Lock
// order: Container::op_mu, then mu_, then Container::mu.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "dns/server.h"
#include "engine/container.h"
#include "engine/start_env.h"
#include "image/image_store.h"
#include "network/addr.h"

namespace berth::network {
class Manager;
}


namespace berth::engine {

struct Options {
  std::string data_root;
  std::string exec_root;
  std::string monitor_path;  // berth-monitor
  std::string init_path;     // berth-init (for --init)
  std::string cgroup_parent = "/berth";
  image::ImageStore* images = nullptr;
  // The default bridge network (null: --bridge=none, containers get only
  // loopback unless --network host).
  network::Manager* network = nullptr;
  // The embedded DNS server (null: containers get the host's resolvers in
  // resolv.conf, as without it). With it, every container on a bridge
  // network gets a listener at 127.0.0.11:53 in its namespace (dns.cc).
  dns::Server* dns = nullptr;
  // Where it forwards for containers without --dns (empty: REFUSED).
  std::vector<dns::Upstream> dns_upstreams;
  // Extra process environment at each start (start_env.h); may be empty.
  StartEnvFn start_env;
  // Publishes a container event (action, id, attributes: name, image, …).
  std::function<void(const std::string& type, const std::string& action, const std::string& id,
                     std::map<std::string, std::string> attributes)>
      events;
};

struct CreateResult {
  std::string id;
  std::vector<std::string> warnings;
};

enum class WaitCondition { kNotRunning, kNextExit, kRemoved };

struct ListOptions {
  bool all = false;
  int limit = -1;
  bool size = false;
  std::map<std::string, std::vector<std::string>> filters;
};

struct LogsOptions {
  bool follow = false, stdout = true, stderr = true, timestamps = false, details = false;
  int64_t tail = -1;
  int64_t since_nano = 0, until_nano = 0;
};

struct ExecConfig {
  std::vector<std::string> cmd;
  std::vector<std::string> env;
  std::string user;
  std::string working_dir;
  bool tty = false, attach_stdin = false, attach_stdout = false, attach_stderr = false;
  bool privileged = false;
  std::string detach_keys;
};

class Engine {
 public:
  // Loads every container, finds the running ones again (live restore) and
  // learns how those that ended meanwhile ended; restarts per policy.
  static Result<std::unique_ptr<Engine>> Open(const Options& options);
  ~Engine();

  // Stops the exit watcher and timers. Containers keep running.
  void Shutdown();

  Result<CreateResult> Create(const nlohmann::json& body, const std::string& name);
  Status Start(const std::string& name);  // kAlreadyExists (→ 304) when running
  Status Stop(const std::string& name, int timeout /* -1: the container's */);
  Status Restart(const std::string& name, int timeout);
  Status Kill(const std::string& name, const std::string& signal);
  // The exit code; cancelled() ends the wait early with kUnavailable.
  Result<int> Wait(const std::string& name, WaitCondition cond, const std::function<bool()>& cancelled,
                   const std::function<void()>& registered);
  Status Remove(const std::string& name, bool force, bool volumes);
  Status Rename(const std::string& name, const std::string& new_name);
  // rm --link /parent/alias: drops the parent's legacy link (Docker's
  // errors: a name without a parent is the default link name, kConflict).
  Status RemoveLink(const std::string& link_name);
  Status Pause(const std::string& name);
  Status Unpause(const std::string& name);
  Result<std::vector<std::string>> Update(const std::string& name, const nlohmann::json& body);

  Result<nlohmann::json> Inspect(const std::string& name, bool size);
  Result<nlohmann::json> List(const ListOptions& o);
  Result<nlohmann::json> Prune(const std::map<std::string, std::vector<std::string>>& filters);
  Result<nlohmann::json> Top(const std::string& name, const std::string& ps_args);
  Result<nlohmann::json> Changes(const std::string& name);

  // Attach: a connection to the container's monitor that carries its output
  // (framed without a tty) and takes stdin. Blocks for a created container
  // until it starts (or is removed / cancelled()).
  Result<unique_fd> Attach(const std::string& name, bool in, bool out, bool err,
                           const std::function<bool()>& cancelled);
  Status Resize(const std::string& name, int height, int width);
  // Log entries as Docker frames them (or raw with a tty) via write();
  // ready() is called once the request is known to be valid (before any
  // entry), so errors can still become an error response.
  Status Logs(const std::string& name, const LogsOptions& o, const std::function<Status()>& ready,
              const std::function<Status(std::string_view)>& write,
              const std::function<bool()>& client_gone);
  Result<bool> IsTty(const std::string& name);

  // Exec.
  Result<std::string> ExecCreate(const std::string& name, const ExecConfig& c);
  // Starts the exec; with detach returns at once. Otherwise returns the
  // monitor connection (attach) for the caller to proxy, already started.
  Result<unique_fd> ExecStart(const std::string& exec_id, bool detach, bool tty);
  Result<nlohmann::json> ExecInspect(const std::string& exec_id);
  Status ExecResize(const std::string& exec_id, int height, int width);

  // The container's resource use as Docker's stats JSON: one object, or
  // (stream) one per second until write fails or client_gone().
  Status Stats(const std::string& name, bool stream,
               const std::function<Status(const nlohmann::json&)>& write,
               const std::function<bool()>& client_gone);

  // Commit: a new image from the container's changes. Returns "sha256:…".
  Result<std::string> Commit(const std::string& name, const std::string& repo_tag,
                             const std::string& comment, const std::string& author,
                             const std::vector<std::string>& changes, bool pause,
                             const nlohmann::json* config);
  // A build step's commit (RUN): the container's changes over its image,
  // with the image config and container_config given by the builder.
  Result<std::string> CommitStep(const std::string& name, const nlohmann::json& config,
                                 const nlohmann::json& container_config, const std::string& author);
  Status Export(const std::string& name, int out_fd);
  Result<std::string> ArchiveStat(const std::string& name, const std::string& path);
  Status ArchiveGet(const std::string& name, const std::string& path, int out_fd,
                    std::string* stat_header);
  Status ArchivePut(const std::string& name, const std::string& path, int in_fd,
                    bool no_overwrite_dir_non_dir, bool copy_uid_gid);

  // Networks (networks.cc): the predefined ones (bridge, host, none) and
  // the user-defined bridge networks as Docker lists them, with the running
  // containers on each; inspect by full ID, name or unique ID prefix.
  Result<nlohmann::json> Networks();
  Result<nlohmann::json> NetworkInspect(const std::string& name);
  // POST /networks/create's body (Name, Driver, IPAM.Config, Internal,
  // Attachable, Options, Labels) → {"Id", "Warning"}.
  Result<nlohmann::json> NetworkCreate(const nlohmann::json& body);
  // Refused for the predefined networks and while containers run on it.
  Status NetworkRemove(const std::string& name);
  // Removes the user-defined networks match() accepts that no running
  // container is on; returns their names.
  Result<std::vector<std::string>> NetworkPrune(
      const std::function<bool(const nlohmann::json&)>& match);
  // POST /networks/{id}/connect's body (Container, EndpointConfig:
  // IPAMConfig.IPv4Address, Aliases, MacAddress). A running container gets
  // the endpoint now (ethN), a stopped one at its next start.
  Status NetworkConnect(const std::string& network, const nlohmann::json& body);
  Status NetworkDisconnect(const std::string& network, const std::string& container, bool force);

  // The embedded DNS server's lookup (src/dns): the IPv4 addresses of the
  // containers that share a user-defined network with the container
  // requester_container_id (full ID) and whose name, short ID (12 hex) or
  // alias on that network equals name (case-insensitive, a trailing dot
  // ignored), as Docker's resolver answers. Only running containers have
  // endpoints; the default bridge never resolves names (Docker's rule).
  // Empty: no such peer (answer NXDOMAIN or forward). Takes only the
  // network manager's lock: callable from any thread, with or without the
  // engine's locks held.
  std::vector<network::Ipv4> ResolvePeer(const std::string& requester_container_id,
                                         const std::string& name);

  // Counts for /info.
  struct Counts {
    int total = 0, running = 0, paused = 0, stopped = 0;
  };
  Counts Count();
  // Containers using an image (for rmi / image prune).
  std::vector<image::ContainerUse> ImageUsers(const std::string& image_id);

  // Volumes (volumes.cc): the Engine API's /volumes over the local driver
  // (src/volume). A volume is in use while any container (running or not)
  // names it in its mounts.
  Result<nlohmann::json> VolumeCreate(const nlohmann::json& body);
  Result<nlohmann::json> VolumeInspect(const std::string& name);
  Result<nlohmann::json> VolumeList(const std::map<std::string, std::vector<std::string>>& filters);
  // kConflict "remove x: volume is in use - [ids]"; force ignores a missing one.
  Status VolumeRemove(const std::string& name, bool force);
  Result<nlohmann::json> VolumePrune(const std::map<std::string, std::vector<std::string>>& filters);
  // /system/df's Volumes: each volume with UsageData {Size, RefCount}.
  nlohmann::json VolumeDiskUsage();

  class Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::engine
