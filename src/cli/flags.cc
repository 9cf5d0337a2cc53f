#include "cli/flags.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/strings.h"

namespace berth::cli {

Flag& FlagSet::Add(Flag f) {
  flags_.push_back(std::make_unique<Flag>(std::move(f)));
  return *flags_.back();
}

Flag& FlagSet::Bool(bool* p, std::string name, char shorthand, bool def, std::string usage) {
  *p = def;
  Flag f;
  f.kind = Flag::Kind::kBool;
  f.name = std::move(name);
  f.shorthand = shorthand;
  f.usage = std::move(usage);
  f.def = def ? "true" : "false";
  f.b = p;
  return Add(std::move(f));
}

Flag& FlagSet::String(std::string* p, std::string name, char shorthand, std::string def,
                      std::string usage) {
  *p = def;
  Flag f;
  f.kind = Flag::Kind::kString;
  f.name = std::move(name);
  f.shorthand = shorthand;
  f.usage = std::move(usage);
  f.type_name = "string";
  f.def = std::move(def);
  f.s = p;
  return Add(std::move(f));
}

Flag& FlagSet::List(std::vector<std::string>* p, std::string name, char shorthand,
                    std::string usage, std::string type_name) {
  p->clear();
  Flag f;
  f.kind = Flag::Kind::kList;
  f.name = std::move(name);
  f.shorthand = shorthand;
  f.usage = std::move(usage);
  f.type_name = std::move(type_name);
  f.list = p;
  return Add(std::move(f));
}

Flag& FlagSet::Int(int64_t* p, std::string name, char shorthand, int64_t def, std::string usage) {
  *p = def;
  Flag f;
  f.kind = Flag::Kind::kInt;
  f.name = std::move(name);
  f.shorthand = shorthand;
  f.usage = std::move(usage);
  f.type_name = "int";
  f.def = std::to_string(def);
  f.i = p;
  return Add(std::move(f));
}

Flag* FlagSet::Find(std::string_view name) {
  for (auto& f : flags_)
    if (f->name == name) return f.get();
  return nullptr;
}

Flag* FlagSet::FindShort(char c) {
  for (auto& f : flags_)
    if (f->shorthand == c) return f.get();
  return nullptr;
}

const Flag* FlagSet::Lookup(std::string_view name) const {
  for (const auto& f : flags_)
    if (f->name == name) return f.get();
  return nullptr;
}

bool FlagSet::Changed(std::string_view name) const {
  const Flag* f = Lookup(name);
  return f != nullptr && f->changed;
}

std::string FlagSet::Describe(const Flag& f) {
  if (f.shorthand) return fmt::format("-{}, --{}", f.shorthand, f.name);
  return "--" + f.name;
}

Status FlagSet::Set(Flag& f, std::string value) {
  auto invalid = [&](const std::string& why) {
    return Error::Invalid(
        fmt::format("invalid argument \"{}\" for \"{}\" flag: {}", value, Describe(f), why));
  };
  if (f.validate) {
    Status st = f.validate(value);
    if (!st.ok()) return invalid(st.error().message());
  }
  switch (f.kind) {
    case Flag::Kind::kBool: {
      static const char* kTrue[] = {"1", "t", "T", "TRUE", "true", "True"};
      static const char* kFalse[] = {"0", "f", "F", "FALSE", "false", "False"};
      if (std::find(std::begin(kTrue), std::end(kTrue), value) != std::end(kTrue)) *f.b = true;
      else if (std::find(std::begin(kFalse), std::end(kFalse), value) != std::end(kFalse)) *f.b = false;
      else return invalid(fmt::format("strconv.ParseBool: parsing \"{}\": invalid syntax", value));
      break;
    }
    case Flag::Kind::kString: *f.s = value; break;
    case Flag::Kind::kList: f.list->push_back(value); break;
    case Flag::Kind::kInt: {
      auto v = str::ParseInt(value, 10);
      if (!v) return invalid(fmt::format("strconv.ParseInt: parsing \"{}\": invalid syntax", value));
      *f.i = *v;
      break;
    }
  }
  f.changed = true;
  return Ok();
}

Result<std::vector<std::string>> FlagSet::Parse(const std::vector<std::string>& args,
                                                bool interspersed) {
  std::vector<std::string> positional;
  for (size_t k = 0; k < args.size(); ++k) {
    const std::string& a = args[k];
    if (a.size() < 2 || a[0] != '-') {
      if (!interspersed) {
        positional.insert(positional.end(), args.begin() + static_cast<long>(k), args.end());
        return positional;
      }
      positional.push_back(a);
      continue;
    }
    if (a == "--") {
      positional.insert(positional.end(), args.begin() + static_cast<long>(k) + 1, args.end());
      return positional;
    }
    if (a[1] == '-') {
      std::string body = a.substr(2);
      if (body.empty() || body[0] == '-' || body[0] == '=')
        return Error::Invalid(fmt::format("bad flag syntax: {}", a));
      bool has_value = false;
      auto [name, value] = str::Cut(body, '=', &has_value);
      Flag* f = Find(name);
      if (f == nullptr) return Error::Invalid(fmt::format("unknown flag: --{}", name));
      if (f->kind == Flag::Kind::kBool) {
        BERTH_TRY(Set(*f, has_value ? value : "true"));
      } else if (has_value) {
        BERTH_TRY(Set(*f, value));
      } else if (k + 1 < args.size()) {
        BERTH_TRY(Set(*f, args[++k]));
      } else {
        return Error::Invalid(fmt::format("flag needs an argument: --{}", name));
      }
      continue;
    }
    // Shorthands: -abc, -fvalue, -f value, -f=value.
    std::string shorts = a.substr(1);
    for (size_t j = 0; j < shorts.size(); ++j) {
      char c = shorts[j];
      Flag* f = FindShort(c);
      if (f == nullptr) return Error::Invalid(fmt::format("unknown shorthand flag: '{}' in {}", c, a));
      std::string rest = shorts.substr(j + 1);
      if (f->kind == Flag::Kind::kBool) {
        if (!rest.empty() && rest[0] == '=') {
          BERTH_TRY(Set(*f, rest.substr(1)));
          break;
        }
        BERTH_TRY(Set(*f, "true"));
        continue;
      }
      if (!rest.empty()) {
        BERTH_TRY(Set(*f, rest[0] == '=' ? rest.substr(1) : rest));
      } else if (k + 1 < args.size()) {
        BERTH_TRY(Set(*f, args[++k]));
      } else {
        return Error::Invalid(fmt::format("flag needs an argument: '{}' in -{}", c, c));
      }
      break;
    }
  }
  return positional;
}

bool FlagSet::HasVisible() const {
  for (const auto& f : flags_)
    if (!f->hidden) return true;
  return false;
}

std::string FlagSet::Usages() const {
  std::vector<const Flag*> sorted;
  for (const auto& f : flags_)
    if (!f->hidden) sorted.push_back(f.get());
  std::sort(sorted.begin(), sorted.end(), [](const Flag* a, const Flag* b) { return a->name < b->name; });
  std::vector<std::pair<std::string, std::string>> lines;
  size_t maxlen = 0;
  for (const Flag* f : sorted) {
    std::string left = f->shorthand ? fmt::format("  -{}, --{}", f->shorthand, f->name)
                                    : fmt::format("      --{}", f->name);
    // A `word` in backquotes in the usage names the value (pflag's UnquoteUsage).
    std::string usage = f->usage;
    std::string varname = f->type_name;
    auto q1 = usage.find('`');
    if (q1 != std::string::npos) {
      auto q2 = usage.find('`', q1 + 1);
      if (q2 != std::string::npos) {
        varname = usage.substr(q1 + 1, q2 - q1 - 1);
        usage = usage.substr(0, q1) + varname + usage.substr(q2 + 1);
      }
    }
    if (!varname.empty()) left += " " + varname;
    maxlen = std::max(maxlen, left.size());
    bool zero = f->def.empty() || f->def == "false" || f->def == "0" || f->def == "[]";
    if (!zero) {
      if (f->kind == Flag::Kind::kString) usage += fmt::format(" (default \"{}\")", f->def);
      else usage += fmt::format(" (default {})", f->def);
    }
    lines.emplace_back(std::move(left), std::move(usage));
  }
  std::string out;
  for (const auto& [left, usage] : lines) {
    out += left;
    out.append(maxlen - left.size() + 3, ' ');
    out += usage;
    out += '\n';
  }
  return out;
}

}  // namespace berth::cli
