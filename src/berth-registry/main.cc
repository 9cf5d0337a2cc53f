// berth-registry: an OCI Distribution / Docker registry server with users,
// tokens and namespaces (docs/registry.md).
#include <cstdio>
#include <cstring>
#include <iostream>

#include "base/log.h"
#include "berth-registry/commands.h"

using namespace berth;
using namespace berth::registry_cli;

namespace berth::registry_cli {

bool Args::Has(const std::string& name) const {
  for (const auto& f : flags)
    if (f.first == name) return true;
  return false;
}

std::string Args::Get(const std::string& name) const {
  for (const auto& f : flags)
    if (f.first == name) return f.second;
  return "";
}

Result<Args> ParseArgs(const std::vector<std::string>& in, size_t from,
                       const std::vector<std::string>& bools) {
  Args a;
  for (size_t i = from; i < in.size(); ++i) {
    const std::string& s = in[i];
    if (s.size() > 1 && s[0] == '-' && s != "-") {
      std::string key = s.substr(s.rfind('-', 1) == 1 ? 2 : 1), value;
      size_t eq = key.find('=');
      bool is_bool = std::find(bools.begin(), bools.end(), key) != bools.end();
      if (eq != std::string::npos) {
        value = key.substr(eq + 1);
        key = key.substr(0, eq);
      } else if (!is_bool) {
        if (i + 1 >= in.size()) return Error::Invalid("flag " + s + " needs a value");
        value = in[++i];
      }
      a.flags.emplace_back(key, value);
    } else {
      a.positional.push_back(s);
    }
  }
  return a;
}

Result<std::string> ReadPassword(const Args& a) {
  if (a.Has("password") && a.Has("password-stdin"))
    return Error::Invalid("--password and --password-stdin are mutually exclusive");
  if (a.Has("password")) return a.Get("password");
  if (!a.Has("password-stdin")) return Error::Invalid("give --password PW or --password-stdin");
  std::string pw;
  std::getline(std::cin, pw);
  while (!pw.empty() && (pw.back() == '\r' || pw.back() == '\n')) pw.pop_back();
  if (pw.empty()) return Error::Invalid("empty password on stdin");
  return pw;
}

}  // namespace berth::registry_cli

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      fputs(kUsage, stdout);
      return 0;
    }
    if (!strcmp(argv[i], "--version")) {
      puts("berth-registry 0.1.0");
      return 0;
    }
  }
  auto o = ParseOptions(argc, argv);
  if (!o.ok()) {
    fprintf(stderr, "berth-registry: %s\n%s", o.error().message().c_str(), kUsage);
    return 2;
  }
  log::Level level = o->log_level == "debug" ? log::Level::kDebug
                     : o->log_level == "warn" ? log::Level::kWarn
                     : o->log_level == "error" ? log::Level::kError
                                               : log::Level::kInfo;
  (void)log::Init("", log::Format::kText, level);
  std::string cmd = o->args.empty() ? "serve" : o->args[0];
  if (cmd == "serve") return Serve(*o);
  if (cmd == "user") return UserCommand(*o);
  if (cmd == "gc") return GcCommand(*o);
  if (cmd == "repo") return RepoCommand(*o);
  fprintf(stderr, "berth-registry: unknown command \"%s\"\n%s", cmd.c_str(), kUsage);
  return 2;
}
