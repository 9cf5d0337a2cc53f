#include <strings.h>
#include "cli/template.h"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "base/strings.h"

namespace berth::cli::tmpl {
namespace {

// ---- Values ---------------------------------------------------------------

Value NoValue() { return Value(Value::value_t::discarded); }

std::string GoFloat(double f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  // Go's %v: the shortest digits; exponent form when exp < -4 || exp >= 21
  // is encoding/json's rule, fmt's is exp < -4 || exp >= 6 (1e6 → "1e+06").
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  std::string e(buf, r.ptr);
  auto epos = e.find('e');
  int exp = std::atoi(e.c_str() + epos + 1);
  if (exp < -4 || exp >= 6) {
    std::string ex = e.substr(epos + 1);
    char sign = ex[0] == '-' ? '-' : '+';
    std::string digits = ex.substr(ex[0] == '-' || ex[0] == '+' ? 1 : 0);
    while (digits.size() > 2 && digits[0] == '0') digits.erase(0, 1);
    if (digits.size() < 2) digits = "0" + digits;
    return e.substr(0, epos) + "e" + sign + digits;
  }
  r = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

std::string TypeName(const Value& v) {
  switch (v.type()) {
    case Value::value_t::string: return "string";
    case Value::value_t::boolean: return "bool";
    case Value::value_t::number_integer:
    case Value::value_t::number_unsigned: return "int";
    case Value::value_t::number_float: return "float64";
    case Value::value_t::array: return "[]interface {}";
    case Value::value_t::object: return "map[string]interface {}";
    default: return "interface {}";
  }
}

}  // namespace

std::string GoString(const Value& v) {
  switch (v.type()) {
    case Value::value_t::discarded: return "<no value>";
    case Value::value_t::null: return "<nil>";
    case Value::value_t::string: return v.get<std::string>();
    case Value::value_t::boolean: return v.get<bool>() ? "true" : "false";
    case Value::value_t::number_integer: return std::to_string(v.get<int64_t>());
    case Value::value_t::number_unsigned: return std::to_string(v.get<uint64_t>());
    case Value::value_t::number_float: return GoFloat(v.get<double>());
    case Value::value_t::array: {
      std::string s = "[";
      bool first = true;
      for (const auto& e : v) {
        if (!first) s += ' ';
        first = false;
        s += GoString(e);
      }
      return s + "]";
    }
    case Value::value_t::object: {
      std::vector<std::string> keys;
      for (auto it = v.begin(); it != v.end(); ++it) keys.push_back(it.key());
      std::sort(keys.begin(), keys.end());
      std::string s = "map[";
      bool first = true;
      for (const auto& k : keys) {
        if (!first) s += ' ';
        first = false;
        s += k + ":" + GoString(v.at(k));
      }
      return s + "]";
    }
    default: return "";
  }
}

std::string JsonString(const Value& v) {
  if (v.is_discarded()) return "null";
  return v.dump(-1, ' ', false, Value::error_handler_t::replace);
}

bool Truth(const Value& v) {
  switch (v.type()) {
    case Value::value_t::boolean: return v.get<bool>();
    case Value::value_t::number_integer: return v.get<int64_t>() != 0;
    case Value::value_t::number_unsigned: return v.get<uint64_t>() != 0;
    case Value::value_t::number_float: return v.get<double>() != 0;
    case Value::value_t::string: return !v.get<std::string>().empty();
    case Value::value_t::array:
    case Value::value_t::object: return !v.empty();
    default: return false;
  }
}

// ---- Syntax tree ----------------------------------------------------------

struct Pipeline;

struct Operand {
  enum Kind { kDot, kField, kVar, kLiteral, kIdent, kPipe } kind = kDot;
  std::string name;                 // kVar: "$x"; kIdent: function name
  std::vector<std::string> fields;  // field chain applied after the term
  Value literal;
  std::shared_ptr<Pipeline> pipe;
  std::string text;  // as written, for error messages
};

struct Command {
  std::vector<Operand> args;
};

struct Pipeline {
  std::vector<std::string> decl;  // variables declared (or assigned)
  bool assign = false;            // "=" rather than ":="
  std::vector<Command> cmds;
  int line = 1, col = 0;
  std::string text;
};

struct Node {
  enum Kind { kText, kAction, kIf, kRange, kWith } kind = kText;
  std::string text;
  Pipeline pipe;
  std::vector<Node> list, else_list;
};

struct Impl {
  std::vector<Node> root;
  FuncMap funcs;
  std::string strict_type;
};

namespace {

// ---- Lexer ----------------------------------------------------------------

struct Token {
  enum Kind {
    kEOF, kField, kDot, kVar, kIdent, kString, kNumber, kBool, kNil, kLParen,
    kRParen, kPipe, kDeclare, kAssign, kComma
  } kind = kEOF;
  std::string text;
  Value value;
  bool space_before = false;
};

Error ParseError(int line, const std::string& msg) {
  return Error::Invalid(fmt::format("template: :{}: {}", line, msg));
}

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

Result<std::vector<Token>> LexAction(std::string_view s, int line) {
  std::vector<Token> out;
  size_t i = 0;
  bool space = false;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      ++i;
      continue;
    }
    Token t;
    t.space_before = space;
    space = false;
    if (c == '.' && i + 1 < s.size() && IsIdentChar(s[i + 1]) &&
        !std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      size_t j = i + 1;
      while (j < s.size() && IsIdentChar(s[j])) ++j;
      t.kind = Token::kField;
      t.text = std::string(s.substr(i + 1, j - i - 1));
      i = j;
    } else if (c == '.') {
      t.kind = Token::kDot;
      t.text = ".";
      ++i;
    } else if (c == '$') {
      size_t j = i + 1;
      while (j < s.size() && IsIdentChar(s[j])) ++j;
      t.kind = Token::kVar;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else if (c == '"') {
      std::string v;
      size_t j = i + 1;
      bool closed = false;
      while (j < s.size()) {
        char d = s[j];
        if (d == '"') {
          closed = true;
          ++j;
          break;
        }
        if (d == '\\' && j + 1 < s.size()) {
          char e = s[j + 1];
          j += 2;
          switch (e) {
            case 'n': v += '\n'; break;
            case 't': v += '\t'; break;
            case 'r': v += '\r'; break;
            case '\\': v += '\\'; break;
            case '"': v += '"'; break;
            case '\'': v += '\''; break;
            case '0': v += '\0'; break;
            default: return ParseError(line, fmt::format("invalid syntax: \\{}", e));
          }
          continue;
        }
        v += d;
        ++j;
      }
      if (!closed) return ParseError(line, "unterminated quoted string");
      t.kind = Token::kString;
      t.text = std::string(s.substr(i, j - i));
      t.value = v;
      i = j;
    } else if (c == '`') {
      size_t j = s.find('`', i + 1);
      if (j == std::string_view::npos) return ParseError(line, "unterminated raw quoted string");
      t.kind = Token::kString;
      t.value = std::string(s.substr(i + 1, j - i - 1));
      t.text = std::string(s.substr(i, j - i + 1));
      i = j + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               ((c == '-' || c == '+') && i + 1 < s.size() &&
                std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      size_t j = i + 1;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '.' ||
                              s[j] == '_' ||
                              ((s[j] == '-' || s[j] == '+') && (s[j - 1] == 'e' || s[j - 1] == 'E'))))
        ++j;
      std::string num(s.substr(i, j - i));
      t.kind = Token::kNumber;
      t.text = num;
      std::string clean;
      for (char d : num)
        if (d != '_') clean += d;
      bool hex = clean.size() > 2 && clean[0] == '0' && (clean[1] == 'x' || clean[1] == 'X');
      if (auto iv = hex ? str::ParseInt(clean.substr(2), 16) : str::ParseInt(clean, 10)) {
        t.value = *iv;
      } else {
        char* end = nullptr;
        double d = std::strtod(clean.c_str(), &end);
        if (end == nullptr || *end != '\0') return ParseError(line, "bad number syntax: \"" + num + "\"");
        t.value = d;
      }
      i = j;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < s.size() && IsIdentChar(s[j])) ++j;
      t.text = std::string(s.substr(i, j - i));
      if (t.text == "true" || t.text == "false") {
        t.kind = Token::kBool;
        t.value = t.text == "true";
      } else if (t.text == "nil") {
        t.kind = Token::kNil;
      } else {
        t.kind = Token::kIdent;
      }
      i = j;
    } else if (c == '(') {
      t.kind = Token::kLParen, t.text = "(", ++i;
    } else if (c == ')') {
      t.kind = Token::kRParen, t.text = ")", ++i;
    } else if (c == '|') {
      t.kind = Token::kPipe, t.text = "|", ++i;
    } else if (c == ',') {
      t.kind = Token::kComma, t.text = ",", ++i;
    } else if (c == ':' && i + 1 < s.size() && s[i + 1] == '=') {
      t.kind = Token::kDeclare, t.text = ":=", i += 2;
    } else if (c == '=') {
      t.kind = Token::kAssign, t.text = "=", ++i;
    } else {
      return ParseError(line, fmt::format("unexpected \"{}\" in command", c));
    }
    out.push_back(std::move(t));
  }
  Token eof;
  eof.space_before = true;
  out.push_back(eof);
  return out;
}

