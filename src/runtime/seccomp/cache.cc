// BuildCached: compiled seccomp programs kept on disk (see seccomp.h).
#include <fmt/format.h>
#include <seccomp.h>
#include <sys/utsname.h>

#include <cstring>

#include "base/sha256.h"
#include "base/fs.h"
#include "base/log.h"
#include "oci/runtime_spec_codec.h"
#include "runtime/seccomp/seccomp.h"
#include "runtime/seccomp/vocabulary.h"

namespace berth::seccomp {
namespace {

// Bump when the compiler's output for the same input changes.
constexpr const char* kFormat = "berth-seccomp-bpf-v1";

std::string CacheKey(const oci::Seccomp& spec) {
  oci::Spec holder;
  holder.linux.seccomp = spec;
  nlohmann::ordered_json j = oci::ToOrderedJson(holder);
  struct utsname u {};
  (void)uname(&u);
  const scmp_version* v = seccomp_version();
  std::string material = fmt::format("{}\n{}\n{}\nlibseccomp {}.{}.{}\n", kFormat,
                                     j["linux"]["seccomp"].dump(), u.machine, v ? v->major : 0,
                                     v ? v->minor : 0, v ? v->micro : 0);
  return Sha256LiteHex(material);
}

// A program read back from the cache, or nullopt when it is missing or does
// not look like one our compiler wrote.
std::optional<std::vector<sock_filter>> Load(const std::string& path) {
  auto bytes = fs::ReadFile(path);
  if (!bytes.ok()) {
    if (bytes.error().err() != ENOENT) log::Debug("seccomp cache: {}", bytes.error().message());
    return std::nullopt;
  }
  size_t n = bytes->size() / sizeof(sock_filter);
  if (bytes->empty() || bytes->size() % sizeof(sock_filter) != 0 || n > BPF_MAXINSNS) {
    log::Debug("seccomp cache: {}: bad size {}, rebuilding", path, bytes->size());
    return std::nullopt;
  }
  std::vector<sock_filter> program(n);
  memcpy(program.data(), bytes->data(), bytes->size());
  if (BPF_CLASS(program.back().code) != BPF_RET) {
    log::Debug("seccomp cache: {}: does not end in a return, rebuilding", path);
    return std::nullopt;
  }
  return program;
}

void Store(const std::string& dir, const std::string& path, const std::vector<sock_filter>& p) {
  Status st = fs::MkdirAll(dir, 0700);
  if (st.ok()) {
    std::string_view bytes(reinterpret_cast<const char*>(p.data()), p.size() * sizeof(sock_filter));
    st = fs::AtomicWrite(path, bytes, 0600, /*sync=*/true);
  }
  if (!st.ok()) log::Debug("seccomp cache: not stored: {}", st.error().message());
}

}  // namespace

Result<Filter> BuildCached(const oci::Seccomp& spec, const std::string& cache_dir) {
  if (cache_dir.empty()) return Build(spec);
  std::string path = fs::Join(cache_dir, CacheKey(spec) + ".bpf");
  if (auto program = Load(path)) {
    // The flags are not in the program. The rest of the spec was checked
    // when the entry was compiled (the key covers all of it).
    unsigned flags = 0;
    for (size_t i = 0; i < spec.flags.size(); ++i)
      flags |= BERTH_TRY_CTX(ParseFlag(spec.flags[i]), fmt::format("linux.seccomp.flags[{}]", i));
    return Filter(std::move(*program), flags);
  }
  Filter f = BERTH_TRY(Build(spec));
  Store(cache_dir, path, f.program());
  return f;
}

}  // namespace berth::seccomp
