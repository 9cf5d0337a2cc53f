#include "berth-registry/options.h"

#include <unistd.h>

#include <cstdlib>
#include <map>

#include <nlohmann/json.hpp>

#include "base/duration.h"
#include "base/fs.h"

namespace berth::registry_cli {
namespace {

// Flags of the server that take a value, by name (without "--").
Status Set(Options* o, const std::string& key, const std::string& v) {
  if (key == "root") o->root = v;
  else if (key == "addr") o->addr = v;
  else if (key == "addr-file") o->addr_file = v;
  else if (key == "tls-cert") o->tls_cert = v;
  else if (key == "tls-key") o->tls_key = v;
  else if (key == "access-log") o->access_log = v;
  else if (key == "log-level") o->log_level = v;
  else if (key == "realm") o->realm = v;
  else if (key == "service") o->service = v;
  else if (key == "auth-challenge") {
    if (v != "bearer" && v != "basic") return Error::Invalid("--auth-challenge must be bearer or basic");
    o->auth_challenge = v;
  } else if (key == "upload-timeout") o->upload_timeout = BERTH_TRY_CTX(ParseDuration(v), "--upload-timeout");
  else if (key == "token-ttl") o->token_ttl = BERTH_TRY_CTX(ParseDuration(v), "--token-ttl");
  else return Error::Invalid("unknown option --" + key);
  return Ok();
}

bool IsGlobal(const std::string& key) {
  static const char* const keys[] = {"root", "addr", "addr-file", "tls-cert", "tls-key", "access-log",
                                     "log-level", "realm", "service", "auth-challenge",
                                     "upload-timeout", "token-ttl", "config"};
  for (const char* k : keys)
    if (key == k) return true;
  return false;
}

Status LoadConfig(Options* o, const std::string& path) {
  std::string text = BERTH_TRY_CTX(fs::ReadFile(path), "config");
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return Error::Invalid("config " + path + ": not a JSON object");
  for (const auto& [k, v] : j.items()) {
    if (k == "insecure-remote" && v.is_boolean()) {
      o->insecure_remote = v.get<bool>();
      continue;
    }
    std::string s = v.is_string() ? v.get<std::string>() : v.is_number_integer() ? std::to_string(v.get<int64_t>()) : "";
    if (s.empty() && !v.is_string()) return Error::Invalid("config " + path + ": " + k + ": expected a string");
    BERTH_TRY_CTX(Set(o, k, s), "config " + path);
  }
  return Ok();
}

}  // namespace

const char* const kUsage = R"(Usage:
  berth-registry [serve] [OPTIONS]                 serve the registry
  berth-registry [--root DIR] user add NAME (--password PW | --password-stdin) [--admin]
  berth-registry [--root DIR] user passwd NAME (--password PW | --password-stdin)
  berth-registry [--root DIR] user rm NAME
  berth-registry [--root DIR] user list
  berth-registry [--root DIR] gc [--dry-run] [--grace DURATION]
  berth-registry [--root DIR] repo show NAME
  berth-registry [--root DIR] repo set NAME [--description TEXT] [--private | --public]
  berth-registry repo set NAME --registry http://HOST:PORT --username U (--password PW | --password-stdin) ...

Options:
  --root DIR               storage (default /var/lib/berth-registry as root, else ~/.local/share/berth-registry)
  --addr HOST:PORT         listen address (default 127.0.0.1:5000; port 0 picks a free port)
  --addr-file FILE         write the bound HOST:PORT to FILE once listening
  --config FILE            JSON object of these options ({"addr": "...", "root": "..."}); flags win
  --tls-cert FILE --tls-key FILE   serve HTTPS (plain HTTP only on loopback
                           unless --insecure-remote)
  --access-log FILE|-|off  one line per request (default - = stderr)
  --log-level LEVEL        debug, info, warn, error (default info)
  --upload-timeout DUR     drop uploads idle this long (default 1h)
  --token-ttl DUR          lifetime of /token tokens (default 15m)
  --realm URL              token realm in challenges (default http(s)://<Host>/token)
  --service NAME           token service/audience (default berth-registry)
  --auth-challenge bearer|basic   challenge kind (default bearer)
)";

Result<std::chrono::seconds> ParseDuration(std::string_view s) {
  std::string text(s);
  // Two forms beyond Go's: bare seconds ("3600") and days ("7d").
  bool digits = !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
  bool days = s.size() > 1 && s.back() == 'd' &&
              s.substr(0, s.size() - 1).find_first_not_of("0123456789") == std::string_view::npos;
  if (digits) text += "s";
  if (days) text = std::string(s.substr(0, s.size() - 1)) + "h";
  auto ns = duration::Parse(text);
  if (!ns.ok()) return Error::Invalid("time: invalid duration \"" + std::string(s) + "\"");
  if (*ns < 0) return Error::Invalid("negative duration \"" + std::string(s) + "\"");
  int64_t secs = *ns / 1000000000;  // at most ~9.2e9, so days * 24 fits
  return std::chrono::seconds(days ? secs * 24 : secs);
}

std::string DefaultRoot() {
  if (geteuid() == 0) return "/var/lib/berth-registry";
  const char* home = getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/share/berth-registry";
}

Result<Options> ParseOptions(int argc, char** argv) {
  Options o;
  std::vector<std::string> in(argv + 1, argv + argc);
  // The config file first, so that flags override it.
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == "--config" && i + 1 < in.size()) BERTH_TRY(LoadConfig(&o, in[i + 1]));
    if (in[i].rfind("--config=", 0) == 0) BERTH_TRY(LoadConfig(&o, in[i].substr(9)));
  }
  for (size_t i = 0; i < in.size(); ++i) {
    const std::string& a = in[i];
    if (a.rfind("--", 0) != 0 || a == "--") {
      o.args.push_back(a);
      continue;
    }
    std::string key = a.substr(2), value;
    size_t eq = key.find('=');
    bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = key.substr(eq + 1);
      key = key.substr(0, eq);
    }
    if (key == "insecure-remote") {
      o.insecure_remote = true;
      continue;
    }
    if (!IsGlobal(key)) {  // belongs to the command
      o.args.push_back(a);
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= in.size()) return Error::Invalid("option --" + key + " needs a value");
      value = in[++i];
    }
    if (key == "config") continue;
    BERTH_TRY(Set(&o, key, value));
  }
  if (o.root.empty()) o.root = DefaultRoot();
  return o;
}

}  // namespace berth::registry_cli
