// Docker's word lexer (see shell_lex.h for the rules).
#include "build/dockerfile/shell_lex.h"

#include <cctype>
#include <optional>

namespace berth::build::dockerfile {
namespace {

// Words as ProcessWords splits them: characters from expansions and plain
// text split at white space, quoted text never does.
class Words {
 public:
  void AddChar(char c) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word_ && !word_.empty()) {
        words_.push_back(word_);
        word_.clear();
        in_word_ = false;
      }
      return;
    }
    AddRawChar(c);
  }
  void AddRawChar(char c) {
    word_ += c;
    in_word_ = true;
  }
  void AddString(std::string_view s) {
    for (char c : s) AddChar(c);
  }
  void AddRawString(std::string_view s) {
    word_ += s;
    in_word_ = true;
  }
  std::vector<std::string> Take() {
    if (!word_.empty()) words_.push_back(word_);
    return std::move(words_);
  }

 private:
  std::vector<std::string> words_;
  std::string word_;
  bool in_word_ = false;
};

bool IsSpecialParam(char c) {
  return c == '@' || c == '*' || c == '#' || c == '?' || c == '-' || c == '$' || c == '!' ||
         c == '0';
}

class Lexer {
 public:
  Lexer(std::string_view in, const std::vector<std::string>& env, char escape)
      : in_(in), env_(env), escape_(escape) {}

  // Processes up to (and consuming) stop, or to the end when stop is 0.
  Result<std::string> Process(char stop, Words* words) {
    std::string out;
    while (pos_ < in_.size()) {
      char c = in_[pos_];
      if (stop != 0 && c == stop) {
        ++pos_;
        return out;
      }
      if (c == '\'') {
        std::string s = BERTH_TRY(SingleQuoted());
        out += s;
        if (words) words->AddRawString(s);
      } else if (c == '"') {
        std::string s = BERTH_TRY(DoubleQuoted());
        out += s;
        if (words) words->AddRawString(s);
      } else if (c == '$') {
        std::string s = BERTH_TRY(Dollar());
        out += s;
        if (words) words->AddString(s);
      } else {
        ++pos_;
        if (c == escape_) {
          if (pos_ >= in_.size()) break;  // a trailing escape is dropped
          c = in_[pos_++];
          out += c;
          if (words) words->AddRawChar(c);
          continue;
        }
        out += c;
        if (words) words->AddChar(c);
      }
    }
    if (stop != 0) return Error::Invalid(std::string("syntax error: missing '") + stop + "'");
    return out;
  }

 private:
  Result<std::string> SingleQuoted() {
    ++pos_;
    size_t end = in_.find('\'', pos_);
    if (end == std::string_view::npos)
      return Error::Invalid("unexpected end of statement while looking for matching single-quote");
    std::string s(in_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return s;
  }

  Result<std::string> DoubleQuoted() {
    ++pos_;
    std::string out;
    while (pos_ < in_.size()) {
      char c = in_[pos_];
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c == '$') {
        out += BERTH_TRY(Dollar());
        continue;
      }
      ++pos_;
      if (c == escape_) {
        if (pos_ >= in_.size()) continue;
        char n = in_[pos_];
        if (n == '"' || n == '$' || n == escape_) {
          c = n;
          ++pos_;
        }
      }
      out += c;
    }
    return Error::Invalid("unexpected end of statement while looking for matching double-quote");
  }

  std::string Name() {
    std::string name;
    if (pos_ < in_.size() && std::isdigit(static_cast<unsigned char>(in_[pos_]))) {
      while (pos_ < in_.size() && std::isdigit(static_cast<unsigned char>(in_[pos_])))
        name += in_[pos_++];
      return name;
    }
    if (pos_ < in_.size() && IsSpecialParam(in_[pos_])) return std::string(1, in_[pos_++]);
    while (pos_ < in_.size()) {
      unsigned char c = in_[pos_];
      if (!std::isalnum(c) && c != '_') break;
      name += in_[pos_++];
    }
    return name;
  }

  std::optional<std::string> Lookup(const std::string& name) const {
    for (const std::string& e : env_) {
      size_t eq = e.find('=');
      if (eq == std::string::npos) {
        if (e == name) return std::string();
        continue;
      }
      if (std::string_view(e).substr(0, eq) == name) return e.substr(eq + 1);
    }
    return std::nullopt;
  }

  Result<std::string> Dollar() {
    ++pos_;  // '$'
    if (pos_ >= in_.size() || in_[pos_] != '{') {
      std::string name = Name();
      if (name.empty()) return std::string("$");
      return Lookup(name).value_or("");
    }
    ++pos_;  // '{'
    if (pos_ >= in_.size()) return Error::Invalid("syntax error: missing '}'");
    char c = in_[pos_];
    if (c == '{' || c == '}' || c == ':') return Error::Invalid("syntax error: bad substitution");
    std::string name = Name();
    if (pos_ >= in_.size()) return Error::Invalid("syntax error: missing '}'");
    char op = in_[pos_++];
    if (op == '}') return Lookup(name).value_or("");
    bool colon = false;
    if (op == ':') {
      colon = true;
      if (pos_ >= in_.size()) return Error::Invalid("syntax error: missing '}'");
      op = in_[pos_++];
    }
    if (op != '-' && op != '+' && op != '?') {
      if (colon) return Error::Invalid(std::string("unsupported modifier (") + op + ") in substitution");
      return Error::Invalid("missing ':' in substitution");
    }
    std::string word = BERTH_TRY(Process('}', nullptr));
    std::optional<std::string> v = Lookup(name);
    bool set = colon ? (v && !v->empty()) : v.has_value();
    switch (op) {
      case '-':
        return set ? *v : word;
      case '+':
        return set ? word : (v ? *v : std::string());
      default:  // '?'
        if (set) return *v;
        return Error::Invalid(name + ": " + (word.empty() ? "is not allowed to be unset" : word));
    }
  }

  std::string_view in_;
  const std::vector<std::string>& env_;
  char escape_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::string> ShellLex::ProcessWord(std::string_view word,
                                          const std::vector<std::string>& env) const {
  Lexer l(word, env, escape_);
  return l.Process(0, nullptr);
}

Result<std::vector<std::string>> ShellLex::ProcessWords(std::string_view word,
                                                        const std::vector<std::string>& env) const {
  Lexer l(word, env, escape_);
  Words words;
  BERTH_TRY(l.Process(0, &words));
  return words.Take();
}

}  // namespace berth::build::dockerfile
