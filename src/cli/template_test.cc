#include "cli/template.h"

#include <gtest/gtest.h>

namespace berth::cli::tmpl {
namespace {

std::string Exec(const std::string& t, const Value& data, const FuncMap& funcs = {}) {
  auto parsed = Template::Parse(t, funcs);
  if (!parsed.ok()) return "PARSE: " + parsed.error().message();
  auto out = parsed->Execute(data);
  if (!out.ok()) return "EXEC: " + out.error().message();
  return *out;
}

Value Data() {
  return Value::parse(R"({
    "Id": "sha256:abc", "Size": 1234567, "Ratio": 0.5, "Big": 1000000.0,
    "RepoTags": ["busybox:latest", "busybox:1"],
    "Config": {"Env": ["PATH=/bin", "A=b"], "Labels": {"com.x": "y", "a": "1"}, "Cmd": null,
               "Empty": [], "Flag": true},
    "Name": "web", "Quote": "<a&b>"
  })");
}

TEST(Template, Fields) {
  EXPECT_EQ(Exec("{{.Id}}", Data()), "sha256:abc");
  EXPECT_EQ(Exec("id={{.Id}} size={{.Size}}", Data()), "id=sha256:abc size=1234567");
  EXPECT_EQ(Exec("{{.Config.Labels.a}}", Data()), "1");
  EXPECT_EQ(Exec("{{.Missing}}", Data()), "<no value>");
  EXPECT_EQ(Exec("{{.Config.Cmd}}", Data()), "<nil>");
  EXPECT_EQ(Exec("{{.RepoTags}}", Data()), "[busybox:latest busybox:1]");
  EXPECT_EQ(Exec("{{.Config.Labels}}", Data()), "map[a:1 com.x:y]");
  EXPECT_EQ(Exec("{{.Ratio}} {{.Big}}", Data()), "0.5 1e+06");
  EXPECT_EQ(Exec("{{.Config.Flag}}", Data()), "true");
  EXPECT_EQ(Exec("{{.}}", Value("x")), "x");
  EXPECT_EQ(Exec("plain text", Data()), "plain text");
}

TEST(Template, FieldErrors) {
  EXPECT_NE(Exec("{{.Missing.X}}", Data()).find("nil pointer evaluating interface {}.X"), std::string::npos);
  EXPECT_NE(Exec("{{.Name.X}}", Data()).find("can't evaluate field X in type string"), std::string::npos);
  auto t = Template::Parse("{{.Nope}}");
  ASSERT_TRUE(t.ok());
  t->set_strict_type("*formatter.imageContext");
  auto r = t->Execute(Data());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "template: :1:2: executing \"\" at <.Nope>: can't evaluate field Nope in type "
            "*formatter.imageContext");
}

TEST(Template, Json) {
  EXPECT_EQ(Exec("{{json .RepoTags}}", Data()), R"(["busybox:latest","busybox:1"])");
  EXPECT_EQ(Exec("{{json .Quote}}", Data()), R"("<a&b>")");
  EXPECT_EQ(Exec("{{json .Config.Labels}}", Data()), R"({"com.x":"y","a":"1"})");
  EXPECT_EQ(Exec("{{json .}}", Value::parse(R"({"B":1,"A":"x"})")), R"({"B":1,"A":"x"})");
  EXPECT_EQ(Exec("{{.Config.Env | json}}", Data()), R"(["PATH=/bin","A=b"])");
}

TEST(Template, Functions) {
  EXPECT_EQ(Exec(R"({{join .RepoTags ","}})", Data()), "busybox:latest,busybox:1");
  EXPECT_EQ(Exec(R"({{index .Config.Labels "com.x"}})", Data()), "y");
  EXPECT_EQ(Exec(R"({{index .Config.Labels "none"}})", Data()), "");
  EXPECT_EQ(Exec(R"({{index .RepoTags 1}})", Data()), "busybox:1");
  EXPECT_EQ(Exec("{{upper .Name}} {{lower \"ABC\"}} {{title \"hello world\"}}", Data()), "WEB abc Hello World");
  EXPECT_EQ(Exec("{{len .RepoTags}} {{len .Name}}", Data()), "2 3");
  EXPECT_EQ(Exec(R"({{split "a:b:c" ":"}})", Data()), "[a b c]");
  EXPECT_EQ(Exec(R"({{pad .Name 1 2}}|)", Data()), " web  |");
  EXPECT_EQ(Exec(R"({{truncate .Id 6}})", Data()), "sha256");
  EXPECT_EQ(Exec(R"({{println .Name "x"}})", Data()), "web x\n");
  EXPECT_EQ(Exec(R"({{print 1 2 "a" "b"}})", Data()), "1 2ab");
  EXPECT_EQ(Exec(R"({{printf "%s-%d|%5s|%-4s|" .Name .Size "ab" "c"}})", Data()), "web-1234567|   ab|c   |");
  EXPECT_EQ(Exec(R"({{printf "%q" .Name}})", Data()), "\"web\"");
  EXPECT_EQ(Exec(R"({{.Name | printf "%s!"}})", Data()), "web!");
  EXPECT_EQ(Exec(R"({{eq .Name "web"}} {{ne .Size 1}} {{lt 1 2}} {{ge 2.5 3}} {{eq .Name "x" "web"}})", Data()),
            "true true true false true");
  EXPECT_EQ(Exec(R"({{and 1 "" 3}}|{{or 0 "" "z"}}|{{not .Config.Empty}})", Data()), "|z|true");
  EXPECT_EQ(Exec(R"({{upper (index .RepoTags 0)}})", Data()), "BUSYBOX:LATEST");
}

