// Rows for `images` (docker's imageContext) and `history`
// (historyContext): one JSON object per row with docker's formatter field
// names, plus their column titles.
#pragma once

#include <cstdint>

#include "cli/format.h"
#include "client/client.h"

namespace berth::cli {

// One row per repository:tag (and per digest with digests), "<none>" for
// what is missing, as docker's image formatter expands an image.
Rows ImageRows(const client::json& images, bool trunc, bool digests, int64_t now);

Rows HistoryRows(const client::json& history, bool trunc, bool human, int64_t now);

}  // namespace berth::cli
