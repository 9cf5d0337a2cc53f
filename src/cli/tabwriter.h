// TabWriter: Go's text/tabwriter, as docker's tables use it (minwidth,
// tabwidth, padding, ' ' padding, no flags). Cells are tab-terminated; the
// last cell of a line is not part of a column. A column block is a run of
// consecutive lines that have a cell in that column; its width is the
// widest cell plus padding, at least minwidth. Widths count UTF-8 code
// points.
#pragma once

#include <string>
#include <string_view>

namespace berth::cli {

// Formats text as a whole (docker flushes once per table).
std::string TabFormat(std::string_view text, size_t minwidth, size_t padding);

// docker's tables: minwidth 10, padding 3.
inline std::string Table(std::string_view text) { return TabFormat(text, 10, 3); }

}  // namespace berth::cli