// ---- Parser ---------------------------------------------------------------

class Parser {
 public:
  Parser(std::string_view text, const FuncMap& funcs) : text_(text), funcs_(funcs) {}

  Result<std::vector<Node>> ParseAll() {
    std::string end_word;
    auto list = BERTH_TRY(ParseList(&end_word));
    if (!end_word.empty()) return ParseError(line_, fmt::format("unexpected {{{{{}}}}}", end_word));
    return list;
  }

 private:
  // One action's text, with the position of its first character.
  struct Action {
    std::string body;
    int line = 1, col = 0;
  };

  // Reads literal text up to the next action; returns false at the end.
  bool NextAction(std::string* text, Action* action, bool* eof) {
    *eof = false;
    size_t open = text_.find("{{", pos_);
    if (open == std::string_view::npos) {
      *text = std::string(text_.substr(pos_));
      pos_ = text_.size();
      *eof = true;
      return true;
    }
    *text = std::string(text_.substr(pos_, open - pos_));
    if (trim_next_) {
      size_t k = 0;
      while (k < text->size() && std::isspace(static_cast<unsigned char>((*text)[k]))) ++k;
      text->erase(0, k);
      trim_next_ = false;
    }
    size_t start = open + 2;
    if (start + 1 < text_.size() && text_[start] == '-' &&
        std::isspace(static_cast<unsigned char>(text_[start + 1]))) {
      while (!text->empty() && std::isspace(static_cast<unsigned char>(text->back()))) text->pop_back();
      start += 2;
    }
    // Find the closing delimiter outside quotes.
    size_t i = start;
    char quote = 0;
    size_t close = std::string_view::npos;
    while (i < text_.size()) {
      char c = text_[i];
      if (quote) {
        if (c == '\\' && quote == '"') {
          i += 2;
          continue;
        }
        if (c == quote) quote = 0;
        ++i;
        continue;
      }
      if (c == '"' || c == '`') {
        quote = c;
        ++i;
        continue;
      }
      if (c == '}' && i + 1 < text_.size() && text_[i + 1] == '}') {
        close = i;
        break;
      }
      ++i;
    }
    line_ = 1 + static_cast<int>(std::count(text_.begin(), text_.begin() + static_cast<long>(open), '\n'));
    if (close == std::string_view::npos) {
      error_ = ParseError(line_, "unclosed action");
      return false;
    }
    size_t body_end = close;
    if (body_end >= start + 2 && text_[body_end - 1] == '-' &&
        std::isspace(static_cast<unsigned char>(text_[body_end - 2]))) {
      body_end -= 2;
      trim_next_ = true;
    }
    action->body = std::string(text_.substr(start, body_end - start));
    size_t line_start = text_.rfind('\n', open);
    action->line = line_;
    action->col = static_cast<int>(open - (line_start == std::string_view::npos ? 0 : line_start + 1)) + 2;
    pos_ = close + 2;
    return true;
  }

