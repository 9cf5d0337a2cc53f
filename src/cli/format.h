// Formatting of command output as docker's formatter package does it:
// a --format string is "table …" (a header row, then rows, aligned by the
// tab writer), "json" (one JSON object per row) or a plain template run
// once per row; "\t" and "\n" written in the string become tab and
// newline. Rows are JSON objects whose keys are docker's formatter field
// names (ID, Repository, CreatedSince, …); header maps those names to
// column titles (ID → "IMAGE ID").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "cli/template.h"

namespace berth::cli {

bool IsTableFormat(std::string_view format);

struct Rows {
  std::vector<tmpl::Value> rows;
  tmpl::Value header;      // field → column title
  std::string type_name;   // Go type for "can't evaluate field X in type T"
};

// Renders rows; errors read "Template parsing error: …".
Result<std::string> Render(std::string_view format, const Rows& rows);

// Go's json.Indent(raw, "", "    "): re-indents JSON text keeping its key
// order and escapes.
std::string IndentJson(std::string_view raw);

}  // namespace berth::cli
