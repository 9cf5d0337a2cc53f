// The flags `berth run` and `berth create` share (docker's
// containerOptions) and their conversion into the POST /containers/create
// body: Config, HostConfig and NetworkingConfig with the fields, order and
// defaults the docker 20.10 CLI sends.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/cmd/container/create_parse.h"
#include "cli/flags.h"

namespace berth::cli {

struct ContainerOptions {
  std::vector<std::string> attach, volumes, tmpfs, mounts, links, env, env_file, labels, label_file,
      devices, ulimits, sysctls, publish, expose, dns, dns_search, dns_options, extra_hosts,
      volumes_from, cap_add, cap_drop, group_add, security_opt, log_opts, networks;
  bool privileged = false, publish_all = false, stdin_open = false, tty = false,
       oom_kill_disable = false, read_only = false, no_healthcheck = false, auto_remove = false,
       init = false, config_env = false;
  int64_t oom_score_adj = 0, stop_timeout = 0, cpu_shares = 0, cpu_period = 0, cpu_quota = 0,
          pids_limit = 0, health_retries = 0;
  std::string cidfile, entrypoint, hostname, user, workdir, mac_address, ip, ipc, pid, uts, userns,
      restart = "no", log_driver, stop_signal = "SIGTERM", isolation, cpuset_cpus, cpuset_mems,
      health_cmd;
  // Sizes, CPUs and durations keep their text (checked while parsing flags).
  std::string memory, memory_swap, memory_reservation, shm_size, cpus, health_interval,
      health_timeout, health_start_period;
  // run/create only (not in the body).
  std::string name, platform, pull = "missing";

  std::string image;
  std::vector<std::string> args;
  std::vector<std::string> network_aliases;
  std::string ip6;
};

// Adds docker's container flags (and --name, --platform, --pull) to flags.
// env resolves -e KEY as the flag is parsed.
void AddContainerFlags(FlagSet& flags, ContainerOptions* o, const EnvLookup& env);

struct CreateConfig {
  ojson body;  // the create request body
  bool attach_stdin = false, attach_stdout = false, attach_stderr = false;
  bool tty = false, open_stdin = false;
};

// docker's parse(): the create body from the options, or docker's error
// message (printed as "berth: <message>.").
Result<CreateConfig> ParseContainerOptions(const FlagSet& flags, const ContainerOptions& o,
                                           const EnvLookup& env);

}  // namespace berth::cli
