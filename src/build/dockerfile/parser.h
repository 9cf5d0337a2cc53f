// The Dockerfile parser: text in, a list of instructions out, with Docker's
// rules (docs/architecture.md, "Build").
//
// Vocabulary:
//   directive      `# name=value` lines at the very top (syntax, escape);
//                  the first line that is not one ends them.
//   logical line   one instruction: a physical line plus the lines that
//                  follow it while it ends in the escape character
//                  (optionally followed by blanks). Comment lines and
//                  blank lines inside a continuation are skipped.
//   exec form      arguments written as a JSON array of strings. Text that
//                  starts with "[" but is not valid JSON falls back to the
//                  shell form (a JSON array of non-strings is an error).
//   heredoc        `<<EOF`, `<<-EOF` (tabs stripped), `<<"EOF"`/`<<'EOF'`
//                  (no expansion) on RUN, COPY and ADD: the lines after the
//                  instruction, up to the delimiter, are its body.
//
// The parser does not expand variables (shell_lex.h does, in the builder,
// once the values are known) and does not check instruction semantics
// beyond what Docker's parser checks (argument counts, flags syntax).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::build::dockerfile {

struct Heredoc {
  std::string name;     // the delimiter
  std::string content;  // the body, each line ending in "\n"
  bool expand = true;   // false when the delimiter was quoted
  bool chomp = false;   // <<-: leading tabs removed
};

struct KeyValue {
  std::string key;
  std::string value;
  bool has_value = true;  // ARG without a default: false
};

struct Instruction {
  std::string name;      // lower case: "from", "run", ...
  std::string original;  // the logical line as written (continuations joined)
  int line = 0;          // first physical line, 1-based
  int end_line = 0;      // last physical line (including heredoc bodies)
  std::vector<std::string> flags;  // "--from=x", as written
  bool json = false;               // exec (JSON) form
  // JSON form: the array's strings. Shell form of RUN/CMD/ENTRYPOINT/SHELL
  // and HEALTHCHECK's command: one string (the rest of the line). FROM,
  // EXPOSE, COPY, ADD, VOLUME: white-space separated words. USER, WORKDIR,
  // MAINTAINER, STOPSIGNAL: one string.
  std::vector<std::string> args;
  std::vector<KeyValue> kvs;  // ENV, LABEL, ARG
  std::vector<Heredoc> heredocs;
  std::string health_kind;    // HEALTHCHECK: "CMD" or "NONE"
  std::string onbuild;        // ONBUILD: the trigger's text
};

struct Dockerfile {
  char escape = '\\';
  std::string syntax;  // the `# syntax=` directive, if any
  std::vector<Instruction> instructions;
};

// Errors are kInvalidArgument: "dockerfile parse error line N: <what>"
// (file names the Dockerfile in the message: "… line N of Dockerfile.dev").
Result<Dockerfile> Parse(std::string_view text, std::string_view file = "Dockerfile");

// Parses one instruction's text (ONBUILD triggers, `docker commit -c`).
Result<Instruction> ParseInstruction(std::string_view line, char escape = '\\');

// Docker's parseWords: white-space separated words, quotes and escapes kept
// (a quoted blank is a word).
std::vector<std::string> SplitWords(std::string_view rest, char escape);

// A JSON array of strings as Docker's parser reads it (only the first JSON
// value counts). Sets *not_strings when the array holds something else.
bool ParseJsonArray(std::string_view text, std::vector<std::string>* out, bool* not_strings);

}  // namespace berth::build::dockerfile