  // Parses nodes until {{end}} or {{else...}} (returned in *end_word with
  // the rest of the else action in else_rest_) or the end of the text.
  Result<std::vector<Node>> ParseList(std::string* end_word) {
    std::vector<Node> list;
    end_word->clear();
    for (;;) {
      std::string text;
      Action act;
      bool eof = false;
      if (!NextAction(&text, &act, &eof)) return std::move(*error_);
      if (trim_next_ && eof) {
        size_t k = 0;
        while (k < text.size() && std::isspace(static_cast<unsigned char>(text[k]))) ++k;
        text.erase(0, k);
      }
      if (!text.empty()) {
        Node n;
        n.kind = Node::kText;
        n.text = std::move(text);
        list.push_back(std::move(n));
      }
      if (eof) return list;
      std::string_view body = str::Trim(act.body);
      if (str::StartsWith(body, "/*")) {
        if (!str::EndsWith(body, "*/")) return ParseError(act.line, "unclosed comment");
        continue;
      }
      if (body.empty()) return ParseError(act.line, "missing value for command");
      auto toks = BERTH_TRY(LexAction(body, act.line));
      if (toks[0].kind == Token::kIdent) {
        const std::string& w = toks[0].text;
        if (w == "end" || w == "else") {
          *end_word = w;
          else_rest_.assign(toks.begin() + 1, toks.end());
          else_action_ = act;
          if (w == "end" && toks.size() > 2) return ParseError(act.line, "unexpected token in end");
          return list;
        }
        if (w == "if" || w == "range" || w == "with") {
          std::vector<Token> rest(toks.begin() + 1, toks.end());
          auto node = BERTH_TRY(ParseControl(w, rest, act));
          list.push_back(std::move(node));
          continue;
        }
        if (w == "define" || w == "template" || w == "block" || w == "break" || w == "continue") {
          return ParseError(act.line, fmt::format("{{{{{}}}}} is not supported", w));
        }
      }
      Node n;
      n.kind = Node::kAction;
      n.pipe = BERTH_TRY(ParsePipeline(toks, act, true));
      list.push_back(std::move(n));
    }
  }

  Result<Node> ParseControl(const std::string& word, const std::vector<Token>& toks,
                            const Action& act) {
    Node n;
    n.kind = word == "if" ? Node::kIf : word == "range" ? Node::kRange : Node::kWith;
    n.pipe = BERTH_TRY(ParsePipeline(toks, act, true));
    if (n.pipe.cmds.empty()) return ParseError(act.line, fmt::format("missing value for {}", word));
    std::string end_word;
    n.list = BERTH_TRY(ParseList(&end_word));
    if (end_word.empty()) return ParseError(line_, "unexpected EOF");
    if (end_word == "else") {
      std::vector<Token> rest = else_rest_;
      Action else_act = else_action_;
      if (rest.size() > 1 && rest[0].kind == Token::kIdent &&
          (rest[0].text == "if" || (rest[0].text == "with" && n.kind == Node::kWith))) {
        // {{else if …}}: an if node nested in the else branch that consumes
        // the shared {{end}}.
        std::string w = rest[0].text;
        std::vector<Token> cond(rest.begin() + 1, rest.end());
        auto inner = BERTH_TRY(ParseControl(w, cond, else_act));
        n.else_list.push_back(std::move(inner));
        return n;
      }
      if (rest.size() > 1) return ParseError(else_act.line, "unexpected token in else");
      n.else_list = BERTH_TRY(ParseList(&end_word));
      if (end_word != "end") return ParseError(line_, end_word.empty() ? "unexpected EOF" : "expected end; found {{else}}");
    }
    return n;
  }

