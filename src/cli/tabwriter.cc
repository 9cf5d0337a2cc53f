#include "cli/tabwriter.h"

#include <vector>

#include "cli/units.h"

namespace berth::cli {
namespace {

struct Cell {
  std::string text;
  size_t width = 0;
};

using Line = std::vector<Cell>;

class Formatter {
 public:
  Formatter(std::vector<Line> lines, size_t minwidth, size_t padding)
      : lines_(std::move(lines)), minwidth_(minwidth), padding_(padding) {}

  std::string Run() {
    Format(0, lines_.size());
    return out_;
  }

 private:
  void WriteLines(size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      const Line& line = lines_[i];
      for (size_t j = 0; j < line.size(); ++j) {
        out_ += line[j].text;
        if (j < widths_.size() && j + 1 < line.size())
          out_.append(widths_[j] > line[j].width ? widths_[j] - line[j].width : 0, ' ');
      }
      if (i + 1 < lines_.size() || trailing_newline_) out_ += '\n';
    }
  }

  void Format(size_t line0, size_t line1) {
    size_t column = widths_.size();
    for (size_t cur = line0; cur < line1; ++cur) {
      if (column + 1 >= lines_[cur].size()) continue;
      WriteLines(line0, cur);
      line0 = cur;
      size_t width = minwidth_;
      for (; cur < line1; ++cur) {
        const Line& line = lines_[cur];
        if (column + 1 >= line.size()) break;
        width = std::max(width, line[column].width + padding_);
      }
      widths_.push_back(width);
      Format(line0, cur);
      widths_.pop_back();
      line0 = cur;
      if (cur >= line1) break;
    }
    WriteLines(line0, line1);
  }

 public:
  bool trailing_newline_ = false;

 private:
  std::vector<Line> lines_;
  size_t minwidth_, padding_;
  std::vector<size_t> widths_;
  std::string out_;
};

}  // namespace

std::string TabFormat(std::string_view text, size_t minwidth, size_t padding) {
  std::vector<Line> lines;
  Line cur;
  Cell cell;
  bool trailing = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\t') {
      cell.width = RuneCount(cell.text);
      cur.push_back(std::move(cell));
      cell = Cell{};
    } else if (c == '\n') {
      cell.width = RuneCount(cell.text);
      cur.push_back(std::move(cell));
      cell = Cell{};
      lines.push_back(std::move(cur));
      cur.clear();
      if (i + 1 == text.size()) trailing = true;
    } else {
      cell.text += c;
    }
  }
  if (!trailing && (!cell.text.empty() || !cur.empty())) {
    cell.width = RuneCount(cell.text);
    cur.push_back(std::move(cell));
    lines.push_back(std::move(cur));
  }
  Formatter f(std::move(lines), minwidth, padding);
  f.trailing_newline_ = trailing;
  return f.Run();
}

}  // namespace berth::cli
