// Capability arithmetic as Docker's daemon does it (CapAdd, CapDrop, ALL,
// Privileged).
#include <sys/prctl.h>

#include <algorithm>

#include "base/strings.h"
#include "engine/spec/internal.h"
#include "sys/capabilities.h"

namespace berth::engine::spec {
namespace {

constexpr const char* kAll = "ALL";

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

const std::vector<std::string>& DefaultCapabilities() {
  static const std::vector<std::string> kDefaults = {
      "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
      "CAP_MKNOD",  "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
      "CAP_SETFCAP", "CAP_SETPCAP",     "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
      "CAP_KILL",   "CAP_AUDIT_WRITE"};
  return kDefaults;
}

Result<std::vector<std::string>> NormalizeCapabilities(const std::vector<std::string>& caps) {
  std::vector<std::string> out;
  for (const std::string& c : caps) {
    std::string up = c;
    for (char& ch : up) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (up == kAll) {
      out.push_back(up);
      continue;
    }
    if (!str::StartsWith(up, "CAP_")) up = "CAP_" + up;
    if (!sys::CapFromName(up).ok())
      return Error::Invalid("unknown capability: " + Quote(up));
    out.push_back(up);
  }
  return out;
}

Result<std::vector<std::string>> ContainerCapabilities(const std::vector<std::string>& add,
                                                       const std::vector<std::string>& drop,
                                                       bool privileged) {
  if (privileged) {
    // Every capability this daemon may hand out: the ones in its own
    // bounding set (root may lack some, e.g. CAP_SYS_RESOURCE on some hosts).
    std::vector<std::string> out;
    for (int i = 0; i <= sys::LastCap(); ++i)
      if (::prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1) out.push_back(sys::CapName(i));
    return out;
  }
  std::vector<std::string> adds = BERTH_TRY(NormalizeCapabilities(add));
  std::vector<std::string> drops = BERTH_TRY(NormalizeCapabilities(drop));
  std::vector<std::string> caps;
  auto push = [&caps](const std::string& c) {
    if (c != kAll && !Contains(caps, c)) caps.push_back(c);
  };
  if (Contains(adds, kAll)) {
    for (const std::string& c : sys::AllCapNames())
      if (!Contains(drops, c)) push(c);
  } else if (Contains(drops, kAll)) {
    for (const std::string& c : adds) push(c);
  } else {
    for (const std::string& c : DefaultCapabilities())
      if (!Contains(drops, c)) push(c);
    for (const std::string& c : adds) push(c);
  }
  return caps;
}

}  // namespace berth::engine::spec
