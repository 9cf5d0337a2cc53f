// One logical line → an Instruction: the argument shape of each
// instruction as Docker's parser reads it (parser.h).
#include <fmt/format.h>

#include <cctype>
#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "build/dockerfile/parser.h"

namespace berth::build::dockerfile {
namespace {

std::string ToUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

std::string_view TrimLeft(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsSpace(s[i])) ++i;
  return s.substr(i);
}

std::vector<std::string> SplitSpace(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !IsSpace(s[i])) ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

// Splits at the first run of white space: {"a", "b c"}.
std::pair<std::string, std::string> SplitFirst(std::string_view s) {
  s = str::Trim(s);
  size_t i = 0;
  while (i < s.size() && !IsSpace(s[i])) ++i;
  return {std::string(s.substr(0, i)), std::string(TrimLeft(s.substr(i)))};
}

// Leading `--name[=value]` words.
std::vector<std::string> ExtractFlags(std::string* rest) {
  std::vector<std::string> flags;
  std::string_view r = TrimLeft(*rest);
  while (r.size() >= 2 && r.substr(0, 2) == "--") {
    size_t i = 0;
    while (i < r.size() && !IsSpace(r[i])) ++i;
    std::string word(r.substr(0, i));
    r = TrimLeft(r.substr(i));
    if (word == "--") break;
    flags.push_back(word);
  }
  *rest = std::string(r);
  return flags;
}

// SAX handler collecting the strings of a top-level array.
class ArraySax : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::vector<std::string> items;
  bool not_strings = false;
  bool top_array = false;
  bool null() override { return Scalar(); }
  bool boolean(bool) override { return Scalar(); }
  bool number_integer(number_integer_t) override { return Scalar(); }
  bool number_unsigned(number_unsigned_t) override { return Scalar(); }
  bool number_float(number_float_t, const string_t&) override { return Scalar(); }
  bool string(string_t& s) override {
    if (depth_ == 1) items.push_back(s);
    return true;
  }
  bool binary(binary_t&) override { return Scalar(); }
  bool start_object(std::size_t) override {
    if (depth_ == 1) not_strings = true;
    ++depth_;
    return true;
  }
  bool key(string_t&) override { return true; }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth_ == 0) top_array = true;
    if (depth_ == 1) not_strings = true;
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  bool Scalar() {
    if (depth_ == 1) not_strings = true;
    return true;
  }
  int depth_ = 0;
};

// Docker's parseMaybeJSON: a JSON array of strings, or else the text.
Status MaybeJson(Instruction* in, const std::string& rest) {
  bool not_strings = false;
  std::vector<std::string> items;
  if (!rest.empty() && rest[0] == '[' && ParseJsonArray(rest, &items, &not_strings)) {
    in->json = true;
    in->args = std::move(items);
    return Ok();
  }
  if (not_strings)
    return Error::Invalid("when using JSON array syntax, arrays must be comprised of strings only");
  if (!rest.empty()) in->args = {rest};
  return Ok();
}

// Docker's parseMaybeJSONToList: a JSON array, or white-space words.
Status MaybeJsonList(Instruction* in, const std::string& rest) {
  bool not_strings = false;
  std::vector<std::string> items;
  if (!rest.empty() && rest[0] == '[' && ParseJsonArray(rest, &items, &not_strings)) {
    in->json = true;
    in->args = std::move(items);
    return Ok();
  }
  if (not_strings)
    return Error::Invalid("when using JSON array syntax, arrays must be comprised of strings only");
  in->args = SplitSpace(rest);
  return Ok();
}

// ENV and LABEL: `KEY value` (old form) or `k=v k2=v2`.
Status NameVal(Instruction* in, const std::string& rest, const std::string& upper, char escape) {
  std::vector<std::string> words = SplitWords(rest, escape);
  if (words.empty()) return Error::Invalid(upper + " requires at least one argument");
  if (words[0].find('=') == std::string::npos) {
    auto [k, v] = SplitFirst(rest);
    if (v.empty()) return Error::Invalid(upper + " must have two arguments");
    in->kvs.push_back({k, v, true});
    return Ok();
  }
  for (const std::string& w : words) {
    size_t eq = w.find('=');
    if (eq == std::string::npos)
      return Error::Invalid(fmt::format(
          "Syntax error - can't find = in \"{}\". Must be of the form: name=value", w));
    if (eq == 0) return Error::Invalid(upper + " names can not be blank");
    in->kvs.push_back({w.substr(0, eq), w.substr(eq + 1), true});
  }
  return Ok();
}

