#include "cli/cmd/container/ps_rows.h"

#include <algorithm>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "base/reference.h"
#include "base/strings.h"
#include "cli/tabwriter.h"
#include "cli/template.h"
#include "cli/units.h"

namespace berth::cli {
namespace {

int64_t Int(const client::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<int64_t>() : 0;
}

std::string Str(const client::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

struct Port {
  std::string ip, type;
  int64_t priv = 0, pub = 0;
};

std::string FormGroup(const std::string& key, int64_t first, int64_t last) {
  auto slash = key.rfind('/');
  std::string ip = slash == std::string::npos ? "" : key.substr(0, slash);
  std::string type = slash == std::string::npos ? key : key.substr(slash + 1);
  std::string group = std::to_string(first);
  if (first != last) group += "-" + std::to_string(last);
  if (!ip.empty()) group = ip + ":" + group + "->" + group;
  return group + "/" + type;
}

std::string JoinHostPort(const std::string& host, int64_t port) {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

}  // namespace

std::string DisplayablePorts(const client::json& ports) {
  if (!ports.is_array()) return "";
  std::vector<Port> ps;
  for (const auto& p : ports)
    ps.push_back({Str(p, "IP"), Str(p, "Type"), Int(p, "PrivatePort"), Int(p, "PublicPort")});
  std::stable_sort(ps.begin(), ps.end(), [](const Port& a, const Port& b) {
    if (a.priv != b.priv) return a.priv < b.priv;
    if (a.ip != b.ip) return a.ip < b.ip;
    if (a.pub != b.pub) return a.pub < b.pub;
    return a.type < b.type;
  });
  struct Group {
    int64_t first, last;
  };
  std::map<std::string, Group> groups;
  std::vector<std::string> order, result, host_mappings;
  for (const auto& p : ps) {
    std::string key = p.type;
    if (!p.ip.empty()) {
      if (p.pub != p.priv) {
        host_mappings.push_back(fmt::format("{}->{}/{}", JoinHostPort(p.ip, p.pub), p.priv, p.type));
        continue;
      }
      key = p.ip + "/" + p.type;
    }
    auto it = groups.find(key);
    if (it == groups.end()) {
      groups[key] = {p.priv, p.priv};
      order.push_back(key);
      continue;
    }
    if (p.priv == it->second.last + 1) {
      it->second.last = p.priv;
      continue;
    }
    result.push_back(FormGroup(key, it->second.first, it->second.last));
    it->second = {p.priv, p.priv};
  }
  for (const auto& key : order) result.push_back(FormGroup(key, groups[key].first, groups[key].last));
  result.insert(result.end(), host_mappings.begin(), host_mappings.end());
  return str::Join(result, ", ");
}

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\a': out += "\\a"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\v': out += "\\v"; break;
        default:
          if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
          else out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    bool valid = len != 0 && i + len <= s.size();
    for (size_t k = 1; valid && k < len; ++k)
      valid = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (!valid) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    out.append(s.substr(i, len));
    i += len;
  }
  return out + "\"";
}

std::string PsCommand(const std::string& command, bool trunc) {
  return GoQuote(trunc ? Ellipsis(command, 20) : command);
}

std::string PsImage(const std::string& image, const std::string& image_id, bool trunc) {
  if (image.empty()) return "<no image>";
  if (!trunc) return image;
  if (TruncateID(image_id) == TruncateID(image)) return TruncateID(image);
  auto r = ref::ParseNormalized(image);
  if (!r.ok()) return image;
  ref::Reference named = *r;
  named.digest = Digest();
  return named.Familiar();
}

std::string PsNames(const client::json& names, bool trunc) {
  std::vector<std::string> out;
  if (!names.is_array()) return "";
  for (const auto& n : names) {
    if (!n.is_string()) continue;
    std::string s = n.get<std::string>();
    if (!s.empty() && s[0] == '/') s.erase(0, 1);
    if (trunc && s.find('/') == std::string::npos) return s;
    out.push_back(s);
  }
  return trunc ? std::string() : str::Join(out, ",");
}

std::string PsSize(int64_t size_rw, int64_t size_root_fs) {
  std::string rw = HumanSizeWithPrecision(static_cast<double>(size_rw), 3);
  if (size_root_fs <= 0) return rw;
  return fmt::format("{} (virtual {})", rw, HumanSizeWithPrecision(static_cast<double>(size_root_fs), 3));
}

namespace {

tmpl::Value ContainerRow(const client::json& c, bool trunc, int64_t now) {
  tmpl::Value r = tmpl::Value::object();
  int64_t created = Int(c, "Created");
  r["Command"] = PsCommand(Str(c, "Command"), trunc);
  r["CreatedAt"] = GoTimeString(created);
  std::string id = Str(c, "Id");
  r["ID"] = trunc ? TruncateID(id) : id;
  r["Image"] = PsImage(Str(c, "Image"), Str(c, "ImageID"), trunc);
  std::vector<std::string> labels;
  if (auto it = c.find("Labels"); it != c.end() && it->is_object())
    for (auto& [k, v] : it->items()) labels.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : ""));
  std::sort(labels.begin(), labels.end());
  r["Labels"] = str::Join(labels, ",");
  int64_t local = 0;
  std::vector<std::string> mounts;
  if (auto it = c.find("Mounts"); it != c.end() && it->is_array()) {
    for (const auto& m : *it) {
      std::string name = Str(m, "Name");
      if (name.empty()) name = Str(m, "Source");
      if (trunc) name = Ellipsis(name, 15);
      mounts.push_back(name);
      if (Str(m, "Driver") == "local") ++local;
    }
  }
  r["LocalVolumes"] = std::to_string(local);
  r["Mounts"] = str::Join(mounts, ",");
  r["Names"] = PsNames(c.value("Names", client::json::array()), trunc);
  std::vector<std::string> nets;
  if (auto ns = c.find("NetworkSettings"); ns != c.end() && ns->is_object())
    if (auto n = ns->find("Networks"); n != ns->end() && n->is_object())
      for (auto& [k, v] : n->items()) nets.push_back(k);
  std::sort(nets.begin(), nets.end());
  r["Networks"] = str::Join(nets, ",");
  r["Ports"] = DisplayablePorts(c.value("Ports", client::json::array()));
  r["RunningFor"] = Since(created, now);
  r["Size"] = PsSize(Int(c, "SizeRw"), Int(c, "SizeRootFs"));
  r["State"] = Str(c, "State");
  r["Status"] = Str(c, "Status");
  return r;
}

