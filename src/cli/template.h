// Template: the subset of Go's text/template that docker's --format uses,
// evaluated over JSON values.
//
// Syntax: literal text and {{actions}} with trim markers ({{- and -}}),
// comments {{/* */}}; pipelines of commands joined by '|' (the value of one
// command is the last argument of the next); operands ".", ".A.B", "$",
// "$x.A", "string"/`raw`, numbers, true/false/nil, (sub pipelines).A;
// variables ($x := pipeline, range $i, $v := pipeline); control
// {{if}}/{{else if}}/{{else}}/{{end}}, {{range}}…{{else}}…{{end}},
// {{with}}…{{else}}…{{end}}.
//
// Functions: Go's and, or, not, len, index, print, printf, println, eq, ne,
// lt, le, gt, ge, slice-free; docker's json, join, split, lower, upper,
// title, pad, truncate; callers may add more.
//
// Values print as Go's %v prints what encoding/json decodes: strings raw,
// integers in decimal, floats as %g (1e+06), null as <nil>, arrays as
// [a b], objects as map[k:v] (sorted keys), a missing map key as
// <no value>. With a strict type name set, a field missing from the
// top-level object is an error, as for a Go struct ("can't evaluate field X
// in type T").
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace berth::cli::tmpl {

using Value = nlohmann::ordered_json;
using Func = std::function<Result<Value>(const std::vector<Value>& args)>;
using FuncMap = std::map<std::string, Func, std::less<>>;

struct Impl;

class Template {
 public:
  // Parses text. funcs adds functions to (or replaces) the built-in ones.
  static Result<Template> Parse(std::string_view text, const FuncMap& funcs = {});

  // Runs the template with dot = data and appends the result to *out.
  Status Execute(const Value& data, std::string* out) const;
  Result<std::string> Execute(const Value& data) const;

  // See the header comment: "*formatter.imageContext" and the like.
  void set_strict_type(std::string type);

 private:
  std::shared_ptr<Impl> impl_;
};

// Docker's header functions: the same names, each returning its first
// argument unchanged (so "table {{upper .Name}}" has the header NAME).
FuncMap HeaderFuncs();

// How Go's %v prints a JSON-decoded value.
std::string GoString(const Value& v);
// docker's json function: compact JSON, HTML characters not escaped.
std::string JsonString(const Value& v);
// Go's truth: false, 0, "", nil, empty array or object are false.
bool Truth(const Value& v);

}  // namespace berth::cli::tmpl
