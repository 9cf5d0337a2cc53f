// Parsing and checking of HostConfig.Binds, HostConfig.Mounts and tmpfs
// options, with the texts of Docker's volume/mounts parser.
#include <set>

#include "base/fs.h"
#include "base/strings.h"
#include "engine/spec/internal.h"
#include "volume/mount_point.h"

namespace berth::engine::spec {
namespace {

const std::set<std::string> kPropagation = {"shared", "rshared", "slave",      "rslave",
                                            "private", "rprivate", "unbindable", "runbindable"};

// Mount flags that override each other (one key per group).
const std::map<std::string, std::string>& FlagGroups() {
  static const std::map<std::string, std::string> kGroups = {
      {"ro", "rw"},         {"rw", "rw"},           {"suid", "suid"},
      {"nosuid", "suid"},   {"dev", "dev"},         {"nodev", "dev"},
      {"exec", "exec"},     {"noexec", "exec"},     {"sync", "sync"},
      {"async", "sync"},    {"dirsync", "dirsync"}, {"remount", "remount"},
      {"mand", "mand"},     {"nomand", "mand"},     {"atime", "atime"},
      {"noatime", "atime"}, {"diratime", "diratime"}, {"nodiratime", "diratime"},
      {"bind", "bind"},     {"rbind", "rbind"},     {"relatime", "relatime"},
      {"norelatime", "relatime"}, {"strictatime", "strictatime"},
      {"nostrictatime", "strictatime"},
  };
  return kGroups;
}

const std::set<std::string> kTmpfsData = {"size", "mode", "uid", "gid", "nr_inodes", "nr_blocks",
                                          "mpol"};

Error MountConfig(const std::string& type, const std::string& message) {
  return Error::Invalid("invalid mount config for type " + Quote(type) + ": " + message);
}

}  // namespace

Status ValidateMountDestination(const std::string& type, const std::string& dest) {
  if (dest.empty()) return MountConfig(type, "field Target must not be empty");
  if (dest[0] != '/')
    return MountConfig(type, "invalid mount path: '" + dest + "' mount path must be absolute");
  if (fs::Clean(dest) == "/") return Error::Invalid("invalid specification: destination can't be '/'");
  return Ok();
}

Result<BindSpec> ParseBind(const std::string& spec) {
  volume::MountPoint m = BERTH_TRY(volume::ParseBind(spec));
  BindSpec b;
  b.volume = m.type == "volume";
  b.source = b.volume ? m.name : m.source;
  b.destination = m.destination;
  b.read_only = !m.rw;
  if (!b.volume && m.propagation != "rprivate") b.propagation = m.propagation;
  return b;
}

Result<std::vector<std::string>> MergeTmpfsOptions(const std::vector<std::string>& options) {
  std::set<std::string> flags_seen, data_seen;
  std::vector<std::string> out;
  for (auto it = options.rbegin(); it != options.rend(); ++it) {
    const std::string& o = *it;
    if (o.empty() || o == "defaults") continue;
    std::string key;
    if (kPropagation.count(o)) {
      key = "propagation";
    } else if (auto g = FlagGroups().find(o); g != FlagGroups().end()) {
      key = g->second;
    }
    if (!key.empty()) {
      if (!flags_seen.insert(key).second) continue;
      out.insert(out.begin(), o);
      continue;
    }
    bool eq = false;
    auto [k, v] = str::Cut(o, '=', &eq);
    if (!eq || !kTmpfsData.count(k)) {
      std::string shown = eq ? "[" + Quote(k) + " " + Quote(v) + "]" : "[" + Quote(o) + "]";
      return Error::Invalid("Invalid tmpfs option " + shown);
    }
    if (!data_seen.insert(k).second) continue;
    out.insert(out.begin(), o);
  }
  return out;
}

std::string TmpfsOptionsString(const json& m) {
  std::vector<std::string> opts;
  if (Bool(m, "ReadOnly")) opts.push_back("ro");
  json t = m.contains("TmpfsOptions") && m["TmpfsOptions"].is_object() ? m["TmpfsOptions"]
                                                                          : json::object();
  int64_t mode = Int(t, "Mode");
  if (mode != 0) {
    char buf[32];
    snprintf(buf, sizeof buf, "mode=%llo", static_cast<unsigned long long>(mode));
    opts.push_back(buf);
  }
  int64_t size = Int(t, "SizeBytes");
  if (size != 0) {
    std::string suffix;
    for (auto [s, d] : {std::pair{"g", int64_t{1} << 30}, {"m", int64_t{1} << 20},
                        {"k", int64_t{1} << 10}}) {
      if (size % d == 0) {
        size /= d;
        suffix = s;
        break;
      }
    }
    opts.push_back("size=" + std::to_string(size) + suffix);
  }
  return str::Join(opts, ",");
}

Status ValidateMount(const json& m) {
  std::string type = Str(m, "Type");
  std::string source = Str(m, "Source");
  std::string target = Str(m, "Target");
  if (type == "volume" || type == "bind") {
    auto parsed = volume::ParseMount(m);
    if (!parsed.ok()) return std::move(parsed).error();
    return Ok();
  }
  if (type == "tmpfs") {
    if (!source.empty()) return MountConfig(type, "field Source must not be specified");
    BERTH_TRY(ValidateMountDestination(type, target));
    if (Has(m, "BindOptions")) return MountConfig(type, "field BindOptions must not be specified");
    if (Has(m, "VolumeOptions"))
      return MountConfig(type, "field VolumeOptions must not be specified");
    std::vector<std::string> opts = str::Split(TmpfsOptionsString(m), ',');
    BERTH_TRY(MergeTmpfsOptions(opts));
    return Ok();
  }
  return MountConfig(type, "mount type unknown");
}

}  // namespace berth::engine::spec
