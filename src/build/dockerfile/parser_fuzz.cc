// libFuzzer target: the parser and the word lexer must never crash, hang or
// read out of bounds, whatever the text. Built with -DBERTH_FUZZ=ON (clang).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "build/dockerfile/parser.h"
#include "build/dockerfile/shell_lex.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto df = berth::build::dockerfile::Parse(text);
  berth::build::dockerfile::ShellLex lex;
  (void)lex.ProcessWord(text, {"A=1", "B="});
  (void)lex.ProcessWords(text, {"A=1 2"});
  if (df.ok()) {
    for (const auto& in : df->instructions)
      for (const auto& a : in.args) (void)lex.ProcessWord(a, {"A=1"});
  }
  return 0;
}
