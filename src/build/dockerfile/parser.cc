// Dockerfile text → logical lines → instructions (parser.h). Argument
// shapes per instruction are in instruction.cc.
#include "build/dockerfile/parser.h"

#include <fmt/format.h>

#include <cctype>

#include "base/strings.h"

namespace berth::build::dockerfile {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

std::string_view TrimLeft(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsBlank(s[i])) ++i;
  return s.substr(i);
}

bool IsComment(std::string_view line) {
  std::string_view t = TrimLeft(line);
  return !t.empty() && t[0] == '#';
}

bool IsEmpty(std::string_view line) { return TrimLeft(line).empty(); }

// Removes a trailing escape character (followed only by spaces/tabs);
// returns whether the logical line ends here.
bool TrimContinuation(std::string* line, char escape) {
  size_t end = line->size();
  while (end > 0 && ((*line)[end - 1] == ' ' || (*line)[end - 1] == '\t')) --end;
  if (end > 0 && (*line)[end - 1] == escape) {
    line->resize(end - 1);
    return false;
  }
  return true;
}

// `# name = value`: a parser directive; false when the line is not one.
bool ParseDirective(std::string_view line, std::string* name, std::string* value) {
  if (line.empty() || line[0] != '#') return false;
  size_t i = 1;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  size_t start = i;
  if (i >= line.size() || !std::isalpha(static_cast<unsigned char>(line[i]))) return false;
  while (i < line.size() && std::isalnum(static_cast<unsigned char>(line[i]))) ++i;
  *name = str::ToLower(line.substr(start, i - start));
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  if (i >= line.size() || line[i] != '=') return false;
  ++i;
  std::string_view v = str::Trim(line.substr(i));
  if (v.empty()) return false;
  *value = std::string(v);
  return true;
}

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      if (pos < text.size()) lines.emplace_back(text.substr(pos));
      break;
    }
    std::string l(text.substr(pos, nl - pos));
    if (!l.empty() && l.back() == '\r') l.pop_back();
    lines.push_back(std::move(l));
    pos = nl + 1;
  }
  if (!lines.empty() && !lines.back().empty() && lines.back().back() == '\r') lines.back().pop_back();
  return lines;
}

// Heredoc markers in an instruction's text: words like <<EOF, <<-EOF,
// <<"EOF", <<'EOF' (optionally after a file descriptor number).
std::vector<Heredoc> FindHeredocs(const Instruction& in, char escape) {
  std::vector<Heredoc> docs;
  std::string text = in.json ? "" : str::Join(in.args, " ");
  for (const std::string& word : SplitWords(text, escape)) {
    size_t i = 0;
    while (i < word.size() && std::isdigit(static_cast<unsigned char>(word[i]))) ++i;
    if (word.compare(i, 2, "<<") != 0) continue;
    i += 2;
    Heredoc h;
    if (i < word.size() && word[i] == '-') {
      h.chomp = true;
      ++i;
    }
    std::string name = word.substr(i);
    if (name.empty() || name.find('<') != std::string::npos) continue;
    if (name.size() >= 2 && (name[0] == '"' || name[0] == '\'') && name.back() == name[0]) {
      name = name.substr(1, name.size() - 2);
      h.expand = false;
    }
    if (name.empty()) continue;
    h.name = name;
    docs.push_back(h);
  }
  return docs;
}

std::string StripTabs(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && s[i] == '\t') ++i;
  return s.substr(i);
}

}  // namespace

Result<Dockerfile> Parse(std::string_view text, std::string_view file) {
  Dockerfile df;
  std::vector<std::string> lines = SplitLines(text);
  if (!lines.empty() && str::StartsWith(lines[0], "\xEF\xBB\xBF")) lines[0].erase(0, 3);
  auto fail = [&](int line, const std::string& what) {
    std::string where = file == "Dockerfile" ? fmt::format("line {}", line)
                                             : fmt::format("line {} of {}", line, file);
    return Error::Invalid(fmt::format("dockerfile parse error {}: {}", where, what));
  };

  size_t i = 0;
  bool seen_escape = false, seen_syntax = false;
  for (; i < lines.size(); ++i) {
    std::string name, value;
    if (!ParseDirective(lines[i], &name, &value)) break;
    if (name == "escape") {
      if (seen_escape) return fail(i + 1, "only one escape parser directive can be used");
      if (value != "\\" && value != "`")
        return fail(i + 1, fmt::format("invalid ESCAPE '{}'. Must be ` or \\", value));
      df.escape = value[0];
      seen_escape = true;
    } else if (name == "syntax") {
      if (seen_syntax) return fail(i + 1, "only one syntax parser directive can be used");
      df.syntax = value;
      seen_syntax = true;
    }
  }

  while (i < lines.size()) {
    const int start = static_cast<int>(i) + 1;
    std::string raw = lines[i++];
    if (IsComment(raw) || IsEmpty(raw)) continue;
    std::string line(TrimLeft(raw));
    bool end = TrimContinuation(&line, df.escape);
    while (!end && i < lines.size()) {
      std::string next = lines[i++];
      if (IsComment(next) || IsEmpty(next)) continue;
      end = TrimContinuation(&next, df.escape);
      line += next;
    }
    if (str::Trim(line).empty()) continue;
    auto parsed = ParseInstruction(line, df.escape);
    if (!parsed.ok()) return fail(start, parsed.error().message());
    Instruction in = std::move(parsed).value();
    in.line = start;
    in.end_line = static_cast<int>(i);
    if (in.name == "run" || in.name == "copy" || in.name == "add") {
      in.heredocs = FindHeredocs(in, df.escape);
      for (Heredoc& h : in.heredocs) {
        bool closed = false;
        while (i < lines.size()) {
          std::string body = lines[i++];
          std::string cmp = h.chomp ? StripTabs(body) : body;
          if (cmp == h.name) {
            closed = true;
            break;
          }
          h.content += cmp + "\n";
        }
        if (!closed) return fail(start, fmt::format("unterminated heredoc {}", h.name));
      }
      in.end_line = static_cast<int>(i);
    }
    df.instructions.push_back(std::move(in));
  }
  return df;
}

}  // namespace berth::build::dockerfile
