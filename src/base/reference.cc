#include "base/reference.h"

#include <vector>

#include "base/strings.h"

namespace berth::ref {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
bool IsWord(char c) { return IsAlnum(c) || c == '_'; }
bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Error InvalidFormat() { return Error::Invalid("invalid reference format"); }

// [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool ValidDomainComponent(std::string_view c) {
  if (c.empty() || !IsAlnum(c.front()) || !IsAlnum(c.back())) return false;
  for (char ch : c)
    if (!IsAlnum(ch) && ch != '-') return false;
  return true;
}

// go-digest's algorithm grammar followed by ':' and at least 32 hex digits,
// as the reference grammar matches digests (validated afterwards).
bool MatchesDigestSyntax(std::string_view d) {
  size_t colon = d.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view alg = d.substr(0, colon), hex = d.substr(colon + 1);
  bool want_alpha = true;
  for (char c : alg) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (want_alpha) {
      if (!alpha) return false;
      want_alpha = false;
    } else if (c == '-' || c == '_' || c == '+' || c == '.') {
      want_alpha = true;
    } else if (!IsAlnum(c)) {
      return false;
    }
  }
  if (want_alpha || hex.size() < 32) return false;
  for (char c : hex)
    if (!IsHex(c)) return false;
  return true;
}

bool AllPathComponents(const std::vector<std::string>& parts, size_t from) {
  for (size_t i = from; i < parts.size(); ++i)
    if (!ValidPathComponent(parts[i])) return false;
  return from < parts.size();
}

// Matches s against the reference grammar. The split is unambiguous: name
// and tag cannot hold '@'; a ':' followed by no '/' starts the tag (a port
// is always followed by the path); the domain is taken when the first
// component can be one, as the grammar's optional group prefers.
bool Match(std::string_view s, Reference* out, std::string* digest_text) {
  std::string_view name = s;
  if (size_t at = s.find('@'); at != std::string_view::npos) {
    *digest_text = std::string(s.substr(at + 1));
    if (!MatchesDigestSyntax(*digest_text)) return false;
    name = s.substr(0, at);
  }
  if (size_t colon = name.rfind(':');
      colon != std::string_view::npos && name.find('/', colon) == std::string_view::npos) {
    out->tag = std::string(name.substr(colon + 1));
    if (!ValidTag(out->tag)) return false;
    name = name.substr(0, colon);
  }
  std::vector<std::string> parts = str::Split(name, '/');
  if (parts.size() >= 2 && ValidDomain(parts[0]) && AllPathComponents(parts, 1)) {
    out->domain = parts[0];
    out->path = std::string(name.substr(parts[0].size() + 1));
    return true;
  }
  if (!AllPathComponents(parts, 0)) return false;
  out->path = std::string(name);
  return true;
}

// Docker's splitDockerDomain.
std::pair<std::string, std::string> SplitDockerDomain(std::string_view name) {
  std::string domain, rest;
  size_t slash = name.find('/');
  std::string_view first = name.substr(0, slash);
  if (slash == std::string_view::npos || (first.find_first_of(".:") == std::string_view::npos &&
                                          first != "localhost" && str::ToLower(first) == first)) {
    domain = kDefaultDomain;
    rest = name;
  } else {
    domain = first;
    rest = name.substr(slash + 1);
  }
  if (domain == kLegacyDefaultDomain) domain = kDefaultDomain;
  if (domain == kDefaultDomain && rest.find('/') == std::string::npos)
    rest = std::string(kOfficialRepoPrefix) + rest;
  return {domain, rest};
}

}  // namespace

bool ValidPathComponent(std::string_view c) {
  size_t i = 0;
  for (;;) {
    size_t start = i;
    while (i < c.size() && IsLowerAlnum(c[i])) ++i;
    if (i == start) return false;
    if (i == c.size()) return true;
    size_t sep = i;
    while (i < c.size() && !IsLowerAlnum(c[i])) ++i;
    std::string_view s = c.substr(sep, i - sep);
    bool dashes = s.find_first_not_of('-') == std::string_view::npos;
    if (s != "." && s != "_" && s != "__" && !dashes) return false;
  }
}

