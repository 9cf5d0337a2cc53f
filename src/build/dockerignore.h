// .dockerignore: which files of a build context are left out, with Docker's
// rules. Each line is a pattern; blank lines and lines starting with "#"
// are skipped; "!" makes an exception (files it matches are included
// again); patterns are cleaned as paths (a leading "/" and a trailing "/"
// mean nothing); "*" and "?" do not cross "/", "**" matches any number of
// directories (including none); the last matching pattern decides. A
// pattern that matches a directory excludes everything below it.
#pragma once

#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::build {

class IgnoreMatcher {
 public:
  // Reads .dockerignore text. kInvalidArgument for a bad pattern.
  static Result<IgnoreMatcher> Parse(std::string_view text);
  static Result<IgnoreMatcher> FromPatterns(const std::vector<std::string>& patterns);

  // path is relative to the context root, "/"-separated ("a/b.txt").
  bool Excluded(std::string_view path) const;
  // Whether any "!" pattern exists (a walk must then descend into
  // excluded directories, as files below may be included again).
  bool HasExceptions() const { return has_exceptions_; }
  bool Empty() const { return patterns_.empty(); }

 private:
  struct Pattern {
    std::string text;
    std::regex re;
    size_t dirs = 0;  // path components in the pattern
    bool exception = false;
  };
  std::vector<Pattern> patterns_;
  bool has_exceptions_ = false;
};

}  // namespace berth::build
