#include "http/router.h"

#include "base/strings.h"

namespace berth::http {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

// Segments of a path without the leading '/': "/a/b" -> {"a", "b"}.
std::vector<std::string> Segments(std::string_view path) {
  if (str::StartsWith(path, "/")) path.remove_prefix(1);
  return str::Split(path, '/');
}

bool IsParam(const std::string& seg) {
  return seg.size() >= 2 && seg.front() == '{' && seg.back() == '}';
}

// "{name}" -> name; greedy for "{name:.*}".
std::string ParamName(const std::string& seg, bool* greedy) {
  std::string inner = seg.substr(1, seg.size() - 2);
  auto [name, re] = str::Cut(inner, ':');
  *greedy = re == ".*" || re == ".+";
  return name;
}

// Matches pattern[pi..] against path[si..]; a greedy parameter takes as many
// segments as it can while the rest still matches.
bool MatchFrom(const std::vector<std::string>& pattern, size_t pi,
               const std::vector<std::string>& path, size_t si, Params* params) {
  if (pi == pattern.size()) return si == path.size();
  if (si == path.size()) return false;
  const std::string& seg = pattern[pi];
  if (!IsParam(seg)) {
    return seg == path[si] && MatchFrom(pattern, pi + 1, path, si + 1, params);
  }
  bool greedy = false;
  std::string name = ParamName(seg, &greedy);
  if (!greedy) {
    if (path[si].empty()) return false;
    size_t mark = params->size();
    params->emplace_back(name, path[si]);
    if (MatchFrom(pattern, pi + 1, path, si + 1, params)) return true;
    params->resize(mark);
    return false;
  }
  size_t rest = pattern.size() - pi - 1;  // segments the tail needs at least
  if (path.size() < si + 1 + rest) return false;
  for (size_t end = path.size() - rest; end > si; --end) {
    std::string value = path[si];
    for (size_t k = si + 1; k < end; ++k) value += "/" + path[k];
    if (value.empty()) continue;
    size_t mark = params->size();
    params->emplace_back(name, std::move(value));
    if (MatchFrom(pattern, pi + 1, path, end, params)) return true;
    params->resize(mark);
  }
  return false;
}

bool ValidVersion(std::string_view v) {
  if (v.empty() || v.front() == '.' || v.back() == '.') return false;
  for (char c : v)
    if (!(c == '.' || (c >= '0' && c <= '9'))) return false;
  return true;
}

}  // namespace

int CompareVersions(std::string_view a, std::string_view b) {
  std::vector<std::string> pa = str::Split(a, '.'), pb = str::Split(b, '.');
  for (size_t i = 0; i < std::max(pa.size(), pb.size()); ++i) {
    int64_t x = i < pa.size() ? str::ParseInt(pa[i]).value_or(0) : 0;
    int64_t y = i < pb.size() ? str::ParseInt(pb[i]).value_or(0) : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

bool SplitVersion(std::string_view path, std::string* version, std::string* rest) {
  if (str::StartsWith(path, "/v")) {
    size_t slash = path.find('/', 2);
    std::string_view v = path.substr(2, slash == std::string_view::npos ? path.npos : slash - 2);
    if (ValidVersion(v)) {
      *version = std::string(v);
      *rest = slash == std::string_view::npos ? "/" : std::string(path.substr(slash));
      return true;
    }
  }
  version->clear();
  *rest = std::string(path);
  return false;
}

void Router::Add(std::string_view method, std::string_view pattern, Handler handler) {
  routes_.push_back(Route{std::string(method), Segments(pattern), std::move(handler)});
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match m;
  std::vector<std::string> segs = Segments(path);
  for (const Route& r : routes_) {
    Params params;
    if (!MatchFrom(r.segments, 0, segs, 0, &params)) continue;
    if (r.method == method) {
      m.kind = MatchKind::kFound;
      m.handler = &r.handler;
      m.params = std::move(params);
      return m;
    }
    m.kind = MatchKind::kNoMethod;
    if (m.allow.find(r.method) == std::string::npos)
      m.allow += (m.allow.empty() ? "" : ", ") + r.method;
  }
  return m;
}

Status Router::Serve(Request& req, ResponseWriter& w) const {
  std::string version, rest;
  if (SplitVersion(req.path, &version, &rest)) {
    if (CompareVersions(version, options_.max_version) > 0)
      return w.SendError(400, "client version " + version +
                                  " is too new. Maximum supported API version is " +
                                  options_.max_version);
    if (CompareVersions(version, options_.min_version) < 0)
      return w.SendError(400, "client version " + version +
                                  " is too old. Minimum supported API version is " +
                                  options_.min_version +
                                  ", please upgrade your client to a newer version");
    req.api_version = version;
  } else {
    req.api_version = options_.default_version;
  }
  req.path = std::move(rest);
  Match m = Find(req.method, req.path);
  switch (m.kind) {
    case MatchKind::kNoPath:
      return w.SendError(404, "page not found");
    case MatchKind::kNoMethod:
      w.headers().Set("Allow", m.allow);
      return w.SendError(405, "method not allowed");
    case MatchKind::kFound:
      break;
  }
  req.params = std::move(m.params);
  return (*m.handler)(req, w);
}

Handler Router::AsHandler() const {
  return [this](Request& req, ResponseWriter& w) { return Serve(req, w); };
}

}  // namespace berth::http
