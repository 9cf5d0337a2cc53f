// The builder's internal vocabulary (builder.h for the contract): build
// arguments, one stage's state, and the step dispatcher.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "build/backend.h"
#include "build/builder.h"
#include "build/dockerfile/parser.h"
#include "build/dockerfile/shell_lex.h"
#include "build/layer_tar.h"

namespace berth::build {

using nlohmann::json;

// Build arguments as Docker tracks them: values from --build-arg, the
// ARGs declared before the first FROM (meta), and those declared in the
// current stage. The predefined proxy args may be given without an ARG.
class BuildArgs {
 public:
  explicit BuildArgs(std::map<std::string, std::optional<std::string>> from_options)
      : options_(std::move(from_options)) {}

  void AddMeta(const std::string& key, std::optional<std::string> value);
  void Declare(const std::string& key, std::optional<std::string> value);
  void ResetStage() { declared_.clear(); declared_order_.clear(); }
  // The meta args' values, for FROM (K=V).
  std::vector<std::string> MetaEnv() const;
  // The args in effect that env does not set, as K=V, sorted.
  std::vector<std::string> Effective(const json& env) const;
  bool IsBuiltin(const std::string& key) const;
  bool Declared(const std::string& key) const { return declared_.count(key) > 0; }
  // --build-arg names no ARG consumed.
  std::vector<std::string> Unconsumed() const;

 private:
  std::optional<std::string> Value(const std::string& key,
                                   const std::optional<std::string>& default_value) const;
  std::map<std::string, std::optional<std::string>> options_;
  std::map<std::string, std::optional<std::string>> meta_;
  std::map<std::string, std::optional<std::string>> declared_;
  std::vector<std::string> declared_order_;
  std::set<std::string> referenced_;
};

struct StageState {
  std::string name;      // lower case ("" when unnamed)
  std::string image_id;  // the current step's image ("" for scratch so far)
  json run_config = json::object();
  std::string maintainer;
  bool cache_busted = false;
  bool has_image = false;  // FROM done (scratch counts)
  bool cmd_set = false;    // CMD seen in this stage (ENTRYPOINT then keeps it)
  std::vector<std::string> Shell() const;
  std::vector<std::string> Env() const;  // run_config.Env
};

struct StageResult {
  std::string name;
  std::string image_id;
};

class Dispatcher {
 public:
  Dispatcher(Backend& backend, const BuildOptions& options, const BuildOutput& out, char escape,
             BuildArgs& args, std::vector<StageResult>& stages)
      : backend_(backend), opts_(options), out_(out), lex_(escape), escape_(escape), args_(args),
        stages_(stages) {}

  Status From(const dockerfile::Instruction& in, StageState* st);
  Status Dispatch(const dockerfile::Instruction& in, StageState* st);

 private:
  std::vector<std::string> Envs(const StageState& st) const;
  Result<std::string> Word(const std::string& w, const StageState& st) const;
  // Probes the cache with container_config; on a hit, moves the stage on.
  Result<bool> Probe(StageState* st, const json& container_config);
  // Commits a step without a filesystem change ("#(nop) comment").
  Status CommitNop(StageState* st, const std::string& comment, bool single_arg = false);
  json NopConfig(const StageState& st, const std::string& comment, bool single_arg) const;
  Status CommitLayer(StageState* st, const json& container_config, const std::string& tar);
  // Commits entries as the step's layer, written as files (layer_dir.h).
  Status CommitEntries(StageState* st, const json& container_config, const TarEntries& entries,
                       const std::string& what);

  Status Run(const dockerfile::Instruction& in, StageState* st);
  Status Copy(const dockerfile::Instruction& in, StageState* st, bool add);
  Status Workdir(const dockerfile::Instruction& in, StageState* st);
  Status Env(const dockerfile::Instruction& in, StageState* st);
  Status Label(const dockerfile::Instruction& in, StageState* st);
  Status Arg(const dockerfile::Instruction& in, StageState* st);
  Status Expose(const dockerfile::Instruction& in, StageState* st);
  Status Healthcheck(const dockerfile::Instruction& in, StageState* st);
  Status OnBuildTriggers(StageState* st);
  Result<std::string> StageImage(const std::string& name) const;

  Backend& backend_;
  const BuildOptions& opts_;
  const BuildOutput& out_;
  dockerfile::ShellLex lex_;
  char escape_;
  BuildArgs& args_;
  std::vector<StageResult>& stages_;
};

// Flags: "--name=value" → {name: value}; unknown names are an error.
Result<std::map<std::string, std::string>> ParseFlags(const dockerfile::Instruction& in,
                                                      const std::set<std::string>& allowed);
std::string Short(const std::string& id);  // 12 hex digits

}  // namespace berth::build
