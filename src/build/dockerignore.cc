// .dockerignore patterns (dockerignore.h), compiled to regular expressions
// the way Docker compiles them.
#include "build/dockerignore.h"

#include "base/fs.h"
#include "base/strings.h"

namespace berth::build {

namespace {

Result<std::regex> Compile(const std::string& pattern) {
  std::string re = "^";
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '*') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '*') {
        ++i;
        if (i + 1 < pattern.size() && pattern[i + 1] == '/') ++i;
        if (i + 1 >= pattern.size())
          re += ".*";
        else
          re += "(.*/)?";
      } else {
        re += "[^/]*";
      }
    } else if (c == '?') {
      re += "[^/]";
    } else if (c == '.' || c == '$') {
      re += '\\';
      re += c;
    } else if (c == '\\') {
      if (i + 1 < pattern.size()) {
        re += '\\';
        re += pattern[++i];
      } else {
        re += "\\\\";
      }
    } else {
      re += c;
    }
  }
  re += "$";
  try {
    return std::regex(re, std::regex::ECMAScript);
  } catch (const std::regex_error&) {
    return Error::Invalid("syntax error in pattern: " + pattern);
  }
}

}  // namespace

Result<IgnoreMatcher> IgnoreMatcher::Parse(std::string_view text) {
  std::vector<std::string> patterns;
  for (std::string line : str::Split(text, '\n')) {
    std::string_view t = str::Trim(line);
    if (t.empty() || t[0] == '#') continue;
    patterns.emplace_back(t);
  }
  return FromPatterns(patterns);
}

Result<IgnoreMatcher> IgnoreMatcher::FromPatterns(const std::vector<std::string>& patterns) {
  IgnoreMatcher m;
  for (const std::string& raw : patterns) {
    std::string p(str::Trim(raw));
    if (p.empty()) continue;
    Pattern pat;
    if (p[0] == '!') {
      p = std::string(str::Trim(std::string_view(p).substr(1)));
      if (p.empty()) return Error::Invalid("illegal exclusion pattern: \"!\"");
      pat.exception = true;
      m.has_exceptions_ = true;
    }
    p = fs::Clean(p);
    if (p.size() > 1 && p[0] == '/') p = p.substr(1);
    pat.text = p;
    pat.re = BERTH_TRY(Compile(p));
    pat.dirs = str::Split(p, '/').size();
    m.patterns_.push_back(std::move(pat));
  }
  return m;
}

bool IgnoreMatcher::Excluded(std::string_view path) const {
  std::string file(path);
  size_t slash = file.rfind('/');
  std::string parent = slash == std::string::npos ? "." : file.substr(0, slash);
  std::vector<std::string> parent_dirs = str::Split(parent, '/');
  bool matched = false;
  for (const Pattern& p : patterns_) {
    bool match = std::regex_match(file, p.re);
    if (!match && parent != "." && p.dirs <= parent_dirs.size()) {
      std::vector<std::string> prefix(parent_dirs.begin(), parent_dirs.begin() + p.dirs);
      match = std::regex_match(str::Join(prefix, "/"), p.re);
    }
    if (match) matched = !p.exception;
  }
  return matched;
}

}  // namespace berth::build
