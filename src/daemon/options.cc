#include "daemon/options.h"

#include <nlohmann/json.hpp>

#include "base/fs.h"
#include "base/strings.h"
#include "dns/server.h"
#include "http/socket.h"

namespace berth::daemon {
namespace {

using nlohmann::json;

enum class Kind { kString, kBool, kList };

// One setting: its flag, its config key and where it lands in Options.
struct Setting {
  std::string_view flag;  // long name without "--"
  char short_name;        // 0: none
  std::string_view key;   // config file key; "" for command-line only flags
  Kind kind;
  std::string_view help;
  Status (*set)(Options&, const std::string&);
};

Status SetLevel(Options& o, const std::string& v) {
  o.log_level = BERTH_TRY(ParseLogLevel(v));
  return Ok();
}

Result<bool> ParseBool(std::string_view flag, const std::string& v) {
  std::string l = str::ToLower(v);
  if (l == "" || l == "true" || l == "1") return true;
  if (l == "false" || l == "0") return false;
  return Error::Invalid(
      fmt::format("invalid argument \"{}\" for \"--{}\" flag: invalid boolean", v, flag));
}

#define BERTH_STRING_SETTING(member)               \
  [](Options& o, const std::string& v) -> Status { \
    o.member = v;                                  \
    return Ok();                                   \
  }
#define BERTH_BOOL_SETTING(name, member)           \
  [](Options& o, const std::string& v) -> Status { \
    o.member = BERTH_TRY(ParseBool(name, v));      \
    return Ok();                                   \
  }

const Setting kSettings[] = {
    {"data-root", 0, "data-root", Kind::kString, "Root directory of persistent state",
     BERTH_STRING_SETTING(data_root)},
    {"exec-root", 0, "exec-root", Kind::kString, "Root directory of run-time state",
     BERTH_STRING_SETTING(exec_root)},
    {"host", 'H', "hosts", Kind::kList,
     "Endpoint to listen on, repeatable (unix:///path, tcp://host:port)",
     [](Options& o, const std::string& v) -> Status {
       o.hosts.push_back(v);
       return Ok();
     }},
    {"group", 'G', "group", Kind::kString, "Group owning the unix socket",
     BERTH_STRING_SETTING(group)},
    {"log-level", 'l', "log-level", Kind::kString, "Log level (debug, info, warn, error)",
     SetLevel},
    {"debug", 'D', "debug", Kind::kBool, "Same as --log-level=debug",
     [](Options& o, const std::string& v) -> Status {
       if (BERTH_TRY(ParseBool("debug", v))) o.log_level = log::Level::kDebug;
       return Ok();
     }},
    {"pidfile", 'p', "pidfile", Kind::kString, "PID file (default <exec-root>/berthd.pid)",
     BERTH_STRING_SETTING(pidfile)},
    {"tlsverify", 0, "tlsverify", Kind::kBool, "Require TLS with client certificates on tcp://",
     BERTH_BOOL_SETTING("tlsverify", tls_verify)},
    {"tlscacert", 0, "tlscacert", Kind::kString, "CA that client certificates must chain to",
     BERTH_STRING_SETTING(tls_ca_cert)},
    {"tlscert", 0, "tlscert", Kind::kString, "Server certificate (PEM)",
     BERTH_STRING_SETTING(tls_cert)},
    {"tlskey", 0, "tlskey", Kind::kString, "Server key (PEM)", BERTH_STRING_SETTING(tls_key)},
    {"insecure-tcp", 0, "insecure-tcp", Kind::kBool,
     "Allow tcp:// without TLS (anyone reaching the port is root)",
     BERTH_BOOL_SETTING("insecure-tcp", insecure_tcp)},
    {"discovery", 0, "discovery", Kind::kString,
     "Discovery store: embedded, or etcd://[user:password@]host:port[,host:port...]",
     BERTH_STRING_SETTING(discovery)},
    {"discovery-node", 0, "discovery-node", Kind::kString,
     "This daemon's node name in the discovery catalog (default: hostname-<daemon ID>)",
     BERTH_STRING_SETTING(discovery_node)},
    {"discovery-addr", 0, "discovery-addr", Kind::kString,
     "Address of the Consul-compatible discovery API (host:port, or none)",
     BERTH_STRING_SETTING(discovery_addr)},
    {"discovery-dns-addr", 0, "discovery-dns-addr", Kind::kString,
     "Host address of the DNS for <name>.service.berth (host:port, or none; default: --discovery-addr's host, port 8600)",
     BERTH_STRING_SETTING(discovery_dns_addr)},
    {"bridge", 'b', "bridge", Kind::kString,
     "Linux bridge of the default network (default berth0; \"none\": no bridge network)",
     BERTH_STRING_SETTING(bridge)},
    {"bip", 0, "bip", Kind::kString,
     "Gateway address and prefix of the default bridge (default 10.210.0.1/16)",
     BERTH_STRING_SETTING(bip)},
    {"nft-table", 0, "nft-table", Kind::kString,
     "nftables table for NAT and published ports (default berth_<bridge>)",
     BERTH_STRING_SETTING(nft_table)},
    {"default-address-pool", 0, "", Kind::kString,
     "Pool of user-defined networks' subnets: base=CIDR,size=N (default "
     "base=10.211.0.0/16,size=24)",
     [](Options& o, const std::string& v) -> Status {
       std::string base;
       int size = 0;
       for (const auto& kv : str::Split(v, ',')) {
         auto [k, val] = str::Cut(kv, '=');
         if (k == "base") {
           base = std::string(val);
         } else if (k == "size") {
           auto n = str::ParseInt(std::string(val));
           if (!n || *n < 1 || *n > 30) size = -1; else size = static_cast<int>(*n);
         } else {
           size = -1;
         }
       }
       if (base.empty() || size <= 0)
         return Error::Invalid(fmt::format(
             "invalid argument \"{}\" for \"--default-address-pool\" flag: want base=CIDR,size=N", v));
       o.address_pool = base;
       o.address_pool_size = size;
       return Ok();
     }},
    {"mtu", 0, "mtu", Kind::kString, "MTU of the default bridge and its veths (default 1500)",
     [](Options& o, const std::string& v) -> Status {
       auto n = str::ParseInt(v);
       if (!n || *n < 68 || *n > 65535)
         return Error::Invalid(fmt::format("invalid argument \"{}\" for \"--mtu\" flag", v));
       o.mtu = static_cast<int>(*n);
       return Ok();
     }},
    {"dns-upstream", 0, "dns-upstreams", Kind::kList,
     "DNS server the embedded DNS forwards to, repeatable (ip[:port]; \"none\"; default: the "
     "host's non-loopback nameservers)",
     [](Options& o, const std::string& v) -> Status {
       if (v != "none") BERTH_TRY_CTX(dns::Upstream::Parse(v), "--dns-upstream");
       o.dns_upstreams.push_back(v);
       return Ok();
     }},
    {"insecure-registry", 0, "insecure-registries", Kind::kList,
     "Registry reached over plain HTTP, repeatable (host[:port] or an IPv4 CIDR; loopback always is)",
     [](Options& o, const std::string& v) -> Status {
       o.insecure_registries.push_back(v);
       return Ok();
     }},
    {"config-file", 0, "", Kind::kString, "JSON config file (default /etc/berth/daemon.json)",
     BERTH_STRING_SETTING(config_file)},
    {"help", 'h', "", Kind::kBool, "Print usage", BERTH_BOOL_SETTING("help", help)},
    {"version", 'v', "", Kind::kBool, "Print version and exit",
     BERTH_BOOL_SETTING("version", version)},
};

#undef BERTH_STRING_SETTING
#undef BERTH_BOOL_SETTING

const Setting* FindLong(std::string_view name) {
  for (const Setting& s : kSettings)
    if (s.flag == name) return &s;
  return nullptr;
}

const Setting* FindShort(char c) {
  for (const Setting& s : kSettings)
    if (s.short_name == c) return &s;
  return nullptr;
}

const Setting* FindKey(std::string_view key) {
  for (const Setting& s : kSettings)
    if (!s.key.empty() && s.key == key) return &s;
  return nullptr;
}

// A config value as the text a flag would carry, for Setting::set.
Result<std::vector<std::string>> ConfigValues(const Setting& s, const json& v) {
  auto wrong = [&](std::string_view want) {
    return Error::Invalid(
        fmt::format("config key \"{}\": expected {}, got {}", s.key, want, v.dump()));
  };
  switch (s.kind) {
    case Kind::kString:
      if (!v.is_string()) return wrong("a string");
      return std::vector<std::string>{v.get<std::string>()};
    case Kind::kBool:
      if (!v.is_boolean()) return wrong("a boolean");
      return std::vector<std::string>{v.get<bool>() ? "true" : "false"};
    case Kind::kList: {
      if (!v.is_array()) return wrong("a list of strings");
      std::vector<std::string> out;
      for (const json& e : v) {
        if (!e.is_string()) return wrong("a list of strings");
        out.push_back(e.get<std::string>());
      }
      return out;
    }
  }
  return wrong("a value");
}

// The value a flag gave, for conflict messages.
std::string FlagValueText(const Setting& s, const std::vector<std::string>& args) {
  std::vector<std::string> values;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    std::string long_eq = "--" + std::string(s.flag) + "=";
    if (str::StartsWith(a, long_eq)) {
      values.emplace_back(a.substr(long_eq.size()));
    } else if (a == "--" + std::string(s.flag) ||
               (s.short_name && a == std::string{'-', s.short_name})) {
      if (s.kind == Kind::kBool) {
        values.push_back("true");
      } else if (i + 1 < args.size()) {
        values.push_back(args[++i]);
      }
    } else if (s.short_name && a.size() > 2 && a[0] == '-' && a[1] == s.short_name) {
      values.emplace_back(a.substr(2));
    }
  }
  if (s.kind == Kind::kList) return "[" + str::Join(values, " ") + "]";
  return values.empty() ? "" : values.back();
}

}  // namespace