  Result<Pipeline> ParsePipeline(const std::vector<Token>& toks, const Action& act, bool top) {
    size_t i = 0;
    return ParsePipelineAt(toks, &i, act, top);
  }

  Result<Pipeline> ParsePipelineAt(const std::vector<Token>& toks, size_t* i, const Action& act,
                                   bool top) {
    Pipeline p;
    p.line = act.line;
    p.col = act.col;
    p.text = std::string(str::Trim(act.body));
    // Declarations: $x := … / $k, $v := … / $x = …
    if (toks[*i].kind == Token::kVar) {
      size_t j = *i;
      std::vector<std::string> names{toks[j].text};
      ++j;
      if (toks[j].kind == Token::kComma && toks[j + 1].kind == Token::kVar) {
        names.push_back(toks[j + 1].text);
        j += 2;
      }
      if (toks[j].kind == Token::kDeclare || toks[j].kind == Token::kAssign) {
        p.decl = names;
        p.assign = toks[j].kind == Token::kAssign;
        *i = j + 1;
      }
    }
    for (;;) {
      Command cmd;
      while (toks[*i].kind != Token::kEOF && toks[*i].kind != Token::kPipe &&
             toks[*i].kind != Token::kRParen) {
        auto op = BERTH_TRY(ParseOperand(toks, i, act));
        cmd.args.push_back(std::move(op));
      }
      if (cmd.args.empty()) return ParseError(act.line, "missing value for command");
      p.cmds.push_back(std::move(cmd));
      if (toks[*i].kind == Token::kPipe) {
        ++*i;
        continue;
      }
      break;
    }
    if (top && toks[*i].kind != Token::kEOF)
      return ParseError(act.line, fmt::format("unexpected \"{}\" in operand", toks[*i].text));
    return p;
  }

  Result<Operand> ParseOperand(const std::vector<Token>& toks, size_t* i, const Action& act) {
    const Token& t = toks[*i];
    Operand op;
    op.text = t.text;
    switch (t.kind) {
      case Token::kField:
        op.kind = Operand::kField;
        op.fields.push_back(t.text);
        op.text = "." + t.text;
        ++*i;
        break;
      case Token::kDot: op.kind = Operand::kDot; ++*i; break;
      case Token::kVar: op.kind = Operand::kVar; op.name = t.text; ++*i; break;
      case Token::kString:
      case Token::kNumber:
      case Token::kBool:
        op.kind = Operand::kLiteral;
        op.literal = t.value;
        ++*i;
        break;
      case Token::kNil:
        op.kind = Operand::kLiteral;
        op.literal = nullptr;
        ++*i;
        break;
      case Token::kIdent:
        if (funcs_.find(t.text) == funcs_.end())
          return ParseError(act.line, fmt::format("function \"{}\" not defined", t.text));
        op.kind = Operand::kIdent;
        op.name = t.text;
        ++*i;
        return op;
      case Token::kLParen: {
        ++*i;
        auto sub = BERTH_TRY(ParsePipelineAt(toks, i, act, false));
        if (toks[*i].kind != Token::kRParen) return ParseError(act.line, "unclosed left paren");
        ++*i;
        op.kind = Operand::kPipe;
        op.pipe = std::make_shared<Pipeline>(std::move(sub));
        op.text = "(" + op.pipe->text + ")";
        break;
      }
      default:
        return ParseError(act.line, fmt::format("unexpected \"{}\" in operand", t.text));
    }
    // A field chain written right after the term: .A.B, $x.A, (…).A
    while (toks[*i].kind == Token::kField && !toks[*i].space_before) {
      op.fields.push_back(toks[*i].text);
      op.text += "." + toks[*i].text;
      ++*i;
    }
    return op;
  }

  std::string_view text_;
  const FuncMap& funcs_;
  size_t pos_ = 0;
  int line_ = 1;
  bool trim_next_ = false;
  std::optional<Error> error_;
  std::vector<Token> else_rest_;
  Action else_action_;
};

// ---- Built-in functions ---------------------------------------------------

Error ArgCount(const char* name, size_t want, size_t got) {
  return Error::Invalid(fmt::format("wrong number of args for {}: want {} got {}", name, want, got));
}

Result<std::string> WantString(const Value& v) {
  if (!v.is_string())
    return Error::Invalid(fmt::format("wrong type for value; expected string; got {}", TypeName(v)));
  return v.get<std::string>();
}

Result<int64_t> WantInt(const Value& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  return Error::Invalid(fmt::format("wrong type for value; expected int; got {}", TypeName(v)));
}

