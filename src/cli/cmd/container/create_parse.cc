#include "cli/cmd/container/create_parse.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include <fmt/format.h>

#include "base/duration.h"
#include "base/fs.h"
#include "base/strings.h"

namespace berth::cli {
namespace {

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::string GoSyntaxError(const char* fn, std::string_view s) {
  return fmt::format("strconv.{}: parsing \"{}\": invalid syntax", fn, s);
}

std::optional<int64_t> ParseInt64(std::string_view s) {
  if (s.empty()) return std::nullopt;
  return str::ParseInt(s, 10);
}

// ParsePortRange: "80" or "80-90", each 0..65535.
Result<std::pair<uint64_t, uint64_t>> PortRange(std::string_view s) {
  if (s.empty()) return Error::Invalid("Empty string specified for ports.");
  auto dash = s.find('-');
  auto one = [](std::string_view p) -> std::optional<uint64_t> {
    if (!IsDigits(p)) return std::nullopt;
    auto v = str::ParseUint(p, 10);
    if (!v || *v > 65535) return std::nullopt;
    return v;
  };
  if (dash == std::string_view::npos) {
    auto v = one(s);
    if (!v) return Error::Invalid(fmt::format("invalid port: {}", s));
    return std::pair{*v, *v};
  }
  auto a = one(s.substr(0, dash)), b = one(s.substr(dash + 1));
  if (!a || !b) return Error::Invalid(fmt::format("invalid port: {}", s));
  if (*b < *a) return Error::Invalid(fmt::format("Invalid range specified for the port: {}", s));
  return std::pair{*a, *b};
}

// nat.SplitProtoPort: "80/udp" → {"udp","80"}; no proto: tcp.
std::pair<std::string, std::string> SplitProtoPort(std::string_view raw) {
  auto parts = str::Split(raw, '/');
  if (raw.empty() || parts.empty() || parts[0].empty()) return {"", ""};
  if (parts.size() == 1) return {"tcp", std::string(raw)};
  if (parts[1].empty()) return {"tcp", parts[0]};
  return {parts[1], parts[0]};
}

bool ValidIp(std::string_view s) {
  std::string t(s);
  unsigned char buf[16];
  return ::inet_pton(AF_INET, t.c_str(), buf) == 1 || ::inet_pton(AF_INET6, t.c_str(), buf) == 1;
}

// Go's net.IP.String() for a parsed address.
std::string CanonicalIp(std::string_view s) {
  std::string t(s);
  unsigned char buf[16];
  char out[INET6_ADDRSTRLEN];
  if (::inet_pton(AF_INET, t.c_str(), buf) == 1) return ::inet_ntop(AF_INET, buf, out, sizeof out);
  if (::inet_pton(AF_INET6, t.c_str(), buf) == 1) {
    // An IPv4-mapped address prints as IPv4 in Go.
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(buf, kMapped, 12) == 0) return ::inet_ntop(AF_INET, buf + 12, out, sizeof out);
    return ::inet_ntop(AF_INET6, buf, out, sizeof out);
  }
  return t;
}

bool HasWhitespace(std::string_view s) {
  for (char c : s)
    if (std::isspace(static_cast<unsigned char>(c))) return true;
  return false;
}

std::string_view TrimLeftSpace(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  return s;
}

}  // namespace