std::vector<std::string> Options::EffectiveHosts() const {
  if (!hosts.empty()) return hosts;
  return {"unix://" + fs::Join(exec_root, "berth.sock")};
}

std::string Options::EffectivePidfile() const {
  return pidfile.empty() ? fs::Join(exec_root, "berthd.pid") : pidfile;
}

Result<log::Level> ParseLogLevel(std::string_view s) {
  std::string l = str::ToLower(s);
  if (l == "debug") return log::Level::kDebug;
  if (l == "info") return log::Level::kInfo;
  if (l == "warn" || l == "warning") return log::Level::kWarn;
  if (l == "error" || l == "fatal") return log::Level::kError;
  return Error::Invalid(fmt::format("invalid log level \"{}\": use debug, info, warn or error", s));
}

Result<ParsedFlags> ParseFlags(const std::vector<std::string>& args) {
  ParsedFlags out;
  out.args = args;
  auto apply = [&](const Setting& s, const std::string& value) -> Status {
    BERTH_TRY(s.set(out.options, value));
    if (!s.key.empty()) out.set_keys.insert(std::string(s.key));
    return Ok();
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const Setting* s = nullptr;
    std::string value;
    bool has_value = false;
    if (str::StartsWith(a, "--") && a.size() > 2) {
      bool found = false;
      auto [name, v] = str::Cut(std::string_view(a).substr(2), '=', &found);
      s = FindLong(name);
      if (!s) return Error::Invalid("unknown flag: --" + name);
      value = v;
      has_value = found;
    } else if (a.size() >= 2 && a[0] == '-' && a[1] != '-') {
      s = FindShort(a[1]);
      if (!s) return Error::Invalid(fmt::format("unknown shorthand flag: '{}' in {}", a[1], a));
      if (a.size() > 2) {
        value = a.substr(a[2] == '=' ? 3 : 2);
        has_value = true;
      }
    } else {
      return Error::Invalid(fmt::format("berthd takes no arguments, got \"{}\"", a));
    }
    if (!has_value && s->kind != Kind::kBool) {
      if (i + 1 >= args.size())
        return Error::Invalid(fmt::format("flag needs an argument: --{}", s->flag));
      value = args[++i];
    }
    BERTH_TRY(apply(*s, value));
  }
  return out;
}