bool IsNumber(const Value& v) { return v.is_number(); }

// <0, 0, >0; kInvalidArgument when the kinds differ.
Result<int> Compare(const Value& a, const Value& b, bool ordered) {
  if (IsNumber(a) && IsNumber(b)) {
    if (a.is_number_integer() && b.is_number_integer()) {
      int64_t x = a.get<int64_t>(), y = b.get<int64_t>();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    double x = a.get<double>(), y = b.get<double>();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) {
    int c = a.get<std::string>().compare(b.get<std::string>());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (!ordered) {
    if (a.is_boolean() && b.is_boolean()) return a.get<bool>() == b.get<bool>() ? 0 : 1;
    bool an = a.is_null() || a.is_discarded(), bn = b.is_null() || b.is_discarded();
    if (an || bn) return an && bn ? 0 : 1;
    if (a.type() == b.type()) return a == b ? 0 : 1;
  }
  return Error::Invalid("incompatible types for comparison");
}

// Go's fmt.Sprint: a space between operands when neither is a string.
std::string Sprint(const std::vector<Value>& args) {
  std::string s;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0 && !args[i].is_string() && !args[i - 1].is_string()) s += ' ';
    s += GoString(args[i]);
  }
  return s;
}

std::string GoQuote(const std::string& s) {
  std::string q = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': q += "\\\""; break;
      case '\\': q += "\\\\"; break;
      case '\n': q += "\\n"; break;
      case '\t': q += "\\t"; break;
      case '\r': q += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) q += fmt::format("\\x{:02x}", c);
        else q += static_cast<char>(c);
    }
  }
  return q + "\"";
}

// A small fmt.Sprintf: flags '-' and '0', width, precision; verbs v s d q t f x %.
std::string Sprintf(const std::string& f, const std::vector<Value>& args) {
  std::string out;
  size_t ai = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') {
      out += f[i];
      continue;
    }
    size_t j = i + 1;
    bool left = false, zero = false;
    while (j < f.size() && (f[j] == '-' || f[j] == '0' || f[j] == '+' || f[j] == ' ')) {
      if (f[j] == '-') left = true;
      if (f[j] == '0') zero = true;
      ++j;
    }
    int width = 0, prec = -1;
    while (j < f.size() && std::isdigit(static_cast<unsigned char>(f[j]))) width = width * 10 + (f[j++] - '0');
    if (j < f.size() && f[j] == '.') {
      prec = 0;
      ++j;
      while (j < f.size() && std::isdigit(static_cast<unsigned char>(f[j]))) prec = prec * 10 + (f[j++] - '0');
    }
    if (j >= f.size()) {
      out += "%!(NOVERB)";
      break;
    }
    char verb = f[j];
    i = j;
    if (verb == '%') {
      out += '%';
      continue;
    }
    if (ai >= args.size()) {
      out += fmt::format("%!{}(MISSING)", verb);
      continue;
    }
    const Value& a = args[ai++];
    std::string s;
    switch (verb) {
      case 'd':
        s = a.is_number() ? std::to_string(a.get<int64_t>()) : "%!d(" + GoString(a) + ")";
        break;
      case 'f':
        s = a.is_number() ? fmt::format("{:.{}f}", a.get<double>(), prec < 0 ? 6 : prec)
                          : "%!f(" + GoString(a) + ")";
        break;
      case 'x':
        if (a.is_number_integer()) s = fmt::format("{:x}", a.get<int64_t>());
        else {
          for (unsigned char c : GoString(a)) s += fmt::format("{:02x}", c);
        }
        break;
      case 'q': s = GoQuote(GoString(a)); break;
      default:
        s = GoString(a);
        if (verb == 's' && prec >= 0 && static_cast<size_t>(prec) < s.size()) s.resize(static_cast<size_t>(prec));
    }
    if (static_cast<int>(s.size()) < width) {
      std::string pad(static_cast<size_t>(width) - s.size(), zero && !left ? '0' : ' ');
      s = left ? s + pad : pad + s;
    }
    out += s;
  }
  if (ai < args.size()) {
    out += "%!(EXTRA ";
    for (size_t k = ai; k < args.size(); ++k) {
      if (k > ai) out += ", ";
      out += TypeName(args[k]) + "=" + GoString(args[k]);
    }
    out += ")";
  }
  return out;
}

std::string Title(const std::string& s) {
  std::string out = s;
  bool start = true;
  for (char& c : out) {
    bool letter = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80);
    if (letter && start) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    start = !letter;
  }
  return out;
}