TEST(Template, Control) {
  EXPECT_EQ(Exec("{{if .Config.Flag}}yes{{else}}no{{end}}", Data()), "yes");
  EXPECT_EQ(Exec("{{if .Config.Empty}}yes{{else}}no{{end}}", Data()), "no");
  EXPECT_EQ(Exec("{{if .Missing}}a{{else if .Name}}b{{else}}c{{end}}", Data()), "b");
  EXPECT_EQ(Exec("{{range .RepoTags}}[{{.}}]{{end}}", Data()), "[busybox:latest][busybox:1]");
  EXPECT_EQ(Exec("{{range $i, $t := .RepoTags}}{{$i}}={{$t}};{{end}}", Data()), "0=busybox:latest;1=busybox:1;");
  EXPECT_EQ(Exec("{{range $k, $v := .Config.Labels}}{{$k}}:{{$v}} {{end}}", Data()), "a:1 com.x:y ");
  EXPECT_EQ(Exec("{{range .Config.Empty}}x{{else}}none{{end}}", Data()), "none");
  EXPECT_EQ(Exec("{{with .Config}}{{.Labels.a}}{{end}}", Data()), "1");
  EXPECT_EQ(Exec("{{with .Missing}}x{{else}}y{{end}}", Data()), "y");
  EXPECT_EQ(Exec("{{range .RepoTags}}{{$.Name}} {{end}}", Data()), "web web ");
  EXPECT_EQ(Exec("{{$n := .Name}}{{$n}}-{{$n}}", Data()), "web-web");
  EXPECT_EQ(Exec("{{range .RepoTags}}{{if eq . \"busybox:1\"}}{{.}}{{end}}{{end}}", Data()), "busybox:1");
}

TEST(Template, TrimAndComments) {
  EXPECT_EQ(Exec("a  {{- .Name -}}  b", Data()), "awebb");
  EXPECT_EQ(Exec("a{{/* comment */}}b", Data()), "ab");
  EXPECT_EQ(Exec("{{range .RepoTags}}\n  {{- .}}\n{{- end}}", Data()), "busybox:latestbusybox:1");
  EXPECT_EQ(Exec("{{\"}}\"}}", Data()), "}}");
  EXPECT_EQ(Exec("{{`raw\\n`}}", Data()), "raw\\n");
}

TEST(Template, ParseErrors) {
  EXPECT_EQ(Exec("{{foo .}}", Data()), "PARSE: template: :1: function \"foo\" not defined");
  EXPECT_EQ(Exec("{{.Name", Data()), "PARSE: template: :1: unclosed action");
  EXPECT_EQ(Exec("{{if .Name}}x", Data()), "PARSE: template: :1: unexpected EOF");
  EXPECT_EQ(Exec("{{end}}", Data()), "PARSE: template: :1: unexpected {{end}}");
  EXPECT_NE(Exec("{{.Name | .Id}}", Data()).find("can't give argument to non-function"), std::string::npos);
}

TEST(Template, CustomAndHeaderFuncs) {
  FuncMap f;
  f["twice"] = [](const std::vector<Value>& a) -> Result<Value> { return Value(a[0].get<std::string>() + a[0].get<std::string>()); };
  EXPECT_EQ(Exec("{{twice .Name}}", Data(), f), "webweb");
  Value header = {{"Names", "NAMES"}};
  EXPECT_EQ(Exec("{{join .Names \",\"}}|{{upper .Names}}", header, HeaderFuncs()), "NAMES|NAMES");
}

TEST(Template, GoValues) {
  EXPECT_EQ(GoString(Value::parse("[1,[2,3],{\"b\":null,\"a\":true}]")), "[1 [2 3] map[a:true b:<nil>]]");
  EXPECT_EQ(GoString(Value(1e-7)), "1e-07");
  EXPECT_EQ(GoString(Value(123456.0)), "123456");
  EXPECT_TRUE(Truth(Value(1)));
  EXPECT_FALSE(Truth(Value("")));
  EXPECT_FALSE(Truth(Value(nullptr)));
}

}  // namespace
}  // namespace berth::cli::tmpl
