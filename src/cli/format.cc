#include "cli/format.h"

#include "base/strings.h"
#include "cli/tabwriter.h"

namespace berth::cli {

bool IsTableFormat(std::string_view format) { return str::StartsWith(format, "table"); }

namespace {

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  size_t p = 0;
  while ((p = s.find(from, p)) != std::string::npos) {
    s.replace(p, from.size(), to);
    p += to.size();
  }
  return s;
}

}  // namespace

Result<std::string> Render(std::string_view format, const Rows& rows) {
  bool table = IsTableFormat(format);
  std::string f(format);
  if (f == "json") f = "{{json .}}";
  if (table) f = f.substr(5);
  f = std::string(str::Trim(f));
  // Docker trims spaces only; Trim also drops tabs and newlines, which a
  // format rarely starts or ends with.
  f = Replace(Replace(f, "\\t", "\t"), "\\n", "\n");
  auto t = tmpl::Template::Parse(f);
  if (!t.ok()) return Error::Invalid("Template parsing error: " + t.error().message());
  tmpl::Template body = std::move(t).value();
  if (!rows.type_name.empty()) body.set_strict_type(rows.type_name);
  std::string out;
  for (const auto& row : rows.rows) {
    Status st = body.Execute(row, &out);
    if (!st.ok()) return Error::Invalid("Template parsing error: " + st.error().message());
    out += '\n';
  }
  if (!table) return out;
  auto h = tmpl::Template::Parse(f, tmpl::HeaderFuncs());
  std::string header;
  if (h.ok()) (void)h->Execute(rows.header, &header);
  return Table(header + "\n" + out);
}

std::string IndentJson(std::string_view raw) {
  std::string out;
  int depth = 0;
  bool in_string = false, escape = false;
  auto newline = [&](int d) {
    out += '\n';
    out.append(static_cast<size_t>(d) * 4, ' ');
  };
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (in_string) {
      out += c;
      if (escape) escape = false;
      else if (c == '\\') escape = true;
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case ' ': case '\t': case '\n': case '\r': break;
      case '"': in_string = true; out += c; break;
      case '{': case '[': {
        // Empty objects and arrays stay as {} and [].
        size_t j = i + 1;
        while (j < raw.size() && std::isspace(static_cast<unsigned char>(raw[j]))) ++j;
        if (j < raw.size() && (raw[j] == '}' || raw[j] == ']')) {
          out += c;
          out += raw[j];
          i = j;
          break;
        }
        out += c;
        newline(++depth);
        break;
      }
      case '}': case ']': newline(--depth); out += c; break;
      case ',': out += c; newline(depth); break;
      case ':': out += ": "; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace berth::cli
