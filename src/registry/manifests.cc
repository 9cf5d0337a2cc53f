// Manifest, tag and referrer endpoints of Registry.
#include <nlohmann/json.hpp>

#include "base/reference.h"
#include "base/strings.h"
#include "image/manifest.h"
#include "registry/names.h"
#include "registry/registry.h"

namespace berth::registry {
namespace {

namespace media = image::media;
constexpr size_t kMaxManifest = 4u << 20;

bool KnownManifestType(std::string_view t) {
  return t == media::kOciManifest || t == media::kOciIndex || t == media::kDockerManifest ||
         t == media::kDockerManifestList;
}

// The media types an Accept header list names (parameters dropped); a "*/*"
// or "application/*" entry makes *any true.
std::vector<std::string> AcceptedTypes(const http::Headers& h, bool* any) {
  std::vector<std::string> out;
  *any = false;
  for (const auto& [k, v] : h.fields()) {
    if (str::ToLower(k) != "accept") continue;
    for (const std::string& part : str::Split(v, ',')) {
      std::string_view t = str::Trim(std::string_view(part).substr(0, part.find(';')));
      if (t == "*/*" || t == "application/*") *any = true;
      if (!t.empty()) out.emplace_back(t);
    }
  }
  return out;
}

}  // namespace

Status Registry::GetManifest(Ctx& c, const std::string& repo, const std::string& ref) {
  bool by_digest = ref.find(':') != std::string::npos;
  if (!by_digest && !ref::ValidTag(ref)) return Fail(c, ManifestUnknown("invalid tag \"" + ref + "\""));
  Digest d;
  if (by_digest) {
    auto p = Digest::Parse(ref);
    if (!p.ok()) return Fail(c, DigestInvalid(p.error().message()));
    d = *p;
  }
  if (!Authorize(c, repo, Action::kPull)) return Ok();
  if (!storage_->RepoExists(repo)) return Fail(c, NameUnknown(repo));
  if (!by_digest) {
    auto t = storage_->ResolveTag(repo, ref);
    if (!t.ok()) return Fail(c, ManifestUnknown("unknown tag " + ref));
    d = *t;
  }
  auto m = storage_->GetManifest(repo, d);
  if (!m.ok()) return Fail(c, ManifestUnknown(d.str()));
  bool any = false;
  std::vector<std::string> accepted = AcceptedTypes(c.req.headers, &any);
  if (!accepted.empty() && !any &&
      std::find(accepted.begin(), accepted.end(), m->media_type) == accepted.end())
    return Fail(c, ManifestUnknown("manifest is " + m->media_type + ", not among the accepted types"));
  c.w.headers().Set("Docker-Content-Digest", d.str());
  c.w.headers().Set("ETag", "\"" + d.str() + "\"");
  return c.w.Send(200, m->content, m->media_type);
}

Status Registry::PutManifest(Ctx& c, const std::string& repo, const std::string& ref) {
  bool by_digest = ref.find(':') != std::string::npos;
  Digest want;
  if (by_digest) {
    auto p = Digest::Parse(ref);
    if (!p.ok()) return Fail(c, DigestInvalid(p.error().message()));
    want = *p;
  } else if (!ref::ValidTag(ref)) {
    return Fail(c, ApiError{"TAG_INVALID", 400, "manifest tag did not match URI", ref});
  }
  if (!Authorize(c, repo, Action::kPush)) return Ok();
  auto body = c.req.ReadBody(kMaxManifest);
  if (!body.ok()) return Fail(c, ApiError{"SIZE_INVALID", 413, "manifest too large", body.error().message()});
  std::string ct(c.req.headers.Get("Content-Type").value_or(""));
  ct = std::string(str::Trim(std::string_view(ct).substr(0, ct.find(';'))));
  auto j = nlohmann::json::parse(*body, nullptr, false);
  if (!j.is_object()) return Fail(c, ManifestInvalid("not a JSON object"));
  std::string field = j.contains("mediaType") && j["mediaType"].is_string() ? j["mediaType"].get<std::string>() : "";
  if (!field.empty() && KnownManifestType(ct) && field != ct)
    return Fail(c, ManifestInvalid("mediaType " + field + " does not match Content-Type " + ct));
  image::ManifestKind kind = image::DetectKind(*body, KnownManifestType(ct) ? ct : "");
  if (kind == image::ManifestKind::kSchema1) return Fail(c, ManifestInvalid("schema 1 manifests are not supported"));
  if (kind == image::ManifestKind::kUnknown) return Fail(c, ManifestInvalid("unknown manifest type"));

  std::string media_type = KnownManifestType(ct) ? ct : field;
  std::optional<image::Descriptor> subject;
  std::string artifact_type;
  std::map<std::string, std::string> annotations;
  if (kind == image::ManifestKind::kManifest) {
    auto m = image::ParseManifest(*body);
    if (!m.ok()) return Fail(c, ManifestInvalid(m.error().message()));
    if (media_type.empty()) media_type = std::string(media::kOciManifest);
    if (!storage_->HasLayer(repo, m->config.digest))
      return Fail(c, ManifestBlobUnknown(m->config.digest.str()));
    for (const auto& l : m->layers)
      if (l.urls.empty() && !storage_->HasLayer(repo, l.digest))
        return Fail(c, ManifestBlobUnknown(l.digest.str()));
    // Referenced from now on: a gc sweeping concurrently sees them young.
    storage_->TouchBlob(m->config.digest);
    for (const auto& l : m->layers) storage_->TouchBlob(l.digest);
    subject = m->subject;
    artifact_type = m->artifact_type.empty() ? m->config.media_type : m->artifact_type;
    annotations = m->annotations;
  } else {
    auto ix = image::ParseIndex(*body);
    if (!ix.ok()) return Fail(c, ManifestInvalid(ix.error().message()));
    if (media_type.empty()) media_type = std::string(media::kOciIndex);
    for (const auto& e : ix->manifests) {
      if (!storage_->HasManifest(repo, e.digest)) return Fail(c, ManifestBlobUnknown(e.digest.str()));
      storage_->TouchBlob(e.digest);
    }
    subject = ix->subject;
    artifact_type = ix->artifact_type;
    annotations = ix->annotations;
  }
  if (!KnownManifestType(media_type)) return Fail(c, ManifestInvalid("unsupported media type " + media_type));

  Digest d = Sha256Of(*body);
  if (by_digest && d != want) return Fail(c, DigestInvalid("content has digest " + d.str()));
  ClaimRepo(c, repo);
  BERTH_TRY(storage_->PutManifest(repo, d, media_type, *body, by_digest ? "" : ref));
  if (subject) {
    nlohmann::json desc = {{"mediaType", media_type}, {"digest", d.str()}, {"size", body->size()}};
    if (!artifact_type.empty()) desc["artifactType"] = artifact_type;
    if (!annotations.empty()) desc["annotations"] = annotations;
    BERTH_TRY(storage_->AddReferrer(repo, subject->digest, d, desc.dump()));
    c.w.headers().Set("OCI-Subject", subject->digest.str());
  }
  c.w.headers().Set("Location", "/v2/" + repo + "/manifests/" + d.str());
  c.w.headers().Set("Docker-Content-Digest", d.str());
  return c.w.Send(201, "", "");
}

Status Registry::DeleteManifest(Ctx& c, const std::string& repo, const std::string& ref) {
  bool by_digest = ref.find(':') != std::string::npos;
  Digest d;
  if (by_digest) {
    auto p = Digest::Parse(ref);
    if (!p.ok()) return Fail(c, DigestInvalid(p.error().message()));
    d = *p;
  } else if (!ref::ValidTag(ref)) {
    return Fail(c, ManifestUnknown("invalid tag \"" + ref + "\""));
  }
  if (!Authorize(c, repo, Action::kDelete)) return Ok();
  if (!storage_->RepoExists(repo)) return Fail(c, NameUnknown(repo));
  Status st = by_digest ? storage_->DeleteManifest(repo, d) : storage_->DeleteTag(repo, ref);
  if (!st.ok())
    return st.error().code() == Code::kNotFound ? Fail(c, ManifestUnknown(st.error().message())) : st;
  return c.w.Send(202, "", "");
}

Status Registry::ListTags(Ctx& c, const std::string& repo) {
  auto n = c.req.query.Int("n", -1);
  if (!n.ok() || (c.req.query.Has("n") && *n < 0)) return Fail(c, PaginationInvalid());
  if (!Authorize(c, repo, Action::kPull)) return Ok();
  auto tags = storage_->Tags(repo);
  if (!tags.ok()) return Fail(c, NameUnknown(repo));
  bool more = false;
  std::vector<std::string> page = Paginate(*tags, c.req.query.Get("last"), *n, &more);
  if (more && !page.empty())
    c.w.headers().Set("Link", "</v2/" + repo + "/tags/list?last=" + http::QueryEscape(page.back()) +
                                  "&n=" + std::to_string(*n) + ">; rel=\"next\"");
  nlohmann::json body = {{"name", repo}, {"tags", page}};
  return c.w.Send(200, body.dump() + "\n", "application/json");
}

Status Registry::Referrers(Ctx& c, const std::string& repo, const std::string& ref) {
  auto d = Digest::Parse(ref);
  if (!d.ok()) return Fail(c, DigestInvalid(d.error().message()));
  if (!Authorize(c, repo, Action::kPull)) return Ok();
  std::string filter = c.req.query.Get("artifactType");
  nlohmann::json list = nlohmann::json::array();
  auto refs = storage_->Referrers(repo, *d);
  if (refs.ok())
    for (const std::string& s : *refs) {
      auto j = nlohmann::json::parse(s, nullptr, false);
      if (!j.is_object()) continue;
      if (!filter.empty() && j.value("artifactType", "") != filter) continue;
      list.push_back(std::move(j));
    }
  if (!filter.empty()) c.w.headers().Set("OCI-Filters-Applied", "artifactType");
  nlohmann::json body = {{"schemaVersion", 2}, {"mediaType", media::kOciIndex}, {"manifests", list}};
  return c.w.Send(200, body.dump() + "\n", media::kOciIndex);
}

}  // namespace berth::registry