Status ParseArgs(Instruction* in, const std::string& upper, std::string rest, char escape) {
  const std::string& n = in->name;
  auto need = [&](bool ok, const std::string& msg) -> Status {
    if (!ok) return Error::Invalid(upper + " " + msg);
    return Ok();
  };
  if (n == "from") {
    in->args = SplitSpace(rest);
    if (in->args.size() != 1 && in->args.size() != 3)
      return Error::Invalid("FROM requires either one or three arguments");
    if (in->args.size() == 3 && str::ToLower(in->args[1]) != "as")
      return Error::Invalid("FROM requires either one or three arguments");
    return Ok();
  }
  if (n == "run" || n == "cmd" || n == "entrypoint") {
    BERTH_TRY(MaybeJson(in, rest));
    if (n == "run") return need(!in->args.empty() || in->json, "requires at least one argument");
    return Ok();
  }
  if (n == "shell") {
    BERTH_TRY(MaybeJson(in, rest));
    if (!in->json) return Error::Invalid("SHELL requires the arguments to be in JSON form");
    return need(!in->args.empty(), "requires at least one argument");
  }
  if (n == "env" || n == "label") return NameVal(in, rest, upper, escape);
  if (n == "arg") {
    std::vector<std::string> words = SplitWords(rest, escape);
    if (words.empty()) return Error::Invalid("ARG requires at least one argument");
    for (const std::string& w : words) {
      size_t eq = w.find('=');
      if (eq == 0) return Error::Invalid("ARG names can not be blank");
      if (eq == std::string::npos)
        in->kvs.push_back({w, "", false});
      else
        in->kvs.push_back({w.substr(0, eq), w.substr(eq + 1), true});
    }
    return Ok();
  }
  if (n == "expose") {
    in->args = SplitSpace(rest);
    return need(!in->args.empty(), "requires at least one argument");
  }
  if (n == "volume") {
    BERTH_TRY(MaybeJsonList(in, rest));
    return need(!in->args.empty(), "requires at least one argument");
  }
  if (n == "copy" || n == "add") {
    BERTH_TRY(MaybeJsonList(in, rest));
    if (in->args.size() < 2)
      return Error::Invalid(upper + " requires at least two arguments, but only one was provided. "
                                    "Destination could not be determined.");
    return Ok();
  }
  if (n == "workdir" || n == "user" || n == "stopsignal" || n == "maintainer") {
    std::string v(str::Trim(rest));
    if (v.empty()) return Error::Invalid(upper + " requires exactly one argument");
    in->args = {v};
    return Ok();
  }
  if (n == "healthcheck") {
    auto [kind, cmd] = SplitFirst(rest);
    kind = str::ToLower(kind);
    if (kind == "none") {
      if (!cmd.empty()) return Error::Invalid("HEALTHCHECK NONE takes no arguments");
      in->health_kind = "NONE";
      return Ok();
    }
    if (kind != "cmd")
      return Error::Invalid(fmt::format("Unknown type \"{}\" in HEALTHCHECK (try CMD)",
                                        ToUpper(kind)));
    in->health_kind = "CMD";
    BERTH_TRY(MaybeJson(in, cmd));
    return need(!in->args.empty(), "requires at least one argument");
  }
  if (n == "onbuild") {
    std::string expr(TrimLeft(rest));
    if (expr.empty()) return Error::Invalid("ONBUILD requires at least one argument");
    Instruction sub = BERTH_TRY(ParseInstruction(expr, escape));
    if (sub.name == "onbuild") return Error::Invalid("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    if (sub.name == "from" || sub.name == "maintainer")
      return Error::Invalid(fmt::format("{} isn't allowed as an ONBUILD trigger", ToUpper(sub.name)));
    in->onbuild = expr;
    return Ok();
  }
  return Error::Invalid("unknown instruction: " + upper);
}

}  // namespace

std::vector<std::string> SplitWords(std::string_view rest, char escape) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false, blank_ok = false;
  char quote = 0;
  size_t i = 0;
  auto flush = [&] {
    if (blank_ok || !word.empty()) words.push_back(word);
    word.clear();
    blank_ok = false;
    in_word = false;
  };
  while (i < rest.size()) {
    char c = rest[i];
    if (quote == 0) {
      if (!in_word) {
        if (IsSpace(c)) {
          ++i;
          continue;
        }
        in_word = true;
      }
      if (IsSpace(c)) {
        flush();
        ++i;
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
        blank_ok = true;
      }
      if (c == escape) {
        if (i + 1 == rest.size()) {
          ++i;
          continue;
        }
        word += c;
        ++i;
        c = rest[i];
      }
      word += c;
      ++i;
      continue;
    }
    // In quotes.
    if (c == quote) quote = 0;
    if (c == escape && quote != '\'' && c != quote) {
      if (i + 1 == rest.size()) {
        ++i;
        continue;
      }
      word += c;
      ++i;
      c = rest[i];
    }
    word += c;
    ++i;
  }
  if (in_word) flush();
  return words;
}

bool ParseJsonArray(std::string_view text, std::vector<std::string>* out, bool* not_strings) {
  ArraySax sax;
  bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &sax,
                                      nlohmann::json::input_format_t::json, false);
  if (!ok || !sax.top_array) return false;
  if (sax.not_strings) {
    *not_strings = true;
    return false;
  }
  *out = std::move(sax.items);
  return true;
}

Result<Instruction> ParseInstruction(std::string_view line, char escape) {
  Instruction in;
  in.original = std::string(str::Trim(line));
  auto [cmd, rest] = SplitFirst(line);
  in.name = str::ToLower(cmd);
  std::string upper = ToUpper(cmd);
  in.flags = ExtractFlags(&rest);
  BERTH_TRY(ParseArgs(&in, upper, rest, escape));
  return in;
}

}  // namespace berth::build::dockerfile