Result<Options> MergeConfig(const ParsedFlags& flags, std::string_view text,
                            const std::string& path) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return Error::Invalid(fmt::format("config file {}: not a JSON object", path));
  Options out = flags.options;
  std::vector<std::string> unknown, conflicts;
  for (const auto& [key, value] : doc.items()) {
    const Setting* s = FindKey(key);
    if (!s) {
      unknown.push_back(key);
      continue;
    }
    if (flags.set_keys.count(key)) {
      conflicts.push_back(fmt::format("{}: (from flag: {}, from file: {})", key,
                                      FlagValueText(*s, flags.args), value.dump()));
      continue;
    }
    std::vector<std::string> values = BERTH_TRY_CTX(ConfigValues(*s, value), "config file " + path);
    for (const std::string& v : values) BERTH_TRY_CTX(s->set(out, v), "config file " + path);
  }
  if (!unknown.empty())
    return Error::Invalid(fmt::format(
        "config file {}: the following directives don't match any configuration option: {}", path,
        str::Join(unknown, ", ")));
  if (!conflicts.empty())
    return Error::Invalid(fmt::format(
        "config file {}: the following directives are specified both as a flag and in the "
        "configuration file: {}",
        path, str::Join(conflicts, ", ")));
  return out;
}

}  // namespace berth::daemon

