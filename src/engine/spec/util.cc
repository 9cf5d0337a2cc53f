// JSON accessors and small helpers shared by the spec builder.
#include <sys/utsname.h>

#include "engine/spec/internal.h"

namespace berth::engine::spec {

bool Has(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && !j[key].is_null();
}

std::string Str(const json& j, const char* key) {
  if (!Has(j, key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

int64_t Int(const json& j, const char* key, int64_t def) {
  if (!Has(j, key) || !j[key].is_number()) return def;
  if (j[key].is_number_float()) return static_cast<int64_t>(j[key].get<double>());
  if (j[key].is_number_unsigned()) return static_cast<int64_t>(j[key].get<uint64_t>());
  return j[key].get<int64_t>();
}

bool Bool(const json& j, const char* key) {
  return Has(j, key) && j[key].is_boolean() && j[key].get<bool>();
}

std::vector<std::string> Strs(const json& j, const char* key) {
  std::vector<std::string> out;
  if (!Has(j, key)) return out;
  const json& v = j[key];
  if (v.is_string()) {  // Docker accepts a lone string for Cmd/Entrypoint
    out.push_back(v.get<std::string>());
    return out;
  }
  if (!v.is_array()) return out;
  for (const json& e : v)
    if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

const std::vector<std::string>& DefaultMaskedPaths() {
  static const std::vector<std::string> kPaths = {
      "/proc/asound",      "/proc/acpi",          "/proc/kcore",      "/proc/keys",
      "/proc/latency_stats", "/proc/timer_list",  "/proc/timer_stats", "/proc/sched_debug",
      "/proc/scsi",        "/sys/firmware"};
  return kPaths;
}

const std::vector<std::string>& DefaultReadonlyPaths() {
  static const std::vector<std::string> kPaths = {"/proc/bus", "/proc/fs", "/proc/irq",
                                                  "/proc/sys", "/proc/sysrq-trigger"};
  return kPaths;
}

bool KnownUlimit(const std::string& name) {
  static const char* kNames[] = {"as",     "core",   "cpu",   "data",       "fsize",
                                 "locks",  "memlock", "msgqueue", "nice",   "nofile",
                                 "nproc",  "rss",    "rtprio", "rttime",   "sigpending",
                                 "stack"};
  for (const char* n : kNames)
    if (name == n) return true;
  return false;
}

std::string GoArch() {
  struct utsname u;
  if (uname(&u) < 0) return "amd64";
  std::string m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64") return "arm64";
  if (m == "i386" || m == "i686") return "386";
  if (m.rfind("armv", 0) == 0) return "arm";
  if (m == "ppc64le") return "ppc64le";
  if (m == "s390x") return "s390x";
  if (m == "riscv64") return "riscv64";
  return m;
}

}  // namespace berth::engine::spec