FuncMap Builtins() {
  FuncMap m;
  m["json"] = [](const std::vector<Value>& a) -> Result<Value> {
    if (a.size() != 1) return ArgCount("json", 1, a.size());
    return Value(JsonString(a[0]));
  };
  m["join"] = [](const std::vector<Value>& a) -> Result<Value> {
    if (a.size() != 2) return ArgCount("join", 2, a.size());
    if (!a[0].is_array())
      return Error::Invalid(fmt::format("wrong type for value; expected []string; got {}", TypeName(a[0])));
    auto sep = BERTH_TRY(WantString(a[1]));
    std::vector<std::string> parts;
    for (const auto& e : a[0]) parts.push_back(GoString(e));
    return Value(str::Join(parts, sep));
  };
  m["split"] = [](const std::vector<Value>& a) -> Result<Value> {
    if (a.size() != 2) return ArgCount("split", 2, a.size());
    auto s = BERTH_TRY(WantString(a[0]));
    auto sep = BERTH_TRY(WantString(a[1]));
    Value out = Value::array();
    if (sep.empty()) {
      for (char c : s) out.push_back(std::string(1, c));
      return out;
    }
    size_t start = 0;
    for (;;) {
      size_t p = s.find(sep, start);
      if (p == std::string::npos) break;
      out.push_back(s.substr(start, p - start));
      start = p + sep.size();
    }
    out.push_back(s.substr(start));
    return out;
  };
  m["lower"] = [](const std::vector<Value>& a) -> Result<Value> {
    if (a.size() != 1) return ArgCount("lower", 1, a.size());
    return Value(str::ToLower(BERTH_TRY(WantString(a[0]))));
  };
  m["upper"] = [](const std::vector<Value>& a) -> Result<Value> {
    if (a.size() != 1) return ArgCount("upper", 1, a.size());
    std::string s = BERTH_TRY(WantString(a[0]));
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return Value(s);
  };
  m["title"] = [](const std::vector<Value>& a) -> Result<Value> {
    if (a.size() != 1) return ArgCount("title", 1, a.size());
    return Value(Title(BERTH_TRY(WantString(a[0]))));
  };
  m["pad"] = [](const std::vector<Value>& a) -> Result<Value> {
    if (a.size() != 3) return ArgCount("pad", 3, a.size());
    std::string s = BERTH_TRY(WantString(a[0]));
    int64_t pre = BERTH_TRY(WantInt(a[1]));
    int64_t post = BERTH_TRY(WantInt(a[2]));
    if (s.empty()) return Value("");
    return Value(std::string(static_cast<size_t>(std::max<int64_t>(pre, 0)), ' ') + s +
                 std::string(static_cast<size_t>(std::max<int64_t>(post, 0)), ' '));
  };
  m["truncate"] = [](const std::vector<Value>& a) -> Result<Value> {
    if (a.size() != 2) return ArgCount("truncate", 2, a.size());
    std::string s = BERTH_TRY(WantString(a[0]));
    int64_t n = BERTH_TRY(WantInt(a[1]));
    if (n < 0 || static_cast<size_t>(n) > s.size()) return Value(s);
    return Value(s.substr(0, static_cast<size_t>(n)));
  };
  m["len"] = [](const std::vector<Value>& a) -> Result<Value> {
    if (a.size() != 1) return ArgCount("len", 1, a.size());
    if (a[0].is_string()) return Value(static_cast<int64_t>(a[0].get<std::string>().size()));
    if (a[0].is_array() || a[0].is_object()) return Value(static_cast<int64_t>(a[0].size()));
    return Error::Invalid(fmt::format("error calling len: len of type {}", TypeName(a[0])));
  };
  m["index"] = [](const std::vector<Value>& a) -> Result<Value> {
    if (a.empty()) return ArgCount("index", 1, 0);
    Value cur = a[0];
    for (size_t i = 1; i < a.size(); ++i) {
      if (cur.is_object()) {
        auto key = BERTH_TRY(WantString(a[i]));
        auto it = cur.find(key);
        if (it == cur.end()) return Value("");
        Value next = *it;
        cur = std::move(next);
      } else if (cur.is_array()) {
        auto idx = BERTH_TRY(WantInt(a[i]));
        if (idx < 0 || static_cast<size_t>(idx) >= cur.size())
          return Error::Invalid(fmt::format("error calling index: index out of range: {}", idx));
        Value next = cur[static_cast<size_t>(idx)];
        cur = std::move(next);
      } else if (cur.is_null() || cur.is_discarded()) {
        return Error::Invalid("error calling index: index of untyped nil");
      } else {
        return Error::Invalid(fmt::format("error calling index: can't index item of type {}", TypeName(cur)));
      }
    }
    return cur;
  };
  m["print"] = [](const std::vector<Value>& a) -> Result<Value> { return Value(Sprint(a)); };
  m["println"] = [](const std::vector<Value>& a) -> Result<Value> {
    std::string s;
    for (size_t i = 0; i < a.size(); ++i) {
      if (i > 0) s += ' ';
      s += GoString(a[i]);
    }
    return Value(s + "\n");
  };
  m["printf"] = [](const std::vector<Value>& a) -> Result<Value> {
    if (a.empty()) return ArgCount("printf", 1, 0);
    auto f = BERTH_TRY(WantString(a[0]));
    return Value(Sprintf(f, std::vector<Value>(a.begin() + 1, a.end())));
  };
  m["not"] = [](const std::vector<Value>& a) -> Result<Value> {
    if (a.size() != 1) return ArgCount("not", 1, a.size());
    return Value(!Truth(a[0]));
  };
  m["and"] = [](const std::vector<Value>& a) -> Result<Value> {
    if (a.empty()) return ArgCount("and", 1, 0);
    for (const auto& v : a)
      if (!Truth(v)) return v;
    return a.back();
  };
  m["or"] = [](const std::vector<Value>& a) -> Result<Value> {
    if (a.empty()) return ArgCount("or", 1, 0);
    for (const auto& v : a)
      if (Truth(v)) return v;
    return a.back();
  };
  m["eq"] = [](const std::vector<Value>& a) -> Result<Value> {
    if (a.size() < 2) return Error::Invalid("missing argument for comparison");
    for (size_t i = 1; i < a.size(); ++i) {
      int c = BERTH_TRY(Compare(a[0], a[i], false));
      if (c == 0) return Value(true);
    }
    return Value(false);
  };
  m["ne"] = [](const std::vector<Value>& a) -> Result<Value> {
    if (a.size() != 2) return ArgCount("ne", 2, a.size());
    return Value(BERTH_TRY(Compare(a[0], a[1], false)) != 0);
  };
  auto ordered = [](const char* name, bool (*pred)(int)) {
    return [name, pred](const std::vector<Value>& a) -> Result<Value> {
      if (a.size() != 2) return ArgCount(name, 2, a.size());
      return Value(pred(BERTH_TRY(Compare(a[0], a[1], true))));
    };
  };
  m["lt"] = ordered("lt", [](int c) { return c < 0; });
  m["le"] = ordered("le", [](int c) { return c <= 0; });
  m["gt"] = ordered("gt", [](int c) { return c > 0; });
  m["ge"] = ordered("ge", [](int c) { return c >= 0; });
  return m;
}

