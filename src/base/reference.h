// Image references with Docker's grammar and normalisation (as
// distribution/reference's Parse, ParseNormalizedNamed, ParseAnyReference and
// FamiliarString):
//
//   reference := name [":" tag] ["@" digest]
//   name      := [domain "/"] path-component ("/" path-component)*   (path <= 255 chars)
//   domain    := host [":" port]; host := dns-name | "[" ipv6 "]"
//   path-component := [a-z0-9]+ (("." | "_" | "__" | "-"+) [a-z0-9]+)*
//   tag       := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//
// Normalisation: a first component that has no '.' or ':', is not
// "localhost" and is lowercase is not a domain; the domain is then docker.io
// (index.docker.io is an alias) and a one-component path gets "library/".
// So "busybox" is docker.io/library/busybox, which Familiar() prints back as
// "busybox". A 64-hex string alone is an image ID, never a name.
//
// Errors (Code::kInvalidArgument) carry Docker's texts, e.g. "invalid
// reference format", "invalid reference format: repository name
// (library/Busybox) must be lowercase" (the current docker CLI's text; Docker
// 20.10 printed it without the parenthesised name), "repository name must not
// be more than 255 characters", "invalid checksum digest format".
#pragma once

#include <string>
#include <string_view>

#include "base/digest.h"
#include "base/error.h"

namespace berth::ref {

inline constexpr std::string_view kDefaultDomain = "docker.io";
inline constexpr std::string_view kLegacyDefaultDomain = "index.docker.io";
inline constexpr std::string_view kOfficialRepoPrefix = "library/";
inline constexpr std::string_view kDefaultTag = "latest";
inline constexpr size_t kNameTotalLengthMax = 255;

struct Reference {
  // "docker.io", "localhost:5000". Empty only when the first component looks
  // like a domain but is not one ("a_b.c/d"): Docker accepts that as a path.
  std::string domain;
  std::string path;  // "library/busybox"
  std::string tag;   // empty when none
  Digest digest;     // empty when none

  // "docker.io/library/busybox": the repository, without tag or digest.
  std::string Name() const;
  // "busybox", "alice/app", "localhost:5000/x": as Docker shows repositories.
  std::string FamiliarName() const;
  // "busybox:latest", "alice/app:1@sha256:…", "localhost:5000/x:y".
  std::string Familiar() const;
  // "docker.io/library/busybox:latest" (Docker's String()).
  std::string Full() const;
  bool NameOnly() const { return tag.empty() && digest.empty(); }
  // A copy with tag "latest" when there is neither tag nor digest.
  Reference WithDefaultTag() const;

  friend bool operator==(const Reference&, const Reference&) = default;
};

// Parses a normalised-or-familiar reference ("busybox", "alice/app:1",
// "quay.io/x/y@sha256:…") into its fully qualified form. Does not add a
// default tag: call WithDefaultTag().
Result<Reference> ParseNormalized(std::string_view s);

// Parses s against the grammar as written, without normalisation (the
// domain is whatever the grammar matches, possibly empty).
Result<Reference> Parse(std::string_view s);

// Either an image ID ("<64 hex>" or "sha256:<64 hex>") or a named reference.
struct AnyReference {
  bool is_id = false;
  Digest id;        // when is_id
  Reference named;  // otherwise
};
Result<AnyReference> ParseAny(std::string_view s);

// One component of a repository path: [a-z0-9]+ (("." | "_" | "__" | "-"+) [a-z0-9]+)*
bool ValidPathComponent(std::string_view component);
// [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
bool ValidTag(std::string_view tag);
// True for a domain as the grammar allows it ("localhost:5000", "[::1]:80").
bool ValidDomain(std::string_view domain);

}  // namespace berth::ref
