// Build(): the phases of a classic build (builder.h): parse, plan the
// stages, dispatch each step, tag.
#include "build/builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include "base/strings.h"
#include "build/state.h"

namespace berth::build {
namespace {

using dockerfile::Instruction;

struct Stage {
  std::string name;  // lower case, "" when unnamed
  Instruction from;
  std::vector<Instruction> commands;
};

struct Plan {
  std::vector<Instruction> meta;  // ARGs before the first FROM
  std::vector<Stage> stages;
  std::vector<bool> needed;
  int target = -1;
  int total_steps = 0;
};

bool ValidStageName(const std::string& n) {
  if (n.empty() || !std::islower(static_cast<unsigned char>(n[0]))) return false;
  for (char c : n)
    if (!std::islower(static_cast<unsigned char>(c)) && !std::isdigit(static_cast<unsigned char>(c)) &&
        c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

std::string FlagValue(const Instruction& in, const std::string& name) {
  std::string prefix = "--" + name + "=";
  for (const std::string& f : in.flags)
    if (str::StartsWith(f, prefix)) return f.substr(prefix.size());
  return "";
}

// The stages a stage needs: its base (a stage name) and COPY --from.
std::vector<int> Dependencies(const Plan& p, int i) {
  std::vector<int> deps;
  auto by_name = [&](const std::string& ref) {
    std::string lower = str::ToLower(ref);
    for (int j = 0; j < i; ++j)
      if (!p.stages[j].name.empty() && p.stages[j].name == lower) return j;
    if (!ref.empty() && std::all_of(ref.begin(), ref.end(), ::isdigit)) {
      int n = std::stoi(ref.size() > 6 ? "999999" : ref);
      if (n < i) return n;
    }
    return -1;
  };
  const std::string& base = p.stages[i].from.args[0];
  for (int j = 0; j < i; ++j)
    if (!p.stages[j].name.empty() && p.stages[j].name == str::ToLower(base)) deps.push_back(j);
  for (const Instruction& in : p.stages[i].commands)
    if (in.name == "copy" || in.name == "add")
      if (int j = by_name(FlagValue(in, "from")); j >= 0) deps.push_back(j);
  return deps;
}

Result<Plan> MakePlan(const dockerfile::Dockerfile& df, const BuildOptions& o) {
  Plan p;
  if (df.instructions.empty())
    return Error::Invalid(fmt::format("the Dockerfile ({}) cannot be empty", o.dockerfile_name));
  for (const Instruction& in : df.instructions) {
    if (in.name == "from") {
      Stage s;
      s.from = in;
      if (in.args.size() == 3) {
        s.name = str::ToLower(in.args[2]);
        if (!ValidStageName(s.name))
          return Error::Invalid(fmt::format(
              "invalid name for build stage: \"{}\", name can't start with a number or contain "
              "symbols",
              in.args[2]));
        for (const Stage& other : p.stages)
          if (other.name == s.name) return Error::Invalid("duplicate name " + s.name);
      }
      p.stages.push_back(std::move(s));
    } else if (p.stages.empty()) {
      if (in.name != "arg")
        return Error::Invalid(fmt::format(
            "dockerfile parse error line {}: no build stage in current context ({} before FROM)",
            in.line, in.original));
      p.meta.push_back(in);
    } else {
      p.stages.back().commands.push_back(in);
    }
  }
  if (p.stages.empty()) return Error::Invalid("no build stage in current context");
  p.target = static_cast<int>(p.stages.size()) - 1;
  if (!o.target.empty()) {
    p.target = -1;
    for (size_t i = 0; i < p.stages.size(); ++i)
      if (p.stages[i].name == str::ToLower(o.target)) p.target = static_cast<int>(i);
    if (p.target < 0)
      return Error::Invalid(fmt::format("failed to reach build target {} in Dockerfile", o.target));
  }
  if (!o.labels.empty()) {
    std::vector<std::string> parts;
    for (const auto& [k, v] : o.labels) parts.push_back(fmt::format("\"{}\"=\"{}\"", k, v));
    auto label = dockerfile::ParseInstruction("LABEL " + str::Join(parts, " "), df.escape);
    if (!label.ok()) return std::move(label).error().Context("--label");
    p.stages[p.target].commands.push_back(std::move(*label));
  }
  p.needed.assign(p.stages.size(), false);
  std::function<void(int)> mark = [&](int i) {
    if (p.needed[i]) return;
    p.needed[i] = true;
    for (int d : Dependencies(p, i)) mark(d);
  };
  mark(p.target);
  p.total_steps = static_cast<int>(p.meta.size());
  for (size_t i = 0; i < p.stages.size(); ++i)
    if (p.needed[i]) p.total_steps += 1 + static_cast<int>(p.stages[i].commands.size());
  return p;
}

}  // namespace

Result<std::string> Build(Backend& backend, const BuildOptions& o, const BuildOutput& out) {
  auto parsed = dockerfile::Parse(o.dockerfile, o.dockerfile_name);
  if (!parsed.ok()) return std::move(parsed).error();
  const dockerfile::Dockerfile& df = *parsed;
  Plan plan = BERTH_TRY(MakePlan(df, o));

  BuildArgs args(o.build_args);
  std::vector<StageResult> results;
  Dispatcher d(backend, o, out, df.escape, args, results);
  dockerfile::ShellLex lex(df.escape);
  int step = 1;
  auto print_step = [&](const Instruction& in) {
    out.stream(fmt::format("Step {}/{} : {}\n", step++, plan.total_steps, in.original));
  };

  for (const Instruction& meta : plan.meta) {
    print_step(meta);
    for (const dockerfile::KeyValue& kv : meta.kvs) {
      std::optional<std::string> v;
      if (kv.has_value) v = BERTH_TRY(lex.ProcessWord(kv.value, args.MetaEnv()));
      args.AddMeta(kv.key, v);
    }
  }

  std::string final_id;
  for (size_t i = 0; i < plan.stages.size(); ++i) {
    const Stage& stage = plan.stages[i];
    if (!plan.needed[i]) {
      results.push_back({stage.name, ""});
      continue;
    }
    args.ResetStage();
    StageState st;
    st.name = stage.name;
    print_step(stage.from);
    BERTH_TRY(d.From(stage.from, &st));
    out.stream(fmt::format(" ---> {}\n", Short(st.image_id)));
    for (const Instruction& in : stage.commands) {
      print_step(in);
      BERTH_TRY(d.Dispatch(in, &st));
      out.stream(fmt::format(" ---> {}\n", Short(st.image_id)));
    }
    if (!st.image_id.empty() && out.aux) out.aux(st.image_id);
    results.push_back({stage.name, st.image_id});
    if (static_cast<int>(i) == plan.target) {
      final_id = st.image_id;
      break;
    }
  }
  if (final_id.empty()) return Error::Invalid("No image was generated. Is your Dockerfile empty?");

  if (std::vector<std::string> unused = args.Unconsumed(); !unused.empty())
    out.stream(fmt::format("[Warning] One or more build-args [{}] were not consumed\n",
                           str::Join(unused, " ")));
  out.stream(fmt::format("Successfully built {}\n", Short(final_id)));
  for (const std::string& tag : o.tags) {
    BERTH_TRY(backend.Tag(final_id, tag));
    out.stream(fmt::format("Successfully tagged {}\n", tag));
  }
  return final_id;
}

}  // namespace berth::build