// ---- Execution ------------------------------------------------------------

class Exec {
 public:
  Exec(const Impl& t, const Value& root, std::string* out) : t_(t), out_(out) {
    vars_.push_back({"$", root});
  }

  Status Walk(const std::vector<Node>& list, const Value& dot) {
    for (const auto& n : list) BERTH_TRY(WalkNode(n, dot));
    return Ok();
  }

 private:
  Status WalkNode(const Node& n, const Value& dot) {
    switch (n.kind) {
      case Node::kText:
        *out_ += n.text;
        return Ok();
      case Node::kAction: {
        Value v = BERTH_TRY(EvalPipeline(n.pipe, dot));
        if (n.pipe.decl.empty()) *out_ += GoString(v);
        return Ok();
      }
      case Node::kIf:
      case Node::kWith: {
        size_t mark = vars_.size();
        Value v = BERTH_TRY(EvalPipeline(n.pipe, dot));
        Status st;
        if (Truth(v)) st = Walk(n.list, n.kind == Node::kWith ? v : dot);
        else st = Walk(n.else_list, dot);
        vars_.resize(mark);
        return st;
      }
      case Node::kRange: return WalkRange(n, dot);
    }
    return Ok();
  }

  Status WalkRange(const Node& n, const Value& dot) {
    size_t mark = vars_.size();
    // The pipeline is evaluated without its declarations; they name the
    // key/index and the element.
    Pipeline p = n.pipe;
    std::vector<std::string> decl = std::move(p.decl);
    p.decl.clear();
    Value v = BERTH_TRY(EvalPipeline(p, dot));
    auto body = [&](const Value& key, const Value& elem) -> Status {
      size_t m2 = vars_.size();
      if (decl.size() == 1) vars_.push_back({decl[0], elem});
      if (decl.size() == 2) {
        vars_.push_back({decl[0], key});
        vars_.push_back({decl[1], elem});
      }
      Status st = Walk(n.list, elem);
      vars_.resize(m2);
      return st;
    };
    bool any = false;
    if (v.is_array()) {
      int64_t i = 0;
      for (const auto& e : v) {
        any = true;
        BERTH_TRY(body(Value(i++), e));
      }
    } else if (v.is_object()) {
      std::vector<std::string> keys;
      for (auto it = v.begin(); it != v.end(); ++it) keys.push_back(it.key());
      std::sort(keys.begin(), keys.end());
      for (const auto& k : keys) {
        any = true;
        BERTH_TRY(body(Value(k), v.at(k)));
      }
    } else if (v.is_number_integer()) {
      for (int64_t i = 0; i < v.get<int64_t>(); ++i) {
        any = true;
        BERTH_TRY(body(Value(i), Value(i)));
      }
    } else if (!v.is_null() && !v.is_discarded()) {
      return ExecError(n.pipe, fmt::format("range can't iterate over {}", GoString(v)));
    }
    if (!any) BERTH_TRY(Walk(n.else_list, dot));
    vars_.resize(mark);
    return Ok();
  }

  Error ExecError(const Pipeline& p, const std::string& msg) const {
    return Error::Invalid(fmt::format("template: :{}:{}: executing \"\" at <{}>: {}", p.line, p.col,
                                      p.text, msg));
  }