bool ValidTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128 || !IsWord(tag[0])) return false;
  for (char c : tag)
    if (!IsWord(c) && c != '.' && c != '-') return false;
  return true;
}

bool ValidDomain(std::string_view domain) {
  std::string_view host = domain;
  size_t host_end;
  if (domain.starts_with('[')) {
    host_end = domain.find(']');
    if (host_end == std::string_view::npos || host_end == 1) return false;
    for (char c : domain.substr(1, host_end - 1))
      if (!IsHex(c) && c != ':') return false;
    ++host_end;
  } else {
    host_end = domain.find(':');
    if (host_end == std::string_view::npos) host_end = domain.size();
    host = domain.substr(0, host_end);
    for (const std::string& c : str::Split(host, '.'))
      if (!ValidDomainComponent(c)) return false;
  }
  std::string_view port = domain.substr(host_end);
  if (port.empty()) return true;
  if (port[0] != ':' || port.size() == 1) return false;
  for (char c : port.substr(1))
    if (!IsDigit(c)) return false;
  return true;
}

Result<Reference> Parse(std::string_view s) {
  Reference ref;
  std::string digest_text;
  if (!Match(s, &ref, &digest_text)) {
    if (s.empty()) return Error::Invalid("repository name must have at least one component");
    Reference ignored;
    std::string ignored_digest;
    if (Match(str::ToLower(s), &ignored, &ignored_digest))
      return Error::Invalid("repository name must be lowercase");
    return InvalidFormat();
  }
  // Current Docker limits the path; 20.10 limited domain + path.
  if (ref.path.size() > kNameTotalLengthMax)
    return Error::Invalid("repository name must not be more than " +
                          std::to_string(kNameTotalLengthMax) + " characters");
  if (!digest_text.empty()) ref.digest = BERTH_TRY(Digest::Parse(digest_text));
  return ref;
}

Result<Reference> ParseNormalized(std::string_view s) {
  if (IsFullHexId(s))
    return Error::Invalid("invalid repository name (" + std::string(s) +
                          "), cannot specify 64-byte hexadecimal strings");
  auto [domain, rest] = SplitDockerDomain(s);
  std::string remote = rest.substr(0, rest.find(':'));
  if (str::ToLower(remote) != remote)
    return Error::Invalid("invalid reference format: repository name (" + remote +
                          ") must be lowercase");
  return Parse(domain + "/" + rest);
}

Result<AnyReference> ParseAny(std::string_view s) {
  AnyReference any;
  if (IsFullHexId(s)) {
    any.is_id = true;
    any.id = Digest::FromHex(s).value();
    return any;
  }
  if (auto d = Digest::Parse(s); d.ok()) {
    any.is_id = true;
    any.id = std::move(d).value();
    return any;
  }
  any.named = BERTH_TRY(ParseNormalized(s));
  return any;
}

std::string Reference::Name() const { return domain.empty() ? path : domain + "/" + path; }

std::string Reference::FamiliarName() const {
  if (domain != kDefaultDomain) return Name();
  std::string_view p = path;
  if (p.starts_with(kOfficialRepoPrefix) &&
      p.find('/', kOfficialRepoPrefix.size()) == std::string_view::npos)
    p.remove_prefix(kOfficialRepoPrefix.size());
  return std::string(p);
}

static std::string WithTagAndDigest(std::string name, const Reference& r) {
  if (!r.tag.empty()) name += ":" + r.tag;
  if (!r.digest.empty()) name += "@" + r.digest.str();
  return name;
}

std::string Reference::Familiar() const { return WithTagAndDigest(FamiliarName(), *this); }
std::string Reference::Full() const { return WithTagAndDigest(Name(), *this); }

Reference Reference::WithDefaultTag() const {
  Reference r = *this;
  if (r.NameOnly()) r.tag = kDefaultTag;
  return r;
}

}  // namespace berth::ref
