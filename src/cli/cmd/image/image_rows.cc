#include "cli/cmd/image/image_rows.h"

#include <vector>

#include "base/reference.h"
#include "base/strings.h"
#include "cli/units.h"

namespace berth::cli {
namespace {

int64_t Int(const client::json& j, const char* key, int64_t def = 0) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<int64_t>() : def;
}

std::string Str(const client::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> StrList(const client::json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& e : *it)
    if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

std::string SizeOrNA(int64_t v) { return v == -1 ? "N/A" : HumanSizeWithPrecision(static_cast<double>(v), 3); }

tmpl::Value ImageRow(const client::json& img, bool trunc, int64_t now, const std::string& repo,
                     const std::string& tag, const std::string& digest) {
  tmpl::Value r = tmpl::Value::object();
  int64_t created = Int(img, "Created");
  int64_t containers = Int(img, "Containers", -1);
  r["Containers"] = containers == -1 ? std::string("N/A") : std::to_string(containers);
  r["CreatedAt"] = GoTimeString(created);
  r["CreatedSince"] = Since(created, now);
  r["Digest"] = digest;
  std::string id = Str(img, "Id");
  r["ID"] = trunc ? TruncateID(id) : id;
  r["Repository"] = repo;
  r["SharedSize"] = SizeOrNA(Int(img, "SharedSize", -1));
  r["Size"] = HumanSizeWithPrecision(static_cast<double>(Int(img, "Size")), 3);
  r["Tag"] = tag;
  int64_t size = Int(img, "Size"), shared = Int(img, "SharedSize", -1);
  r["UniqueSize"] = shared == -1 ? std::string("N/A") : HumanSizeWithPrecision(static_cast<double>(size - shared), 3);
  r["VirtualSize"] = HumanSizeWithPrecision(static_cast<double>(Int(img, "VirtualSize", size)), 3);
  return r;
}

// Ordered map: repository → values, in first-seen order.
using Groups = std::vector<std::pair<std::string, std::vector<std::string>>>;
std::vector<std::string>& Group(Groups& g, const std::string& key) {
  for (auto& [k, v] : g)
    if (k == key) return v;
  g.emplace_back(key, std::vector<std::string>{});
  return g.back().second;
}

}  // namespace

Rows ImageRows(const client::json& images, bool trunc, bool digests, int64_t now) {
  Rows rows;
  rows.type_name = "*formatter.imageContext";
  rows.header = {{"Containers", "CONTAINERS"}, {"CreatedAt", "CREATED AT"},
                 {"CreatedSince", "CREATED"},  {"Digest", "DIGEST"},
                 {"ID", "IMAGE ID"},           {"Repository", "REPOSITORY"},
                 {"SharedSize", "SHARED SIZE"}, {"Size", "SIZE"},
                 {"Tag", "TAG"},               {"UniqueSize", "UNIQUE SIZE"},
                 {"VirtualSize", "VIRTUAL SIZE"}};
  if (!images.is_array()) return rows;
  for (const auto& img : images) {
    auto tags = StrList(img, "RepoTags");
    auto dgsts = StrList(img, "RepoDigests");
    bool dangling = (tags.empty() || (tags.size() == 1 && tags[0] == "<none>:<none>")) &&
                    (dgsts.empty() || (dgsts.size() == 1 && dgsts[0] == "<none>@<none>"));
    if (dangling) {
      rows.rows.push_back(ImageRow(img, trunc, now, "<none>", "<none>", "<none>"));
      continue;
    }
    Groups repo_tags, repo_digests;
    for (const auto& t : tags) {
      auto r = ref::ParseNormalized(t);
      if (!r.ok() || r->tag.empty()) continue;
      Group(repo_tags, r->FamiliarName()).push_back(r->tag);
    }
    for (const auto& d : dgsts) {
      auto r = ref::ParseNormalized(d);
      if (!r.ok() || r->digest.empty()) continue;
      Group(repo_digests, r->FamiliarName()).push_back(r->digest.str());
    }
    for (const auto& [repo, rtags] : repo_tags) {
      std::vector<std::string> ds;
      for (auto it = repo_digests.begin(); it != repo_digests.end(); ++it) {
        if (it->first == repo) {
          ds = it->second;
          repo_digests.erase(it);
          break;
        }
      }
      if (!digests) ds.clear();
      for (const auto& tag : rtags) {
        if (ds.empty()) {
          rows.rows.push_back(ImageRow(img, trunc, now, repo, tag, "<none>"));
          continue;
        }
        for (const auto& d : ds) rows.rows.push_back(ImageRow(img, trunc, now, repo, tag, d));
      }
    }
    for (const auto& [repo, ds] : repo_digests) {
      if (digests) {
        for (const auto& d : ds) rows.rows.push_back(ImageRow(img, trunc, now, repo, "<none>", d));
      } else {
        rows.rows.push_back(ImageRow(img, trunc, now, repo, "<none>", ""));
      }
    }
  }
  return rows;
}

Rows HistoryRows(const client::json& history, bool trunc, bool human, int64_t now) {
  Rows rows;
  rows.type_name = "*formatter.historyContext";
  rows.header = {{"Comment", "COMMENT"},     {"CreatedAt", "CREATED AT"}, {"CreatedBy", "CREATED BY"},
                 {"CreatedSince", "CREATED"}, {"ID", "IMAGE"},            {"Size", "SIZE"}};
  if (!history.is_array()) return rows;
  for (const auto& h : history) {
    tmpl::Value r = tmpl::Value::object();
    int64_t created = Int(h, "Created");
    std::string by = Str(h, "CreatedBy");
    for (char& c : by)
      if (c == '\t') c = ' ';
    r["Comment"] = Str(h, "Comment");
    r["CreatedAt"] = Rfc3339(created);
    r["CreatedBy"] = trunc ? Ellipsis(by, 45) : by;
    r["CreatedSince"] = human ? Since(created, now) : Rfc3339(created);
    std::string id = Str(h, "Id");
    r["ID"] = id == "<missing>" ? id : trunc ? TruncateID(id) : id;
    int64_t size = Int(h, "Size");
    r["Size"] = human ? HumanSizeWithPrecision(static_cast<double>(size), 3) : std::to_string(size);
    rows.rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace berth::cli