  Result<Value> EvalPipeline(const Pipeline& p, const Value& dot) {
    Value v;
    bool have = false;
    for (const auto& cmd : p.cmds) {
      v = BERTH_TRY(EvalCommand(p, cmd, dot, have ? &v : nullptr));
      have = true;
    }
    if (!p.decl.empty()) {
      if (p.assign) {
        for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
          if (it->first == p.decl[0]) {
            it->second = v;
            return v;
          }
        }
        return ExecError(p, fmt::format("undefined variable: {}", p.decl[0]));
      }
      vars_.push_back({p.decl[0], v});
    }
    return v;
  }

  Result<Value> EvalCommand(const Pipeline& p, const Command& cmd, const Value& dot,
                            const Value* piped) {
    const Operand& first = cmd.args[0];
    if (first.kind == Operand::kIdent) {
      std::vector<Value> args;
      for (size_t i = 1; i < cmd.args.size(); ++i) args.push_back(BERTH_TRY(EvalOperand(p, cmd.args[i], dot)));
      if (piped) args.push_back(*piped);
      auto it = t_.funcs.find(first.name);
      // and/or with literal operands evaluate eagerly here: harmless, the
      // operands have no side effects.
      auto r = it->second(args);
      if (!r.ok()) {
        const std::string& m = r.error().message();
        if (str::StartsWith(m, "error calling") || str::StartsWith(m, "wrong number"))
          return ExecError(p, m);
        return ExecError(p, fmt::format("error calling {}: {}", first.name, m));
      }
      return std::move(r).value();
    }
    if (cmd.args.size() > 1 || piped) {
      return ExecError(p, fmt::format("can't give argument to non-function {}", first.text));
    }
    return EvalOperand(p, first, dot);
  }

  Result<Value> EvalOperand(const Pipeline& p, const Operand& op, const Value& dot) {
    Value base;
    bool root_fields = false;
    switch (op.kind) {
      case Operand::kDot:
        base = dot;
        break;
      case Operand::kField:
        base = dot;
        root_fields = &dot == &vars_[0].second || dot == vars_[0].second;
        break;
      case Operand::kVar: {
        bool found = false;
        for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
          if (it->first == op.name) {
            base = it->second;
            found = true;
            break;
          }
        }
        if (!found) return ExecError(p, fmt::format("undefined variable: {}", op.name));
        root_fields = op.name == "$";
        break;
      }
      case Operand::kLiteral: base = op.literal; break;
      case Operand::kPipe: base = BERTH_TRY(EvalPipeline(*op.pipe, dot)); break;
      case Operand::kIdent: {
        auto it = t_.funcs.find(op.name);
        auto r = it->second({});
        if (!r.ok()) return ExecError(p, fmt::format("error calling {}: {}", op.name, r.error().message()));
        base = std::move(r).value();
        break;
      }
    }
    for (size_t i = 0; i < op.fields.size(); ++i) {
      const std::string& f = op.fields[i];
      if (base.is_object()) {
        auto it = base.find(f);
        // Go templates see struct fields (APIVersion) where the API's JSON
        // has its tags (ApiVersion): match those case-insensitively.
        if (it == base.end()) {
          for (auto j = base.begin(); j != base.end(); ++j)
            if (strcasecmp(j.key().c_str(), f.c_str()) == 0) {
              it = j;
              break;
            }
        }
        if (it == base.end()) {
          if (i == 0 && root_fields && !t_.strict_type.empty())
            return ExecError(p, fmt::format("can't evaluate field {} in type {}", f, t_.strict_type));
          base = NoValue();
        } else {
          Value next = *it;
          base = std::move(next);
        }
      } else if (base.is_null() || base.is_discarded()) {
        return ExecError(p, fmt::format("nil pointer evaluating interface {{}}.{}", f));
      } else {
        return ExecError(p, fmt::format("can't evaluate field {} in type {}", f, TypeName(base)));
      }
    }
    return base;
  }

  const Impl& t_;
  std::string* out_;
  std::vector<std::pair<std::string, Value>> vars_;
};

}  // namespace

Result<Template> Template::Parse(std::string_view text, const FuncMap& funcs) {
  auto impl = std::make_shared<Impl>();
  impl->funcs = Builtins();
  for (const auto& [k, v] : funcs) impl->funcs[k] = v;
  Parser parser(text, impl->funcs);
  impl->root = BERTH_TRY(parser.ParseAll());
  Template t;
  t.impl_ = std::move(impl);
  return t;
}

Status Template::Execute(const Value& data, std::string* out) const {
  Exec ex(*impl_, data, out);
  return ex.Walk(impl_->root, data);
}

Result<std::string> Template::Execute(const Value& data) const {
  std::string out;
  BERTH_TRY(Execute(data, &out));
  return out;
}

void Template::set_strict_type(std::string type) {
  auto copy = std::make_shared<Impl>(*impl_);
  copy->strict_type = std::move(type);
  impl_ = std::move(copy);
}

FuncMap HeaderFuncs() {
  FuncMap m;
  auto same = [](const std::vector<Value>& a) -> Result<Value> {
    if (a.empty()) return Value("");
    return a[0];
  };
  for (const char* name : {"json", "split", "join", "title", "lower", "upper", "pad", "truncate"})
    m[name] = same;
  return m;
}

}  // namespace berth::cli::tmpl
