// Repository names and the routes under /v2/ (OCI Distribution Spec
// grammar): a name is path components (ref::ValidPathComponent) separated by
// '/', at most 255 characters; tags are checked by ref::ValidTag.
#pragma once

#include <string>
#include <string_view>

namespace berth::registry {

bool ValidRepoName(std::string_view name);

// What a /v2/ path names.
struct V2Route {
  enum class Kind {
    kNone,       // not a registry path
    kPing,       // /v2/
    kCatalog,    // /v2/_catalog
    kTags,       // /v2/<name>/tags/list
    kManifest,   // /v2/<name>/manifests/<ref>
    kBlob,       // /v2/<name>/blobs/<digest>
    kUploads,    // /v2/<name>/blobs/uploads/
    kUpload,     // /v2/<name>/blobs/uploads/<id>
    kReferrers,  // /v2/<name>/referrers/<digest>
  };
  Kind kind = Kind::kNone;
  std::string name;  // repository (not yet validated)
  std::string ref;   // tag, digest or upload id
};

// Parses a decoded request path.
V2Route ParseV2Path(std::string_view path);

}  // namespace berth::registry
