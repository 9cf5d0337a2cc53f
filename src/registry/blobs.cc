// Blob and upload endpoints of Registry.
#include <optional>

#include "base/strings.h"
#include "registry/names.h"
#include "registry/registry.h"

namespace berth::registry {
namespace {

struct ByteRange {
  uint64_t start = 0, length = 0;
};

// Parses a Range header "bytes=a-b" / "bytes=a-" / "bytes=-n" against size.
// nullopt when absent; false in *ok when unsatisfiable or malformed.
std::optional<ByteRange> ParseRange(std::string_view h, uint64_t size, bool* ok) {
  *ok = true;
  h = str::Trim(h);
  if (!str::StartsWith(h, "bytes=") || h.find(',') != h.npos) {
    *ok = false;
    return std::nullopt;
  }
  h.remove_prefix(6);
  size_t dash = h.find('-');
  if (dash == h.npos) {
    *ok = false;
    return std::nullopt;
  }
  auto num = [](std::string_view s, uint64_t* v) {
    if (s.empty() || s.size() > 19) return false;
    *v = 0;
    for (char ch : s) {
      if (ch < '0' || ch > '9') return false;
      *v = *v * 10 + static_cast<uint64_t>(ch - '0');
    }
    return true;
  };
  uint64_t a = 0, b = 0;
  std::string_view sa = h.substr(0, dash), sb = h.substr(dash + 1);
  if (sa.empty()) {  // suffix
    if (!num(sb, &b) || b == 0 || size == 0) {
      *ok = false;
      return std::nullopt;
    }
    b = std::min(b, size);
    return ByteRange{size - b, b};
  }
  if (!num(sa, &a) || a >= size) {
    *ok = false;
    return std::nullopt;
  }
  if (sb.empty()) return ByteRange{a, size - a};
  if (!num(sb, &b) || b < a) {
    *ok = false;
    return std::nullopt;
  }
  b = std::min(b, size - 1);
  return ByteRange{a, b - a + 1};
}

// A Content-Range of a chunk: "a-b" (OCI) or "bytes a-b[/n]"; the start.
std::optional<uint64_t> ChunkStart(std::string_view h, bool* ok) {
  *ok = true;
  h = str::Trim(h);
  if (str::StartsWith(h, "bytes ")) h.remove_prefix(6);
  if (str::StartsWith(h, "bytes=")) h.remove_prefix(6);
  size_t dash = h.find('-');
  uint64_t v = 0;
  if (dash == 0 || dash == h.npos) {
    *ok = false;
    return std::nullopt;
  }
  for (char ch : h.substr(0, dash)) {
    if (ch < '0' || ch > '9') {
      *ok = false;
      return std::nullopt;
    }
    v = v * 10 + static_cast<uint64_t>(ch - '0');
  }
  return v;
}


}  // namespace

Status Registry::GetBlob(Ctx& c, const std::string& repo, const std::string& ref) {
  auto d = Digest::Parse(ref);
  if (!d.ok()) return Fail(c, DigestInvalid(d.error().message()));
  if (!Authorize(c, repo, Action::kPull)) return Ok();
  if (!storage_->HasLayer(repo, *d) && !storage_->HasManifest(repo, *d))
    return Fail(c, BlobUnknown(d->str()));
  uint64_t size = 0;
  auto fd = storage_->OpenBlob(*d, &size);
  if (!fd.ok()) return Fail(c, BlobUnknown(d->str()));
  // A HEAD usually precedes a push that skips the upload: refresh the
  // blob's mtime so that gc's grace period protects it until the manifest.
  if (c.req.method == "HEAD") storage_->TouchBlob(*d);
  auto& h = c.w.headers();
  h.Set("Docker-Content-Digest", d->str());
  h.Set("ETag", "\"" + d->str() + "\"");
  h.Set("Accept-Ranges", "bytes");
  h.Set("Cache-Control", "max-age=31536000");
  auto range_header = c.req.headers.Get("Range");
  if (range_header) {
    bool ok = true;
    auto r = ParseRange(*range_header, size, &ok);
    if (!ok) {
      h.Set("Content-Range", "bytes */" + std::to_string(size));
      return Fail(c, ApiError{"RANGE_INVALID", 416, "requested range not satisfiable", std::string(*range_header)});
    }
    h.Set("Content-Range", "bytes " + std::to_string(r->start) + "-" +
                               std::to_string(r->start + r->length - 1) + "/" + std::to_string(size));
    return c.w.SendFile(206, fd->get(), r->start, r->length, "application/octet-stream");
  }
  return c.w.SendFile(200, fd->get(), 0, size, "application/octet-stream");
}

Status Registry::DeleteBlob(Ctx& c, const std::string& repo, const std::string& ref) {
  auto d = Digest::Parse(ref);
  if (!d.ok()) return Fail(c, DigestInvalid(d.error().message()));
  if (!Authorize(c, repo, Action::kDelete)) return Ok();
  Status st = storage_->UnlinkLayer(repo, *d);
  if (!st.ok()) return st.error().code() == Code::kNotFound ? Fail(c, BlobUnknown(d->str())) : st;
  return c.w.Send(202, "", "");
}

Status Registry::UploadAccepted(Ctx& c, const std::string& repo, const std::string& id,
                                uint64_t size, int status) {
  auto& h = c.w.headers();
  h.Set("Location", "/v2/" + repo + "/blobs/uploads/" + id);
  h.Set("Range", "0-" + std::to_string(size > 0 ? size - 1 : 0));
  h.Set("Docker-Upload-UUID", id);
  return c.w.Send(status, "", "");
}

Status Registry::MountBlob(Ctx& c, const std::string& repo, const Digest& d, const std::string& from,
                           bool* done) {
  *done = false;
  if (!ValidRepoName(from) || !storage_->HasLayer(from, d)) return Ok();
  if (policy_.Check(c.who, from, Action::kPull) != Verdict::kAllow) return Ok();  // plain upload instead
  BERTH_TRY(storage_->LinkLayer(repo, d));
  ClaimRepo(c, repo);
  *done = true;
  c.w.headers().Set("Location", "/v2/" + repo + "/blobs/" + d.str());
  c.w.headers().Set("Docker-Content-Digest", d.str());
  return c.w.Send(201, "", "");
}

Status Registry::StartUpload(Ctx& c, const std::string& repo) {
  if (!Authorize(c, repo, Action::kPush)) return Ok();
  const http::Query& q = c.req.query;
  if (q.Has("mount")) {
    auto d = Digest::Parse(q.Get("mount"));
    if (!d.ok()) return Fail(c, DigestInvalid(d.error().message()));
    bool done = false;
    BERTH_TRY(MountBlob(c, repo, *d, q.Get("from"), &done));
    if (done) return Ok();
  }
  std::optional<Digest> digest;
  if (q.Has("digest")) {
    auto d = Digest::Parse(q.Get("digest"));
    if (!d.ok()) return Fail(c, DigestInvalid(d.error().message()));
    digest = *d;
  }
  std::string id = BERTH_TRY(uploads_->Start(repo));
  ClaimRepo(c, repo);
  if (!digest) return UploadAccepted(c, repo, id, 0, 202);
  Status st = uploads_->Finish(repo, id, c.req.body, *digest);
  if (!st.ok()) {
    (void)uploads_->Cancel(repo, id);
    if (st.error().code() == Code::kInvalidArgument) return Fail(c, DigestInvalid(st.error().message()));
    return st;
  }
  c.w.headers().Set("Location", "/v2/" + repo + "/blobs/" + digest->str());
  c.w.headers().Set("Docker-Content-Digest", digest->str());
  return c.w.Send(201, "", "");
}

Status Registry::UploadChunk(Ctx& c, const std::string& repo, const std::string& id) {
  if (!Authorize(c, repo, Action::kPush)) return Ok();
  std::optional<uint64_t> start;
  if (auto cr = c.req.headers.Get("Content-Range")) {
    bool ok = true;
    start = ChunkStart(*cr, &ok);
    if (!ok) return Fail(c, ApiError{"BLOB_UPLOAD_INVALID", 416, "invalid content range", std::string(*cr)});
  }
  auto size = uploads_->Append(repo, id, *c.req.body, start);
  if (!size.ok()) {
    const Error& e = size.error();
    if (e.code() == Code::kNotFound) return Fail(c, BlobUploadUnknown(id));
    if (e.code() == Code::kConflict) {
      auto now = uploads_->Size(repo, id);
      c.w.headers().Set("Location", "/v2/" + repo + "/blobs/uploads/" + id);
      if (now.ok()) c.w.headers().Set("Range", "0-" + std::to_string(*now > 0 ? *now - 1 : 0));
      return Fail(c, ApiError{"BLOB_UPLOAD_INVALID", 416, "requested range not satisfiable", e.message()});
    }
    return Fail(c, BlobUploadInvalid(e.message()));
  }
  return UploadAccepted(c, repo, id, *size, 202);
}

Status Registry::FinishUpload(Ctx& c, const std::string& repo, const std::string& id) {
  if (!Authorize(c, repo, Action::kPush)) return Ok();
  auto d = Digest::Parse(c.req.query.Get("digest"));
  if (!d.ok()) return Fail(c, DigestInvalid("digest parameter: " + d.error().message()));
  if (auto cr = c.req.headers.Get("Content-Range")) {
    bool ok = true;
    auto start = ChunkStart(*cr, &ok);
    auto size = uploads_->Size(repo, id);
    if (!size.ok()) return Fail(c, BlobUploadUnknown(id));
    if (!ok || *start != *size)
      return Fail(c, ApiError{"BLOB_UPLOAD_INVALID", 416, "requested range not satisfiable", std::string(*cr)});
  }
  Status st = uploads_->Finish(repo, id, c.req.body, *d);
  if (!st.ok()) {
    const Error& e = st.error();
    if (e.code() == Code::kNotFound) return Fail(c, BlobUploadUnknown(id));
    if (e.code() == Code::kInvalidArgument) return Fail(c, DigestInvalid(e.message()));
    return Fail(c, BlobUploadInvalid(e.message()));
  }
  c.w.headers().Set("Location", "/v2/" + repo + "/blobs/" + d->str());
  c.w.headers().Set("Docker-Content-Digest", d->str());
  return c.w.Send(201, "", "");
}

Status Registry::UploadStatus(Ctx& c, const std::string& repo, const std::string& id) {
  if (!Authorize(c, repo, Action::kPush)) return Ok();
  auto size = uploads_->Size(repo, id);
  if (!size.ok()) return Fail(c, BlobUploadUnknown(id));
  return UploadAccepted(c, repo, id, *size, 204);
}

Status Registry::CancelUpload(Ctx& c, const std::string& repo, const std::string& id) {
  if (!Authorize(c, repo, Action::kPush)) return Ok();
  Status st = uploads_->Cancel(repo, id);
  if (!st.ok()) return Fail(c, BlobUploadUnknown(id));
  return c.w.Send(204, "", "");
}

void Registry::ClaimRepo(Ctx& c, const std::string& repo) {
  if (c.who.anonymous() || storage_->RepoExists(repo)) return;
  RepoMeta m = storage_->Meta(repo);
  if (!m.owner.empty()) return;
  m.owner = c.who.user;
  (void)storage_->SetMeta(repo, m);
}

}  // namespace berth::registry
