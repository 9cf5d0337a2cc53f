// Parsing -v, --mount and --volumes-from (mount_point.h), with the texts of
// Docker's Linux mount parser.
#include "volume/mount_point.h"

#include <set>

#include "base/fs.h"
#include "base/strings.h"

namespace berth::volume {
namespace {

using nlohmann::json;

const std::set<std::string> kPropagation = {"shared", "rshared", "slave",      "rslave",
                                            "private", "rprivate", "unbindable", "runbindable"};

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

Error MountConfig(const std::string& type, const std::string& message) {
  return Error::Invalid("invalid mount config for type " + Quote(type) + ": " + message);
}

Status CheckDestination(const std::string& type, const std::string& dest) {
  if (dest.empty()) return MountConfig(type, "field Target must not be empty");
  if (dest[0] != '/')
    return MountConfig(type, "invalid mount path: '" + dest + "' mount path must be absolute");
  if (fs::Clean(dest) == "/") return Error::Invalid("invalid specification: destination can't be '/'");
  return Ok();
}

std::string Str(const json& j, const char* k) {
  auto it = j.find(k);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
bool Bool(const json& j, const char* k) {
  auto it = j.find(k);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}
Labels StrMap(const json& j, const char* k) {
  Labels out;
  auto it = j.find(k);
  if (it != j.end() && it->is_object())
    for (auto& [key, v] : it->items())
      if (v.is_string()) out[key] = v.get<std::string>();
  return out;
}

}  // namespace

json ToInspect(const MountPoint& m) {
  json j = {{"Type", m.type}};
  if (m.type == "volume") j["Name"] = m.name;
  j["Source"] = m.source;
  j["Destination"] = m.destination;
  if (m.type == "volume") j["Driver"] = "local";
  j["Mode"] = m.mode;
  j["RW"] = m.rw;
  j["Propagation"] = m.propagation;
  return j;
}

json ToRecord(const MountPoint& m) {
  json j = ToInspect(m);
  j["Named"] = m.named;
  j["CopyData"] = m.copy_data;
  j["NonRecursive"] = m.non_recursive;
  j["FromMounts"] = m.from_mounts;
  return j;
}

MountPoint FromRecord(const json& j) {
  MountPoint m;
  m.type = Str(j, "Type");
  m.name = Str(j, "Name");
  m.source = Str(j, "Source");
  m.destination = Str(j, "Destination");
  m.mode = Str(j, "Mode");
  m.rw = j.value("RW", true);
  m.propagation = Str(j, "Propagation");
  m.named = Bool(j, "Named");
  m.copy_data = j.value("CopyData", true);
  m.non_recursive = Bool(j, "NonRecursive");
  m.from_mounts = Bool(j, "FromMounts");
  return m;
}

Result<MountPoint> ParseBind(const std::string& spec) {
  auto invalid = [&] { return Error::Invalid("invalid volume specification: '" + spec + "'"); };
  std::vector<std::string> parts = str::Split(spec, ':');
  if (parts.empty() || parts.size() > 3) return invalid();
  for (const std::string& p : parts)
    if (p.empty()) return invalid();
  MountPoint m;
  std::string mode;
  if (parts.size() == 1) {
    m.destination = parts[0];
  } else {
    m.source = parts[0];
    m.destination = parts[1];
    if (parts.size() == 3) mode = parts[2];
  }
  m.type = !m.source.empty() && m.source[0] == '/' ? "bind" : "volume";
  if (Status st = CheckDestination(m.type, m.destination); !st.ok())
    return Error::Invalid("invalid volume specification: '" + spec + "': " + st.error().message());
  bool rw_seen = false, prop_seen = false, copy_seen = false;
  for (const std::string& o : str::Split(mode, ',')) {
    if (o.empty()) continue;
    if (o == "ro" || o == "rw") {
      if (rw_seen) return Error::Invalid("invalid mode: " + mode);
      rw_seen = true;
      m.rw = o == "rw";
    } else if (kPropagation.count(o)) {
      if (prop_seen || m.type != "bind") return Error::Invalid("invalid mode: " + mode);
      prop_seen = true;
      m.propagation = o;
    } else if (o == "nocopy") {
      if (copy_seen || m.type != "volume") return Error::Invalid("invalid mode: " + mode);
      copy_seen = true;
      m.copy_data = false;
    } else if (o == "z" || o == "Z" || o == "consistent" || o == "cached" || o == "delegated") {
      // SELinux relabel (no SELinux here) and macOS consistency: accepted.
    } else {
      return Error::Invalid("invalid mode: " + mode);
    }
  }
  m.destination = fs::Clean(m.destination);
  m.mode = mode;
  if (m.type == "bind") {
    m.source = fs::Clean(m.source);
    if (m.propagation.empty()) m.propagation = "rprivate";
  } else if (!m.source.empty()) {
    BERTH_TRY(ValidateName(m.source));
    m.name = m.source;
    m.source.clear();
    m.named = true;
    if (m.mode.empty()) m.mode = "z";
  }
  return m;
}

Result<MountPoint> ParseMount(const json& j) {
  if (!j.is_object()) return Error::Invalid("invalid mount config: not an object");
  MountPoint m;
  m.from_mounts = true;
  m.type = Str(j, "Type");
  std::string source = Str(j, "Source");
  std::string target = Str(j, "Target");
  m.rw = !Bool(j, "ReadOnly");
  auto has = [&](const char* k) { return j.contains(k) && !j[k].is_null(); };
  if (m.type == "volume") {
    BERTH_TRY(CheckDestination(m.type, target));
    if (has("BindOptions")) return MountConfig(m.type, "field BindOptions must not be specified");
    if (has("TmpfsOptions")) return MountConfig(m.type, "field TmpfsOptions must not be specified");
    if (!source.empty()) {
      BERTH_TRY(ValidateName(source));
      m.name = source;
      m.named = true;
    }
    m.mode = "z";
    if (has("VolumeOptions") && j["VolumeOptions"].is_object()) {
      const json& vo = j["VolumeOptions"];
      m.copy_data = !Bool(vo, "NoCopy");
      m.volume_labels = StrMap(vo, "Labels");
      if (vo.contains("DriverConfig") && vo["DriverConfig"].is_object()) {
        std::string driver = Str(vo["DriverConfig"], "Name");
        if (!driver.empty() && driver != "local")
          return Error::NotFound("error looking up volume plugin " + driver + ": plugin " +
                                 Quote(driver) + " not found");
        m.volume_options = StrMap(vo["DriverConfig"], "Options");
      }
    }
  } else if (m.type == "bind") {
    if (source.empty()) return MountConfig(m.type, "field Source must not be empty");
    BERTH_TRY(CheckDestination(m.type, target));
    if (source[0] != '/')
      return MountConfig(m.type, "invalid mount path: '" + source + "' mount path must be absolute");
    if (has("TmpfsOptions")) return MountConfig(m.type, "field TmpfsOptions must not be specified");
    if (has("VolumeOptions"))
      return MountConfig(m.type, "field VolumeOptions must not be specified");
    if (!fs::Exists(source))
      return MountConfig(m.type, "bind source path does not exist: " + source);
    m.source = fs::Clean(source);
    m.propagation = "rprivate";
    if (has("BindOptions") && j["BindOptions"].is_object()) {
      std::string p = Str(j["BindOptions"], "Propagation");
      if (!p.empty() && !kPropagation.count(p))
        return MountConfig(m.type, "invalid propagation mode: " + p);
      if (!p.empty()) m.propagation = p;
      m.non_recursive = Bool(j["BindOptions"], "NonRecursive");
    }
  } else if (m.type == "tmpfs") {
    if (!source.empty()) return MountConfig(m.type, "field Source must not be specified");
    BERTH_TRY(CheckDestination(m.type, target));
  } else {
    return MountConfig(m.type, "mount type unknown");
  }
  m.destination = fs::Clean(target);
  return m;
}

Result<std::pair<std::string, std::string>> ParseVolumesFrom(const std::string& spec) {
  auto [name, mode] = str::Cut(spec, ':');
  if (name.empty()) return Error::Invalid("invalid volumes-from: '" + spec + "'");
  if (!mode.empty() && mode != "ro" && mode != "rw" && mode != "z" && mode != "Z")
    return Error::Invalid("invalid mode: " + mode);
  return std::pair{name, mode};
}

}  // namespace berth::volume