// Rewrites `.Label "k"` (not .Labels) to `label "k"`.
std::string RewriteLabel(const std::string& f) {
  std::string out;
  for (size_t i = 0; i < f.size();) {
    if (f.compare(i, 6, ".Label") == 0 && (i == 0 || !std::isalnum(static_cast<unsigned char>(f[i - 1]))) &&
        i + 6 < f.size() && (f[i + 6] == ' ' || f[i + 6] == '\t')) {
      out += "label";
      i += 6;
      continue;
    }
    out += f[i++];
  }
  return out;
}

}  // namespace

ContainerRowSet ContainerRows(const client::json& containers, bool trunc, int64_t now) {
  ContainerRowSet set;
  Rows& rows = set.rows;
  rows.type_name = "*formatter.ContainerContext";
  rows.header = {{"Command", "COMMAND"},   {"CreatedAt", "CREATED AT"}, {"ID", "CONTAINER ID"},
                 {"Image", "IMAGE"},       {"Labels", "LABELS"},        {"LocalVolumes", "LOCAL VOLUMES"},
                 {"Mounts", "MOUNTS"},     {"Names", "NAMES"},          {"Networks", "NETWORKS"},
                 {"Ports", "PORTS"},       {"RunningFor", "CREATED"},   {"Size", "SIZE"},
                 {"State", "STATE"},       {"Status", "STATUS"}};
  if (!containers.is_array()) return set;
  for (const auto& c : containers) {
    tmpl::Value row = ContainerRow(c, trunc, now);
    tmpl::Value labels = tmpl::Value::object();
    if (auto it = c.find("Labels"); it != c.end() && it->is_object())
      for (auto& [k, v] : it->items()) labels[k] = v;
    rows.rows.push_back(std::move(row));
    set.labels.push_back(std::move(labels));
  }
  return set;
}

Result<std::string> RenderContainers(const std::string& format, const ContainerRowSet& set) {
  const Rows& rows = set.rows;
  const tmpl::Value* current = nullptr;
  tmpl::FuncMap funcs;
  funcs["label"] = [&current](const std::vector<tmpl::Value>& a) -> Result<tmpl::Value> {
    if (a.empty() || !a[0].is_string() || current == nullptr) return tmpl::Value("");
    auto it = current->find(a[0].get<std::string>());
    return it != current->end() && it->is_string() ? *it : tmpl::Value("");
  };
  // As docker: the format is checked first on an empty container.
  {
    auto check = tmpl::Template::Parse(RewriteLabel(format), funcs);
    if (!check.ok()) return Error::Invalid("failed to parse template: " + check.error().message());
    check->set_strict_type(rows.type_name);
    tmpl::Value empty = tmpl::Value::object();
    for (auto& [k, v] : rows.header.items()) empty[k] = "";
    std::string discard;
    Status st = check->Execute(empty, &discard);
    if (!st.ok()) return Error::Invalid("failed to execute template: " + st.error().message());
  }
  bool table = IsTableFormat(format);
  std::string f = format == "json" ? "{{json .}}" : format;
  if (table) f = f.substr(5);
  f = std::string(str::Trim(f));
  auto replace = [](std::string s, std::string_view from, std::string_view to) {
    for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
    return s;
  };
  f = RewriteLabel(replace(replace(f, "\\t", "\t"), "\\n", "\n"));
  auto t = tmpl::Template::Parse(f, funcs);
  if (!t.ok()) return Error::Invalid("failed to parse template: " + t.error().message());
  t->set_strict_type(rows.type_name);
  std::string out;
  for (size_t i = 0; i < rows.rows.size(); ++i) {
    current = i < set.labels.size() ? &set.labels[i] : nullptr;
    Status st = t->Execute(rows.rows[i], &out);
    if (!st.ok()) return Error::Invalid("failed to execute template: " + st.error().message());
    out += '\n';
  }
  if (!table) return out;
  tmpl::FuncMap hf = tmpl::HeaderFuncs();
  // As docker's header context: .Label "x" titles its column "x".
  hf["label"] = [](const std::vector<tmpl::Value>& a) -> Result<tmpl::Value> {
    return a.empty() ? tmpl::Value("") : a[0];
  };
  auto h = tmpl::Template::Parse(f, hf);
  std::string header;
  if (h.ok()) (void)h->Execute(rows.header, &header);
  return Table(header + "\n" + out);
}

}  // namespace berth::cli