namespace berth::daemon {

Result<Options> LoadOptions(const std::vector<std::string>& args) {
  ParsedFlags flags = BERTH_TRY(ParseFlags(args));
  Options options = flags.options;
  if (options.help || options.version) return options;
  std::string path = options.config_file;
  bool explicit_file = !path.empty();
  if (!explicit_file) path = std::string(kDefaultConfigFile);
  if (explicit_file || fs::Exists(path)) {
    std::string text = BERTH_TRY_CTX(fs::ReadFile(path), "config file");
    options = BERTH_TRY(MergeConfig(flags, text, path));
  }
  BERTH_TRY(Validate(options));
  return options;
}

Status Validate(const Options& o) {
  if (o.data_root.empty() || o.data_root[0] != '/')
    return Error::Invalid(
        fmt::format("--data-root must be an absolute path, got \"{}\"", o.data_root));
  if (o.exec_root.empty() || o.exec_root[0] != '/')
    return Error::Invalid(
        fmt::format("--exec-root must be an absolute path, got \"{}\"", o.exec_root));
  if (fs::Clean(o.data_root) == fs::Clean(o.exec_root))
    return Error::Invalid("--data-root and --exec-root must differ");
  if (o.discovery != "embedded" && !str::StartsWith(o.discovery, "etcd://"))
    return Error::Invalid(fmt::format(
        "--discovery must be embedded or etcd://[user:password@]host:port[,host:port...], got \"{}\"",
        o.discovery));
  if (!o.discovery_node.empty() &&
      o.discovery_node.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789._-") != std::string::npos)
    return Error::Invalid(fmt::format(
        "--discovery-node must be letters, digits, '.', '_' or '-', got \"{}\"", o.discovery_node));
  if (o.discovery_addr != "none" && o.discovery_addr != "") {
    BERTH_TRY_CTX(http::ParseEndpoint("tcp://" + o.discovery_addr),
                  "--discovery-addr " + o.discovery_addr);
  }
  if (o.discovery_dns_addr != "none" && o.discovery_dns_addr != "") {
    http::Endpoint ep = BERTH_TRY_CTX(http::ParseEndpoint("tcp://" + o.discovery_dns_addr),
                                      "--discovery-dns-addr " + o.discovery_dns_addr);
    if (o.discovery_dns_addr.find(':') == std::string::npos || ep.host.empty())
      return Error::Invalid("--discovery-dns-addr must be host:port, got \"" +
                            o.discovery_dns_addr + "\"");
  }
  for (const std::string& h : o.EffectiveHosts()) {
    http::Endpoint ep = BERTH_TRY_CTX(http::ParseEndpoint(h), "-H " + h);
    if (ep.kind != http::Endpoint::Kind::kTcp) continue;
    if (o.tls_verify) {
      if (o.tls_ca_cert.empty() || o.tls_cert.empty() || o.tls_key.empty())
        return Error::Invalid("--tlsverify needs --tlscacert, --tlscert and --tlskey for " + h);
    } else if (!o.insecure_tcp) {
      return Error::Invalid(fmt::format(
          "refusing to listen on {} without TLS: use --tlsverify with --tlscacert, --tlscert "
          "and --tlskey, or --insecure-tcp to accept that anyone who reaches the port is root",
          h));
    }
  }
  return Ok();
}

std::string Usage() {
  std::string out =
      "Usage: berthd [OPTIONS]\n\n"
      "A Docker-compatible container engine daemon (Docker Engine API v1.41).\n\n"
      "Options:\n";
  for (const Setting& s : kSettings) {
    std::string names = s.short_name ? fmt::format("-{}, --{}", s.short_name, s.flag)
                                     : fmt::format("    --{}", s.flag);
    if (s.kind != Kind::kBool) names += s.kind == Kind::kList ? " list" : " string";
    out += fmt::format("  {:<28} {}\n", names, s.help);
  }
  out += fmt::format(
      "\nDefaults: --data-root {} --exec-root {} -H unix://<exec-root>/berth.sock "
      "--group {} --log-level info\n",
      kDefaultDataRoot, kDefaultExecRoot, kDefaultGroup);
  return out;
}

}  // namespace berth::daemon
