#include "build/dockerfile/parser.h"

#include <gtest/gtest.h>

namespace berth::build::dockerfile {
namespace {

using V = std::vector<std::string>;

Instruction One(const std::string& text) {
  auto df = Parse(text);
  EXPECT_TRUE(df.ok()) << text << ": " << (df.ok() ? "" : df.error().message());
  if (!df.ok() || df->instructions.size() != 1) {
    ADD_FAILURE() << "expected one instruction in: " << text;
    return {};
  }
  return df->instructions[0];
}

struct FormCase {
  const char* text;
  const char* name;
  bool json;
  V args;
};

TEST(Parser, Forms) {
  const FormCase cases[] = {
      {"RUN echo hi", "run", false, {"echo hi"}},
      {"run  echo   hi  ", "run", false, {"echo   hi"}},
      {"RUN [\"echo\", \"hi\"]", "run", true, {"echo", "hi"}},
      {"RUN [ \"a\" ]", "run", true, {"a"}},
      {"RUN [\"a\"] trailing", "run", true, {"a"}},  // only the first JSON value counts
      {"RUN [\"a\", ]", "run", false, {"[\"a\", ]"}},  // bad JSON: shell form
      {"CMD [\"a\"", "cmd", false, {"[\"a\""}},
      {"CMD ['a']", "cmd", false, {"['a']"}},  // single quotes are not JSON
      {"CMD [\"a\\u0041\\n\"]", "cmd", true, {"aA\n"}},
      {"CMD []", "cmd", true, {}},
      {"ENTRYPOINT sh -c x", "entrypoint", false, {"sh -c x"}},
      {"SHELL [\"/bin/bash\", \"-c\"]", "shell", true, {"/bin/bash", "-c"}},
      {"COPY a b /dst/", "copy", false, {"a", "b", "/dst/"}},
      {"COPY [\"a b\", \"/d\"]", "copy", true, {"a b", "/d"}},
      {"VOLUME /a /b", "volume", false, {"/a", "/b"}},
      {"VOLUME [\"/a\"]", "volume", true, {"/a"}},
      {"EXPOSE 80 443/udp", "expose", false, {"80", "443/udp"}},
      {"FROM busybox AS base", "from", false, {"busybox", "AS", "base"}},
      {"WORKDIR  /a b ", "workdir", false, {"/a b"}},
      {"USER 1:2", "user", false, {"1:2"}},
      {"MAINTAINER Me <me@x>", "maintainer", false, {"Me <me@x>"}},
      {"StopSignal SIGKILL", "stopsignal", false, {"SIGKILL"}},
  };
  for (const FormCase& c : cases) {
    Instruction in = One(c.text);
    EXPECT_EQ(in.name, c.name) << c.text;
    EXPECT_EQ(in.json, c.json) << c.text;
    EXPECT_EQ(in.args, c.args) << c.text;
  }
}

TEST(Parser, NonStringJsonIsAnError) {
  auto df = Parse("FROM x\nCMD [1, 2]\n");
  ASSERT_FALSE(df.ok());
  EXPECT_NE(df.error().message().find("line 2"), std::string::npos);
  EXPECT_NE(df.error().message().find("strings only"), std::string::npos);
}

TEST(Parser, Flags) {
  Instruction in = One("COPY --from=build --chown=1:2 a /b");
  EXPECT_EQ(in.flags, (V{"--from=build", "--chown=1:2"}));
  EXPECT_EQ(in.args, (V{"a", "/b"}));
  in = One("HEALTHCHECK --interval=5s --retries=3 CMD [\"true\"]");
  EXPECT_EQ(in.flags, (V{"--interval=5s", "--retries=3"}));
  EXPECT_EQ(in.health_kind, "CMD");
  EXPECT_TRUE(in.json);
  EXPECT_EQ(in.args, (V{"true"}));
  in = One("HEALTHCHECK NONE");
  EXPECT_EQ(in.health_kind, "NONE");
  in = One("HEALTHCHECK cmd curl -f x");
  EXPECT_EQ(in.args, (V{"curl -f x"}));
}

TEST(Parser, KeyValues) {
  Instruction in = One("ENV A=1 B=\"two words\" C=x\\ y");
  ASSERT_EQ(in.kvs.size(), 3u);
  EXPECT_EQ(in.kvs[1].key, "B");
  EXPECT_EQ(in.kvs[1].value, "\"two words\"");  // quotes go at expansion
  EXPECT_EQ(in.kvs[2].value, "x\\ y");
  in = One("ENV OLD the rest  of it");
  ASSERT_EQ(in.kvs.size(), 1u);
  EXPECT_EQ(in.kvs[0].key, "OLD");
  EXPECT_EQ(in.kvs[0].value, "the rest  of it");
  in = One("LABEL \"com.x\"=\"a b\" k=");
  ASSERT_EQ(in.kvs.size(), 2u);
  EXPECT_EQ(in.kvs[0].key, "\"com.x\"");
  EXPECT_EQ(in.kvs[1].value, "");
  in = One("ARG A B=2");
  ASSERT_EQ(in.kvs.size(), 2u);
  EXPECT_FALSE(in.kvs[0].has_value);
  EXPECT_TRUE(in.kvs[1].has_value);
  EXPECT_FALSE(Parse("ENV A").ok());
  EXPECT_FALSE(Parse("ENV A=1 B").ok());
  EXPECT_FALSE(Parse("LABEL =x").ok());
}

TEST(Parser, Continuations) {
  auto df = Parse(
      "FROM busybox\n"
      "RUN echo a \\\n"
      "# a comment between continued lines\n"
      "\n"
      "    && echo b \\  \n"
      "  && echo c\n"
      "CMD x\n");
  ASSERT_TRUE(df.ok()) << df.error().message();
  ASSERT_EQ(df->instructions.size(), 3u);
  const Instruction& run = df->instructions[1];
  EXPECT_EQ(run.args, (V{"echo a     && echo b   && echo c"}));
  EXPECT_EQ(run.line, 2);
  EXPECT_EQ(run.end_line, 6);
  EXPECT_EQ(df->instructions[2].line, 7);
}

TEST(Parser, EscapeDirective) {
  auto df = Parse(
      "# escape=`\n"
      "FROM x\n"
      "RUN dir C:\\ `\n"
      "  && echo done\n");
  ASSERT_TRUE(df.ok()) << df.error().message();
  EXPECT_EQ(df->escape, '`');
  ASSERT_EQ(df->instructions.size(), 2u);
  EXPECT_EQ(df->instructions[1].args, (V{"dir C:\\   && echo done"}));
}

TEST(Parser, Directives) {
  auto df = Parse("# syntax=docker/dockerfile:1\n#ESCAPE = \\\nFROM x\n");
  ASSERT_TRUE(df.ok());
  EXPECT_EQ(df->syntax, "docker/dockerfile:1");
  // After a non-directive line, "# escape=" is a comment.
  df = Parse("# hello\n# escape=`\nFROM x\nRUN a \\\n b\n");
  ASSERT_TRUE(df.ok());
  EXPECT_EQ(df->escape, '\\');
  EXPECT_EQ(df->instructions[1].args, (V{"a  b"}));
  EXPECT_FALSE(Parse("# escape=x\nFROM x\n").ok());
  EXPECT_FALSE(Parse("# escape=`\n# escape=`\nFROM x\n").ok());
}

TEST(Parser, CommentsAndBlankLines) {
  auto df = Parse("\xEF\xBB\xBF# c\n\n   # indented\nCMD x   # not a comment\r\n\t\n");
  ASSERT_TRUE(df.ok());
  ASSERT_EQ(df->instructions.size(), 1u);
  EXPECT_EQ(df->instructions[0].line, 4);
  EXPECT_EQ(df->instructions[0].args, (V{"x   # not a comment"}));
}

TEST(Parser, Heredocs) {
  auto df = Parse(
      "FROM x\n"
      "RUN <<EOF\n"
      "echo $HOME\n"
      "  indented\n"
      "EOF\n"
      "COPY <<-\"END\" /f\n"
      "\t\tliteral $X\n"
      "\tEND\n"
      "CMD y\n");
  ASSERT_TRUE(df.ok()) << df.error().message();
  ASSERT_EQ(df->instructions.size(), 4u);
  const Instruction& run = df->instructions[1];
  ASSERT_EQ(run.heredocs.size(), 1u);
  EXPECT_EQ(run.heredocs[0].name, "EOF");
  EXPECT_EQ(run.heredocs[0].content, "echo $HOME\n  indented\n");
  EXPECT_TRUE(run.heredocs[0].expand);
  const Instruction& copy = df->instructions[2];
  ASSERT_EQ(copy.heredocs.size(), 1u);
  EXPECT_EQ(copy.heredocs[0].name, "END");
  EXPECT_FALSE(copy.heredocs[0].expand);
  EXPECT_TRUE(copy.heredocs[0].chomp);
  EXPECT_EQ(copy.heredocs[0].content, "literal $X\n");
  EXPECT_EQ(df->instructions[3].line, 9);
  auto bad = Parse("FROM x\nRUN <<EOF\nno end\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("unterminated heredoc"), std::string::npos);
}

TEST(Parser, Errors) {
  struct E {
    const char* text;
    const char* want;
  };
  const E cases[] = {
      {"FROM x\nFOO bar\n", "line 2: unknown instruction: FOO"},
      {"FROM\n", "FROM requires either one or three arguments"},
      {"FROM a b\n", "FROM requires either one or three arguments"},
      {"FROM a to b\n", "FROM requires either one or three arguments"},
      {"FROM x\nCOPY a\n", "COPY requires at least two arguments"},
      {"FROM x\nSHELL sh -c\n", "SHELL requires the arguments to be in JSON form"},
      {"FROM x\nWORKDIR\n", "WORKDIR requires exactly one argument"},
      {"FROM x\nHEALTHCHECK FOO x\n", "Unknown type \"FOO\" in HEALTHCHECK"},
      {"FROM x\nONBUILD ONBUILD RUN x\n", "isn't allowed"},
      {"FROM x\nONBUILD FROM y\n", "FROM isn't allowed as an ONBUILD trigger"},
      {"FROM x\nRUN\n", "RUN requires at least one argument"},
  };
  for (const E& c : cases) {
    auto df = Parse(c.text);
    ASSERT_FALSE(df.ok()) << c.text;
    EXPECT_NE(df.error().message().find(c.want), std::string::npos)
        << c.text << " gave " << df.error().message();
  }
  auto named = Parse("BAD\n", "dev.Dockerfile");
  EXPECT_NE(named.error().message().find("line 1 of dev.Dockerfile"), std::string::npos);
}

TEST(Parser, OnBuild) {
  Instruction in = One("ONBUILD  RUN echo hi");
  EXPECT_EQ(in.onbuild, "RUN echo hi");
}

TEST(Parser, Words) {
  EXPECT_EQ(SplitWords("a \"b c\" 'd e' f\\ g", '\\'), (V{"a", "\"b c\"", "'d e'", "f\\ g"}));
  EXPECT_EQ(SplitWords("\"\" x", '\\'), (V{"\"\"", "x"}));
  EXPECT_EQ(SplitWords("  ", '\\'), V{});
}

}  // namespace
}  // namespace berth::build::dockerfile
