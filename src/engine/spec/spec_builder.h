// Docker's container configuration → an OCI runtime spec, with Docker's
// defaults (moby's daemon/oci_linux.go is the reference for *what*; write
// our own code). Pure functions: no I/O except reading the container's
// /etc/passwd and /etc/group under rootfs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "oci/runtime_spec.h"

namespace berth::engine {

// Fills the container's Config (Docker's create body without HostConfig and
// NetworkingConfig) with the image's config the way docker create does:
// Env merged (image first, container's override by name), Cmd/Entrypoint
// (an Entrypoint given at create clears the image's Cmd unless Cmd is given
// too), WorkingDir, User, Labels (image's under the container's),
// ExposedPorts, Volumes, StopSignal, Healthcheck, OnBuild; Image name kept.
// Returns kInvalidArgument "No command specified" when there is neither
// Cmd nor Entrypoint.
Result<nlohmann::json> MergeImageConfig(const nlohmann::json& config,
                                        const nlohmann::json& image_config);

// Checks and normalizes a HostConfig as create does (defaults for missing
// fields as Docker's inspect shows them; RestartPolicy names, memory and
// cpu values, --cpus vs NanoCpus, ulimits, devices, tmpfs, security opts,
// seccomp profile JSON). Errors are kInvalidArgument with Docker's text.
Result<nlohmann::json> NormalizeHostConfig(const nlohmann::json& host_config);

struct SpecInput {
  std::string id;                // 64-hex container ID
  nlohmann::json config;         // merged Config (MergeImageConfig)
  nlohmann::json host_config;    // normalized HostConfig
  std::string rootfs;            // the mounted overlay (root.path)
  std::string hostname_path;     // files bind-mounted at /etc/...
  std::string hosts_path;
  std::string resolv_conf_path;
  std::string init_path;         // berth-init on the host, for --init
  std::string cgroup_parent = "/berth";  // cgroupsPath = <parent>/<id>
  // Network namespace: "" creates a new one (bridge/none), "host" shares the
  // host's, else a path to join (/proc/<pid>/ns/net for container:NAME).
  std::string netns;
  std::string ipc_ns_path;       // for --ipc container:NAME
  std::string pid_ns_path;       // for --pid container:NAME
  // Binds and volumes as the engine resolved them (volume mount points,
  // bind sources made): HostConfig.Binds and the bind/volume entries of
  // HostConfig.Mounts are never read here (Tmpfs and tmpfs Mounts are).
  std::vector<oci::Mount> mounts;
};

// The spec: process (args from Entrypoint+Cmd, env with PATH/HOSTNAME/TERM
// defaults, cwd, user resolved in rootfs's /etc/passwd and /etc/group with
// supplementary groups and HOME, Docker's default capabilities ±
// CapAdd/CapDrop, or all with Privileged, rlimits from Ulimits, no_new_privs
// from SecurityOpt, oomScoreAdj, terminal and consoleSize), mounts (proc,
// /dev tmpfs, devpts, /dev/shm (ShmSize, default 64 MiB), mqueue, sysfs ro,
// cgroup ro, Tmpfs and tmpfs Mounts, the three /etc files, in.mounts),
// namespaces, masked and read-only paths (none with Privileged), devices (Docker's default allow list + Devices;
// all with Privileged), resources (Memory, MemorySwap, MemoryReservation,
// NanoCpus, CpuShares, CpuPeriod/Quota, CpusetCpus/Mems, PidsLimit,
// BlkioWeight, OomKillDisable), seccomp (Docker's default profile, a custom
// profile JSON, or none for "unconfined" and Privileged), readonly root
// (ReadonlyRootfs), hostname (Config.Hostname), sysctls, --init (init_path
// bind-mounted at /sbin/docker-init and put in front of args), annotations.
Result<oci::Spec> BuildSpec(const SpecInput& in);

// The default content of the container's /etc files.
std::string HostsFile(const std::string& hostname, const std::string& ip,
                      const std::vector<std::string>& extra_hosts);  // "name:ip"
// From the host's /etc/resolv.conf (host_resolv_conf text) as Docker makes
// it: nameservers on loopback dropped (8.8.8.8/8.8.4.4 if none are left),
// Dns/DnsSearch/DnsOptions replacing theirs when given.
std::string ResolvConf(const std::string& host_resolv_conf, const std::vector<std::string>& dns,
                       const std::vector<std::string>& dns_search,
                       const std::vector<std::string>& dns_options);

}  // namespace berth::engine