std::string GoErrno(int err) {
  std::string s = std::strerror(err);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

EnvLookup ProcessEnv() {
  return [](const std::string& k) -> std::optional<std::string> {
    const char* v = std::getenv(k.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<int64_t> RamInBytes(std::string_view s) {
  auto invalid = [&] { return Error::Invalid(fmt::format("invalid size: '{}'", s)); };
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  std::string num(s.substr(0, i));
  if (num.empty() || !std::isdigit(static_cast<unsigned char>(num[0])) || num.back() == '.' ||
      num.find("..") != std::string::npos)
    return invalid();
  std::string_view rest = s.substr(i);
  if (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
  double mult = 1;
  if (!rest.empty()) {
    switch (std::tolower(static_cast<unsigned char>(rest[0]))) {
      case 'k': mult = 1024.0; rest.remove_prefix(1); break;
      case 'm': mult = 1024.0 * 1024; rest.remove_prefix(1); break;
      case 'g': mult = 1024.0 * 1024 * 1024; rest.remove_prefix(1); break;
      case 't': mult = 1024.0 * 1024 * 1024 * 1024; rest.remove_prefix(1); break;
      case 'p': mult = 1024.0 * 1024 * 1024 * 1024 * 1024; rest.remove_prefix(1); break;
      default: break;
    }
  }
  if (!rest.empty() && (rest[0] == 'i' || rest[0] == 'I')) rest.remove_prefix(1);
  if (!rest.empty() && (rest[0] == 'b' || rest[0] == 'B')) rest.remove_prefix(1);
  if (!rest.empty()) return invalid();
  if (std::count(num.begin(), num.end(), '.') > 1) return invalid();
  double v = std::strtod(num.c_str(), nullptr);
  return static_cast<int64_t>(v * mult);
}

Result<int64_t> MemSwapBytes(std::string_view s) {
  if (s == "-1") return int64_t{-1};
  return RamInBytes(s);
}

Result<int64_t> NanoCpus(std::string_view s) {
  auto bad = [&] { return Error::Invalid(fmt::format("failed to parse {} as a rational number", s)); };
  std::string_view t = s;
  bool neg = false;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
    neg = t[0] == '-';
    t.remove_prefix(1);
  }
  auto dot = t.find('.');
  std::string_view ip = t.substr(0, dot), fp = dot == t.npos ? std::string_view() : t.substr(dot + 1);
  if ((ip.empty() && fp.empty()) || (!ip.empty() && !IsDigits(ip)) || (!fp.empty() && !IsDigits(fp)))
    return bad();
  if (dot != t.npos && ip.empty() && fp.empty()) return bad();
  std::string frac(fp);
  while (frac.size() > 9) {
    if (frac.back() != '0') return Error::Invalid("value is too precise");
    frac.pop_back();
  }
  frac.resize(9, '0');
  int64_t whole = ip.empty() ? 0 : *str::ParseInt(ip, 10);
  int64_t v = whole * 1000000000 + *str::ParseInt(frac, 10);
  return neg ? -v : v;
}

Result<int64_t> GoDuration(std::string_view s) { return duration::Parse(s); }

Result<ojson> ParseUlimit(std::string_view s) {
  static const char* kNames[] = {"core",   "cpu",  "data",   "fsize",      "locks",
                                 "memlock", "msgqueue", "nice", "nofile", "nproc",
                                 "rss",    "rtprio", "rttime", "sigpending", "stack"};
  bool found = false;
  auto [name, vals] = str::Cut(s, '=', &found);
  if (!found) return Error::Invalid(fmt::format("invalid ulimit argument: {}", s));
  if (std::find(std::begin(kNames), std::end(kNames), name) == std::end(kNames))
    return Error::Invalid(fmt::format("invalid ulimit type: {}", name));
  auto parts = str::Split(vals, ':');
  if (parts.size() > 2)
    return Error::Invalid(fmt::format(
        "too many limit value arguments - {}, can only have up to two, `soft[:hard]`", vals));
  auto soft = ParseInt64(parts[0]);
  if (parts.size() == 2) {
    auto hard_v = ParseInt64(parts[1]);
    if (!hard_v) return Error::Invalid(GoSyntaxError("ParseInt", parts[1]));
    if (!soft) return Error::Invalid(GoSyntaxError("ParseInt", parts[0]));
    if (*hard_v != -1 && *soft > *hard_v)
      return Error::Invalid(fmt::format(
          "ulimit soft limit must be less than or equal to hard limit: {} > {}", *soft, *hard_v));
    return ojson{{"Name", name}, {"Hard", *hard_v}, {"Soft", *soft}};
  }
  if (!soft) return Error::Invalid(GoSyntaxError("ParseInt", parts[0]));
  return ojson{{"Name", name}, {"Hard", *soft}, {"Soft", *soft}};
}

Result<std::vector<PortMapping>> ParsePortSpec(std::string_view raw) {
  auto parts = str::Split(raw, ':');
  size_t n = parts.size();
  std::string raw_ip, host_port, container_port = parts[n - 1];
  if (n == 2) {
    host_port = parts[0];
  } else if (n == 3) {
    raw_ip = parts[0];
    host_port = parts[1];
  } else if (n > 3) {
    raw_ip = str::Join(std::vector<std::string>(parts.begin(), parts.end() - 2), ":");
    host_port = parts[n - 2];
  }
  auto [proto, cport] = SplitProtoPort(container_port);
  std::string ip = raw_ip;
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  if (!ip.empty() && !ValidIp(ip)) return Error::Invalid(fmt::format("Invalid ip address: {}", ip));
  if (cport.empty()) return Error::Invalid(fmt::format("No port specified: {}<empty>", raw));
  auto crange = PortRange(cport);
  if (!crange.ok()) return Error::Invalid(fmt::format("Invalid containerPort: {}", cport));
  auto [start, end] = *crange;
  uint64_t hstart = 0, hend = 0;
  if (!host_port.empty()) {
    auto hrange = PortRange(host_port);
    if (!hrange.ok()) return Error::Invalid(fmt::format("Invalid hostPort: {}", host_port));
    std::tie(hstart, hend) = *hrange;
  }
  if (!host_port.empty() && (end - start) != (hend - hstart) && end != start)
    return Error::Invalid(fmt::format(
        "Invalid ranges specified for container and host Ports: {} and {}", cport, host_port));
  std::string lproto = str::ToLower(proto);
  if (lproto != "tcp" && lproto != "udp" && lproto != "sctp")
    return Error::Invalid(fmt::format("Invalid proto: {}", proto));
  std::vector<PortMapping> out;
  for (uint64_t i = 0; i <= end - start; ++i) {
    PortMapping m;
    m.port = std::to_string(start + i) + "/" + lproto;
    m.host_ip = ip;
    if (!host_port.empty()) m.host_port = std::to_string(hstart + i);
    if (start == end && hstart != hend) m.host_port += "-" + std::to_string(hend);
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::string> StandardPortNotation(std::string_view spec) {
  if (spec.find('=') == std::string_view::npos) return std::string(spec);
  std::map<std::string, std::string> params = {{"protocol", "tcp"}};
  for (const auto& param : str::Split(spec, ',')) {
    auto kv = str::Split(param, '=');
    if (kv.size() < 2)
      return Error::Invalid(fmt::format(
          "invalid publish opts format (should be name=value but got '{}')", param));
    params[kv[0]] = kv[1];
  }
  return fmt::format("{}:{}/{}", params["published"], params["target"], params["protocol"]);
}

Result<std::vector<std::string>> ParseExpose(std::string_view e) {
  if (e.find(':') != std::string_view::npos)
    return Error::Invalid(fmt::format("invalid port format for --expose: {}", e));
  auto [proto, port] = SplitProtoPort(e);
  auto range = PortRange(port);
  if (!range.ok())
    return Error::Invalid(fmt::format("invalid range format for --expose: {}, error: {}", e,
                                      range.error().message()));
  std::vector<std::string> out;
  for (uint64_t p = range->first; p <= range->second; ++p)
    out.push_back(std::to_string(p) + "/" + str::ToLower(proto));
  return out;
}

namespace {

// encoding/csv for one record: fields split on commas, "…" quoting.
Result<std::vector<std::string>> CsvFields(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false, at_start = true;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < s.size() && s[i + 1] == '"') {
          cur.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cur.push_back(c);
      }
      continue;
    }
    if (c == '"' && at_start) {
      quoted = true;
      at_start = false;
      continue;
    }
    if (c == ',') {
      out.push_back(std::move(cur));
      cur.clear();
      at_start = true;
      continue;
    }
    cur.push_back(c);
    at_start = false;
  }
  if (quoted) return Error::Invalid("extraneous or missing \" in quoted-field");
  out.push_back(std::move(cur));
  return out;
}

std::optional<bool> GoParseBool(std::string_view v) {
  static const char* kTrue[] = {"1", "t", "T", "TRUE", "true", "True"};
  static const char* kFalse[] = {"0", "f", "F", "FALSE", "false", "False"};
  if (std::find(std::begin(kTrue), std::end(kTrue), v) != std::end(kTrue)) return true;
  if (std::find(std::begin(kFalse), std::end(kFalse), v) != std::end(kFalse)) return false;
  return std::nullopt;
}

}  // namespace

Result<ojson> ParseMount(std::string_view spec) {
  auto fields = BERTH_TRY(CsvFields(spec));
  std::string type = "volume", source, target, consistency;
  bool read_only = false;
  // Options, each present once touched (as docker's pointers).
  std::optional<ojson> volume, bind, tmpfs;
  std::map<std::string, std::string> vlabels, vopts;
  bool have_vopts = false;
  std::string vdriver;
  auto vol = [&]() -> ojson& {
    if (!volume) volume = ojson::object();
    return *volume;
  };
  auto bnd = [&]() -> ojson& {
    if (!bind) bind = ojson::object();
    return *bind;
  };
  auto tmp = [&]() -> ojson& {
    if (!tmpfs) tmpfs = ojson::object();
    return *tmpfs;
  };
  std::optional<bool> nocopy, nonrecursive;
  std::string propagation;
  std::optional<int64_t> size, mode;
  for (const auto& field : fields) {
    bool has_eq = false;
    auto [k, value] = str::Cut(field, '=', &has_eq);
    std::string key = str::ToLower(k);
    if (!has_eq) {
      if (key == "readonly" || key == "ro") {
        read_only = true;
        continue;
      }
      if (key == "volume-nocopy") {
        vol();
        nocopy = true;
        continue;
      }
      if (key == "bind-nonrecursive") {
        bnd();
        nonrecursive = true;
        continue;
      }
      return Error::Invalid(fmt::format("invalid field '{}' must be a key=value pair", field));
    }
    if (key == "type") {
      type = str::ToLower(value);
    } else if (key == "source" || key == "src") {
      source = value;
    } else if (key == "target" || key == "dst" || key == "destination") {
      target = value;
    } else if (key == "readonly" || key == "ro") {
      auto b = GoParseBool(value);
      if (!b) return Error::Invalid(fmt::format("invalid value for {}: {}", key, value));
      read_only = *b;
    } else if (key == "consistency") {
      consistency = str::ToLower(value);
    } else if (key == "bind-propagation") {
      bnd();
      propagation = str::ToLower(value);
    } else if (key == "bind-nonrecursive") {
      auto b = GoParseBool(value);
      if (!b) return Error::Invalid(fmt::format("invalid value for {}: {}", key, value));
      bnd();
      nonrecursive = *b;
    } else if (key == "volume-nocopy") {
      auto b = GoParseBool(value);
      if (!b) return Error::Invalid(fmt::format("invalid value for volume-nocopy: {}", value));
      vol();
      nocopy = *b;
    } else if (key == "volume-label") {
      vol();
      auto [lk, lv] = str::Cut(value, '=');
      vlabels[lk] = lv;
    } else if (key == "volume-driver") {
      vol();
      vdriver = value;
    } else if (key == "volume-opt") {
      vol();
      have_vopts = true;
      auto [ok_, ov] = str::Cut(value, '=');
      vopts[ok_] = ov;
    } else if (key == "tmpfs-size") {
      auto b = RamInBytes(value);
      if (!b.ok()) return Error::Invalid(fmt::format("invalid value for {}: {}", key, value));
      tmp();
      size = *b;
    } else if (key == "tmpfs-mode") {
      auto m = str::ParseUint(value, 8);
      if (!m || *m > 0xffffffffu) return Error::Invalid(fmt::format("invalid value for {}: {}", key, value));
      tmp();
      mode = static_cast<int64_t>(*m);
    } else {
      return Error::Invalid(fmt::format("unexpected key '{}' in '{}'", key, field));
    }
  }
  if (type.empty()) return Error::Invalid("type is required");
  if (target.empty()) return Error::Invalid("target is required");
  if (volume && type != "volume")
    return Error::Invalid(fmt::format("cannot mix 'volume-*' options with mount type '{}'", type));
  if (bind && type != "bind")
    return Error::Invalid(fmt::format("cannot mix 'bind-*' options with mount type '{}'", type));
  if (tmpfs && type != "tmpfs")
    return Error::Invalid(fmt::format("cannot mix 'tmpfs-*' options with mount type '{}'", type));
  ojson m = ojson::object();
  m["Type"] = type;
  if (!source.empty()) m["Source"] = source;
  m["Target"] = target;
  if (read_only) m["ReadOnly"] = true;
  if (!consistency.empty()) m["Consistency"] = consistency;
  if (bind) {
    ojson b = ojson::object();
    if (!propagation.empty()) b["Propagation"] = propagation;
    if (nonrecursive.value_or(false)) b["NonRecursive"] = true;
    m["BindOptions"] = b;
  }
  if (volume) {
    ojson v = ojson::object();
    if (nocopy.value_or(false)) v["NoCopy"] = true;
    if (!vlabels.empty()) {
      ojson l = ojson::object();
      for (const auto& [k, val] : vlabels) l[k] = val;
      v["Labels"] = l;
    }
    ojson d = ojson::object();
    if (!vdriver.empty()) d["Name"] = vdriver;
    if (have_vopts && !vopts.empty()) {
      ojson o = ojson::object();
      for (const auto& [k, val] : vopts) o[k] = val;
      d["Options"] = o;
    }
    v["DriverConfig"] = d;
    m["VolumeOptions"] = v;
  }
  if (tmpfs) {
    ojson t = ojson::object();
    if (size && *size != 0) t["SizeBytes"] = *size;
    if (mode && *mode != 0) t["Mode"] = *mode;
    m["TmpfsOptions"] = t;
  }
  return m;
}

namespace {

bool ValidDeviceMode(std::string_view mode) {
  if (mode.empty()) return false;
  bool seen[3] = {false, false, false};
  for (char c : mode) {
    int i = c == 'r' ? 0 : c == 'w' ? 1 : c == 'm' ? 2 : -1;
    if (i < 0 || seen[i]) return false;
    seen[i] = true;
  }
  return true;
}

}  // namespace

Result<ojson> ParseDevice(std::string_view spec) {
  // validateLinuxPath first.
  if (std::count(spec.begin(), spec.end(), ':') > 2)
    return Error::Invalid(fmt::format("bad format for path: {}", spec));
  auto split = str::Split(spec, ':');
  if (split[0].empty()) return Error::Invalid(fmt::format("bad format for path: {}", spec));
  std::string container_path;
  std::string val(spec);
  if (split.size() == 1) {
    container_path = split[0];
    val = fs::Clean(container_path);
  } else if (split.size() == 2) {
    if (ValidDeviceMode(split[1])) {
      container_path = split[0];
      val = fs::Clean(container_path) + ":" + split[1];
    } else {
      container_path = split[1];
      val = split[0] + ":" + fs::Clean(container_path);
    }
  } else {
    container_path = split[1];
    if (!ValidDeviceMode(split[2])) return Error::Invalid(fmt::format("bad mode specified: {}", split[2]));
  }
  if (container_path.empty() || container_path[0] != '/')
    return Error::Invalid(fmt::format("{} is not an absolute path", container_path));
  // parseLinuxDevice on the validated value.
  auto arr = str::Split(val, ':');
  std::string src = arr[0], dst, perms = "rwm";
  if (arr.size() == 3) perms = arr[2];
  if (arr.size() >= 2) {
    if (ValidDeviceMode(arr[1])) perms = arr[1];
    else dst = arr[1];
  }
  if (dst.empty()) dst = src;
  return ojson{{"PathOnHost", src}, {"PathInContainer", dst}, {"CgroupPermissions", perms}};
}

bool VolumeHasSource(std::string_view spec) {
  // loader.ParseVolume (Linux): "src:dst[:mode]" has a source; "dst" alone
  // is an anonymous volume.
  return spec.find(':') != std::string_view::npos;
}

Result<std::vector<std::string>> ReadKvFile(const std::string& path, const EnvLookup& env) {
  std::ifstream f(path);
  if (!f) return Error::Invalid(fmt::format("open {}: {}", path, GoErrno(errno)));
  std::vector<std::string> out;
  std::string raw;
  bool first = true;
  while (std::getline(f, raw)) {
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    if (first && raw.rfind("\xef\xbb\xbf", 0) == 0) raw.erase(0, 3);
    first = false;
    std::string_view line = TrimLeftSpace(raw);
    if (line.empty() || line[0] == '#') continue;
    bool has_eq = false;
    auto [k, v] = str::Cut(line, '=', &has_eq);
    std::string var(TrimLeftSpace(k));
    if (HasWhitespace(var))
      return Error::Invalid(fmt::format("poorly formatted environment: variable '{}' contains whitespaces", var));
    if (var.empty())
      return Error::Invalid(fmt::format("poorly formatted environment: no variable name on line '{}'", line));
    if (has_eq) {
      out.push_back(var + "=" + v);
    } else {
      std::string name(str::Trim(line));
      auto val = env(name);
      if (val) out.push_back(name + "=" + *val);
    }
  }
  return out;
}

Status ValidateEnv(std::string& v, const EnvLookup& env) {
  bool has_eq = false;
  auto [k, val] = str::Cut(v, '=', &has_eq);
  if (k.empty()) return Error::Invalid("invalid environment variable: " + v);
  if (has_eq) return Ok();
  if (auto e = env(v)) v += "=" + *e;
  return Ok();
}

Status ValidateLabel(std::string& v) {
  auto [k, val] = str::Cut(v, '=');
  std::string key(TrimLeftSpace(k));
  if (key.empty()) return Error::Invalid(fmt::format("invalid label '{}': empty name", v));
  if (HasWhitespace(key)) return Error::Invalid(fmt::format("label '{}' contains whitespaces", key));
  return Ok();
}

Status ValidateExtraHost(std::string& v) {
  bool has = false;
  auto [host, ip] = str::Cut(v, ':', &has);
  if (!has || host.empty()) return Error::Invalid(fmt::format("bad format for add-host: \"{}\"", v));
  if (ip == "host-gateway") return Ok();
  if (!ValidIp(str::Trim(ip)))
    return Error::Invalid(fmt::format("invalid IP address in add-host: \"{}\"", ip));
  return Ok();
}

Status ValidateIpAddress(std::string& v) {
  std::string t(str::Trim(v));
  if (!ValidIp(t)) return Error::Invalid(fmt::format("{} is not an ip address", v));
  v = CanonicalIp(t);
  return Ok();
}

Status ValidateDnsSearch(std::string& v) {
  std::string t(str::Trim(v));
  if (t == ".") {
    v = t;
    return Ok();
  }
  auto bad = [&] { return Error::Invalid(fmt::format("{} is not a valid domain", t)); };
  if (t.empty() || t.size() > 255) return bad();
  auto labels = str::Split(t, '.');
  for (size_t i = 0; i < labels.size(); ++i) {
    const auto& l = labels[i];
    bool last = i + 1 == labels.size();
    if (l.empty()) return bad();
    for (char c : l)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return bad();
    if (l.front() == '-' || l.back() == '-') return bad();
    if (last && !std::isalpha(static_cast<unsigned char>(l.front()))) return bad();
  }
  v = t;
  return Ok();
}

Status ValidateSysctl(std::string& v) {
  static const char* kExact[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                                 "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
                                 "kernel.shm_rmid_forced"};
  auto parts = str::Split(v, '=');
  if (parts.size() < 2) return Error::Invalid(fmt::format("sysctl '{}' is not whitelisted", v));
  const std::string& key = parts[0];
  if (std::find(std::begin(kExact), std::end(kExact), key) != std::end(kExact)) return Ok();
  if (str::StartsWith(key, "fs.mqueue.") || str::StartsWith(key, "net.")) return Ok();
  return Error::Invalid(fmt::format("sysctl '{}' is not whitelisted", v));
}

Status ValidateLink(std::string& v) {
  if (v.empty()) return Error::Invalid("empty string specified for links");
  if (str::Split(v, ':').size() > 2) return Error::Invalid(fmt::format("bad format for links: {}", v));
  return Ok();
}

Status ValidateAttach(std::string& v) {
  std::string s = str::ToLower(v);
  if (s == "stdin" || s == "stdout" || s == "stderr") {
    v = s;
    return Ok();
  }
  return Error::Invalid("valid streams are STDIN, STDOUT and STDERR");
}

bool ValidMacAddress(std::string_view s) {
  // net.ParseMAC, the 6-byte forms: xx:xx:xx:xx:xx:xx, xx-…, xxxx.xxxx.xxxx.
  auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  if (s.size() == 17 && (s[2] == ':' || s[2] == '-')) {
    for (size_t i = 0; i < 17; ++i) {
      if (i % 3 == 2) {
        if (s[i] != s[2]) return false;
      } else if (!hex(s[i])) {
        return false;
      }
    }
    return true;
  }
  if (s.size() == 14 && s[4] == '.' && s[9] == '.') {
    for (size_t i = 0; i < 14; ++i)
      if (i != 4 && i != 9 && !hex(s[i])) return false;
    return true;
  }
  return false;
}

Result<ojson> ParseRestartPolicy(std::string_view s) {
  ojson p = {{"Name", ""}, {"MaximumRetryCount", 0}};
  if (s.empty()) return p;
  auto parts = str::Split(s, ':');
  if (parts.size() > 2) return Error::Invalid("invalid restart policy format");
  if (parts.size() == 2) {
    auto n = ParseInt64(parts[1]);
    if (!n) return Error::Invalid("maximum retry count must be an integer");
    p["MaximumRetryCount"] = *n;
  }
  p["Name"] = parts[0];
  return p;
}

Result<std::string> CompactJson(std::string_view text) {
  if (!nlohmann::json::accept(text)) return Error::Invalid("invalid character in JSON");
  std::string out;
  bool in_str = false, esc = false;
  for (char c : text) {
    if (in_str) {
      out.push_back(c);
      if (esc) esc = false;
      else if (c == '\\') esc = true;
      else if (c == '"') in_str = false;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (c == '"') in_str = true;
    out.push_back(c);
  }
  return out;
}

Result<std::vector<std::string>> ParseSecurityOpts(const std::vector<std::string>& opts,
                                                   bool* unconfined_paths) {
  std::vector<std::string> out;
  *unconfined_paths = false;
  for (const auto& opt : opts) {
    if (opt == "systempaths=unconfined") {
      *unconfined_paths = true;
      continue;
    }
    bool has_eq = false;
    auto [key, value] = str::Cut(opt, '=', &has_eq);
    if (!has_eq && opt != "no-new-privileges") {
      bool has_colon = false;
      std::tie(key, value) = str::Cut(opt, ':', &has_colon);
      if (!has_colon) return Error::Invalid(fmt::format("Invalid --security-opt: \"{}\"", opt));
    }
    if (key == "seccomp" && value != "unconfined") {
      std::ifstream f(value, std::ios::binary);
      if (!f)
        return Error::Invalid(fmt::format("opening seccomp profile ({}) failed: open {}: {}", value,
                                          value, GoErrno(errno)));
      std::stringstream ss;
      ss << f.rdbuf();
      auto compact = CompactJson(ss.str());
      if (!compact.ok())
        return Error::Invalid(fmt::format("compacting json for seccomp profile ({}) failed: {}", value,
                                          compact.error().message()));
      out.push_back("seccomp=" + *compact);
      continue;
    }
    out.push_back(opt);
  }
  return out;
}

}  // namespace berth::cli
