#include "registry/names.h"

#include <vector>

#include "base/reference.h"

namespace berth::registry {
namespace {

std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t slash = s.find('/', start);
    out.push_back(s.substr(start, slash == s.npos ? s.npos : slash - start));
    if (slash == s.npos) return out;
    start = slash + 1;
  }
}

std::string Join(const std::vector<std::string_view>& segs, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i) out += '/';
    out += segs[i];
  }
  return out;
}

}  // namespace

bool ValidRepoName(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  for (std::string_view c : Split(name))
    if (!ref::ValidPathComponent(c)) return false;
  return true;
}

V2Route ParseV2Path(std::string_view path) {
  using K = V2Route::Kind;
  V2Route r;
  if (path == "/v2" || path == "/v2/") {
    r.kind = K::kPing;
    return r;
  }
  if (path.substr(0, 4) != "/v2/") return r;
  std::string_view rest = path.substr(4);
  if (rest == "_catalog") {
    r.kind = K::kCatalog;
    return r;
  }
  bool trailing = !rest.empty() && rest.back() == '/';
  if (trailing) rest.remove_suffix(1);
  std::vector<std::string_view> s = Split(rest);
  size_t n = s.size();
  if (n >= 3 && s[n - 2] == "blobs" && s[n - 1] == "uploads") {
    r.kind = K::kUploads;
    r.name = Join(s, n - 2);
  } else if (trailing) {
    return r;
  } else if (n >= 4 && s[n - 3] == "blobs" && s[n - 2] == "uploads") {
    r.kind = K::kUpload;
    r.name = Join(s, n - 3);
    r.ref = s[n - 1];
  } else if (n >= 3 && s[n - 2] == "tags" && s[n - 1] == "list") {
    r.kind = K::kTags;
    r.name = Join(s, n - 2);
  } else if (n >= 3 && s[n - 2] == "manifests") {
    r.kind = K::kManifest;
  } else if (n >= 3 && s[n - 2] == "blobs") {
    r.kind = K::kBlob;
  } else if (n >= 3 && s[n - 2] == "referrers") {
    r.kind = K::kReferrers;
  } else {
    return r;
  }
  if (r.kind == K::kManifest || r.kind == K::kBlob || r.kind == K::kReferrers) {
    r.name = Join(s, n - 2);
    r.ref = s[n - 1];
  }
  if (r.ref.empty() && r.kind != K::kUploads && r.kind != K::kTags) r.kind = K::kNone;
  return r;
}

}  // namespace berth::registry
