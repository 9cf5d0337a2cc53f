// Docker's search (/v1/search) and repository settings of Registry.
#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "registry/names.h"
#include "registry/registry.h"

namespace berth::registry {
namespace {

constexpr size_t kMaxDescription = 4096;

nlohmann::json SettingsJson(const std::string& repo, const RepoMeta& m) {
  return {{"name", repo}, {"owner", m.owner}, {"private", m.is_private}, {"description", m.description}};
}

}  // namespace

Status Registry::Search(Ctx& c) {
  if (c.req.method != "GET") return Fail(c, Unsupported());
  std::string q = str::ToLower(c.req.query.Get("q"));
  auto n = c.req.query.Int("n", 25);
  auto page = c.req.query.Int("page", 1);
  if (!n.ok() || !page.ok() || *n < 1 || *page < 1)
    return c.w.SendError(400, "invalid n or page parameter");
  int64_t size = std::min<int64_t>(*n, 100);
  Identity plain = c.who;
  plain.bearer = false;
  std::vector<std::string> hits;
  for (const std::string& repo : BERTH_TRY(storage_->Repositories())) {
    if (!policy_.CanSee(plain, repo)) continue;
    RepoMeta m = storage_->Meta(repo);
    if (q.empty() || repo.find(q) != std::string::npos ||
        str::ToLower(m.description).find(q) != std::string::npos)
      hits.push_back(repo);
  }
  int64_t total = static_cast<int64_t>(hits.size());
  int64_t pages = (total + size - 1) / size;
  nlohmann::json results = nlohmann::json::array();
  for (int64_t i = (*page - 1) * size; i < std::min(total, *page * size); ++i) {
    const std::string& repo = hits[static_cast<size_t>(i)];
    results.push_back({{"name", repo},
                       {"description", storage_->Meta(repo).description},
                       {"star_count", 0},
                       {"is_official", false},
                       {"is_automated", false},
                       {"is_trusted", false}});
  }
  nlohmann::json body = {{"num_pages", pages},   {"num_results", total}, {"page", *page},
                         {"page_size", size},    {"query", c.req.query.Get("q")},
                         {"results", results}};
  return c.w.Send(200, body.dump() + "\n", "application/json");
}

Status Registry::Settings(Ctx& c, const std::string& repo) {
  if (!ValidRepoName(repo)) return Fail(c, NameInvalid(repo));
  bool get = c.req.method == "GET" || c.req.method == "HEAD";
  if (!get && c.req.method != "PUT" && c.req.method != "PATCH") return Fail(c, Unsupported());
  if (!Authorize(c, repo, get ? Action::kPull : Action::kSettings)) return Ok();
  if (!storage_->RepoExists(repo)) return Fail(c, NameUnknown(repo));
  RepoMeta m = storage_->Meta(repo);
  if (!get) {
    auto body = c.req.ReadBody(64u << 10);
    if (!body.ok()) return c.w.SendError(400, body.error().message());
    auto j = nlohmann::json::parse(*body, nullptr, false);
    if (!j.is_object()) return c.w.SendError(400, "body must be a JSON object");
    for (const auto& [k, v] : j.items()) {
      if (k == "description" && v.is_string()) {
        if (v.get<std::string>().size() > kMaxDescription)
          return c.w.SendError(400, "description longer than 4096 bytes");
        m.description = v.get<std::string>();
      } else if (k == "private" && v.is_boolean()) {
        m.is_private = v.get<bool>();
      } else {
        return c.w.SendError(400, "unknown or mistyped field \"" + k + "\" (description: string, private: bool)");
      }
    }
    BERTH_TRY(storage_->SetMeta(repo, m));
  }
  return c.w.Send(200, SettingsJson(repo, m).dump() + "\n", "application/json");
}

}  // namespace berth::registry
