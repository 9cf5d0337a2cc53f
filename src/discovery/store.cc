#include "discovery/store.h"

#include <time.h>

namespace berth::discovery {

bool ValidCheckStatus(std::string_view s) { return s == kPassing || s == kWarning || s == kCritical; }

bool Service::Passing() const {
  for (const Check& c : checks)
    if (c.status != kPassing) return false;
  return true;
}

std::string Service::AggregateStatus() const {
  std::string_view worst = kPassing;
  for (const Check& c : checks) {
    if (c.status == kCritical) return std::string(kCritical);
    if (c.status == kWarning) worst = kWarning;
  }
  return std::string(worst);
}

Result<TxnVerb> ParseTxnVerb(std::string_view v) {
  static const std::pair<std::string_view, TxnVerb> kVerbs[] = {
      {"set", TxnVerb::kSet},
      {"cas", TxnVerb::kCas},
      {"get", TxnVerb::kGet},
      {"get-tree", TxnVerb::kGetTree},
      {"check-index", TxnVerb::kCheckIndex},
      {"check-not-exists", TxnVerb::kCheckNotExists},
      {"delete", TxnVerb::kDelete},
      {"delete-cas", TxnVerb::kDeleteCas},
      {"delete-tree", TxnVerb::kDeleteTree},
  };
  for (const auto& [name, verb] : kVerbs)
    if (name == v) return verb;
  return Error::Invalid("Unknown KV verb \"" + std::string(v) + "\"");
}

Status NormalizeService(Service* s, const std::string& node) {
  if (s->name.empty()) return Error::Invalid("missing service name");
  if (s->id.empty()) s->id = s->name;
  if (s->node.empty()) s->node = node;
  int64_t now = NowMs();
  for (size_t i = 0; i < s->checks.size(); ++i) {
    Check& c = s->checks[i];
    if (c.id.empty())
      c.id = i == 0 ? "service:" + s->id : "service:" + s->id + ":" + std::to_string(i + 1);
    if (c.name.empty()) c.name = "Service '" + s->name + "' check";
    if (!ValidCheckStatus(c.status)) return Error::Invalid("invalid check status " + c.status);
    if (c.ttl_ms > 0) c.expires_ms = now + c.ttl_ms;
  }
  return Ok();
}

int64_t NowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace berth::discovery
