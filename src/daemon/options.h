// berthd's options: command-line flags, a JSON config file (like dockerd's
// daemon.json, chosen with --config-file) and their merge.
//
// Merge rules (dockerd's): a setting comes from its flag, else from the
// config file, else from its default. A setting given both as a flag and in
// the file is an error that names both values; so is an unknown key in the
// file. Config keys are the long flag names without dashes, except -H/--host,
// which is "hosts" (a list) in the file.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/log.h"

namespace berth::daemon {

inline constexpr std::string_view kDefaultDataRoot = "/var/lib/berth";
inline constexpr std::string_view kDefaultExecRoot = "/run/berth";
inline constexpr std::string_view kDefaultGroup = "berth";
inline constexpr std::string_view kDefaultConfigFile = "/etc/berth/daemon.json";

struct Options {
  std::string data_root{kDefaultDataRoot};
  std::string exec_root{kDefaultExecRoot};
  // Endpoints to listen on ("unix:///path", "tcp://host:port"). Empty after
  // parsing means the default: unix://<exec-root>/berth.sock.
  std::vector<std::string> hosts;
  std::string group{kDefaultGroup};
  log::Level log_level = log::Level::kInfo;
  std::string pidfile;  // empty: <exec-root>/berthd.pid
  bool tls_verify = false;
  std::string tls_ca_cert;
  std::string tls_cert;
  std::string tls_key;
  // Allows tcp:// hosts without --tlsverify (anyone who can reach the port
  // is root on the host).
  bool insecure_tcp = false;
  // The discovery store: "embedded" (default) or "etcd://host:port,...".
  std::string discovery{"embedded"};
  // This daemon's node in the catalog (etcd: its services live under
  // <prefix>services/<node>/, the prefix a per-host etcd role grants).
  // Default: the host name and the daemon ID's first 8 characters.
  std::string discovery_node;
  // Where the Consul-compatible API listens for the host: "host:port", or
  // "none" to serve no host listener. A failure to bind is logged, not fatal.
  std::string discovery_addr{"127.0.0.1:8500"};
  // Where the host asks the DNS for <name>.service.berth (udp and tcp):
  // "host:port" (port 0: any), or "none". Empty (the default): the host of
  // discovery_addr on port 8600, or port 0 when discovery_addr's port is 0,
  // none when it is none (so test daemons on ":0" never share a port).
  std::string discovery_dns_addr;
  // The default bridge network: the Linux bridge ("none": no bridge
  // network, containers get only loopback), its gateway address/prefix, the
  // nftables table (empty: "berth_<bridge>", so each daemon has its own)
  // and the MTU.
  std::string bridge = "berth0";
  std::string bip = "10.210.0.1/16";
  std::string nft_table;
  // --default-address-pool base=CIDR,size=N: subnets of user-defined
  // networks created without --subnet.
  std::string address_pool = "10.211.0.0/16";
  int address_pool_size = 24;
  int mtu = 1500;
  // Where the embedded DNS forwards what it does not own for containers
  // without --dns ("ip", "ip:port", "[ip6]:port"); empty: the host's
  // /etc/resolv.conf nameservers that are not loopback; "none": none
  // (REFUSED).
  std::vector<std::string> dns_upstreams;
  // Registries spoken to without TLS checks (loopback always is); see
  // distribution/endpoint.h.
  std::vector<std::string> insecure_registries;

  // Not settings but requests from the command line.
  std::string config_file;  // --config-file; empty: none given
  bool help = false;
  bool version = false;

  // The hosts with the default applied.
  std::vector<std::string> EffectiveHosts() const;
  std::string EffectivePidfile() const;
};

// The flags given on a command line, and which settings they set (config
// keys, e.g. "data-root", "hosts").
struct ParsedFlags {
  Options options;
  std::set<std::string> set_keys;
  std::vector<std::string> args;  // as given, for messages
};

// Parses argv[1..]: "--flag value", "--flag=value", "-H value", "-Hvalue",
// boolean flags with optional "=true|false". Unknown flags and positional
// arguments are kInvalidArgument.
Result<ParsedFlags> ParseFlags(const std::vector<std::string>& args);

// Applies the JSON config text (from path, for messages) onto flags: keys
// the flags did not set are copied into the result; keys both set are a
// conflict. Unknown keys and wrongly typed values are kInvalidArgument.
Result<Options> MergeConfig(const ParsedFlags& flags, std::string_view json,
                            const std::string& path);

// Parses flags, reads the config file (when --config-file is given, or the
// default file when it exists) and merges both; then validates.
Result<Options> LoadOptions(const std::vector<std::string>& args);

// Checks the merged options: absolute roots, endpoints that parse, TLS files
// named when --tlsverify, tcp:// refused without TLS unless insecure_tcp.
Status Validate(const Options& options);

Result<log::Level> ParseLogLevel(std::string_view s);

// The --help text.
std::string Usage();

}  // namespace berth::daemon
