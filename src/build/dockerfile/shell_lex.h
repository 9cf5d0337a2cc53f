// Variable substitution in Dockerfile words, with the rules of Docker's
// shell lexer (not a POSIX shell): $v and ${v}; ${v:-word}, ${v:+word},
// ${v-word}, ${v+word}, ${v:?msg}, ${v?msg}; single quotes are literal;
// inside double quotes the escape character escapes only ", $ and itself;
// outside quotes it escapes any character. Quotes are removed.
//
// env is a list of "KEY=VALUE" entries; the first entry for a key wins
// (callers put ENV before build args, so ENV overrides ARG).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::build::dockerfile {

class ShellLex {
 public:
  explicit ShellLex(char escape = '\\') : escape_(escape) {}

  // One word: expanded, quotes removed.
  Result<std::string> ProcessWord(std::string_view word, const std::vector<std::string>& env) const;
  // Several words: as ProcessWord, then split at unquoted white space
  // (including white space that an expansion produced), as EXPOSE does.
  Result<std::vector<std::string>> ProcessWords(std::string_view word,
                                                const std::vector<std::string>& env) const;

 private:
  char escape_;
};

}  // namespace berth::build::dockerfile
