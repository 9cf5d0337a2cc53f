#include "distribution/metadata.h"

#include <nlohmann/json.hpp>

#include "base/fs.h"
#include "base/log.h"

namespace berth::distribution {

using nlohmann::json;

Metadata::Metadata(std::string path) : path_(std::move(path)) {
  auto text = fs::ReadFile(path_);
  if (!text.ok()) return;
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_array()) {
    log::Warn("distribution: ignoring corrupt {}", path_);
    return;
  }
  for (const json& e : j) {
    auto diff = Digest::Parse(e.value("diff_id", ""));
    auto dig = Digest::Parse(e.value("digest", ""));
    if (!diff.ok() || !dig.ok()) continue;
    entries_.push_back({*diff, *dig, e.value("size", int64_t{0}), e.value("media_type", ""),
                        e.value("registry", ""), e.value("repo", "")});
  }
}

std::vector<BlobSource> Metadata::For(const Digest& diff_id) {
  std::lock_guard lock(mu_);
  std::vector<BlobSource> out;
  for (const auto& e : entries_)
    if (e.diff_id == diff_id) out.push_back(e);
  return out;
}

void Metadata::Add(const BlobSource& s) {
  std::lock_guard lock(mu_);
  for (const auto& e : entries_)
    if (e == s) return;
  entries_.push_back(s);
  SaveLocked();
}

void Metadata::SaveLocked() {
  json j = json::array();
  for (const auto& e : entries_)
    j.push_back({{"diff_id", e.diff_id.str()},
                 {"digest", e.digest.str()},
                 {"size", e.size},
                 {"media_type", e.media_type},
                 {"registry", e.registry},
                 {"repo", e.repo}});
  if (auto s = fs::AtomicWrite(path_, j.dump()); !s.ok())
    log::Warn("distribution: write {}: {}", path_, s.error().message());
}

}  // namespace berth::distribution
