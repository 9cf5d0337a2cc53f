// The steps that only change the image config, FROM, the cache probe and
// the "#(nop)" commits (state.h). RUN is in run.cc, COPY/ADD/WORKDIR in
// copy.cc.
#include <fmt/format.h>

#include <csignal>

#include "base/duration.h"
#include "base/fs.h"
#include "base/scope_guard.h"
#include "base/strings.h"
#include "build/gofmt.h"
#include "build/layer_dir.h"
#include "build/state.h"

namespace berth::build {
namespace {

constexpr char kDefaultPath[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Sets K=V in an Env list, in place when K is there.
void SetEnv(json* env, const std::string& key, const std::string& value) {
  if (!env->is_array()) *env = json::array();
  for (json& e : *env) {
    std::string s = e.is_string() ? e.get<std::string>() : "";
    if (s.substr(0, s.find('=')) == key) {
      e = key + "=" + value;
      return;
    }
  }
  env->push_back(key + "=" + value);
}

bool ValidSignal(const std::string& s) {
  if (s.empty()) return false;
  if (std::all_of(s.begin(), s.end(), ::isdigit)) return std::stoi(s.size() > 3 ? "999" : s) > 0 && std::stoi(s.size() > 3 ? "999" : s) < 65;
  std::string n = Upper(s);
  if (str::StartsWith(n, "SIG")) n = n.substr(3);
  static const std::set<std::string> names = {
      "ABRT", "ALRM", "BUS",  "CHLD", "CLD",  "CONT", "FPE",    "HUP",  "ILL",  "INT",  "IO",
      "IOT",  "KILL", "PIPE", "POLL", "PROF", "PWR",  "QUIT",   "SEGV", "STKFLT", "STOP", "SYS",
      "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "URG",  "USR1",   "USR2", "VTALRM", "WINCH", "XCPU",
      "XFSZ", "UNUSED"};
  if (names.count(n)) return true;
  if (str::StartsWith(n, "RTMIN") || str::StartsWith(n, "RTMAX")) return true;
  return false;
}

// EXPOSE's port specs: "80", "80/udp", "8000-8002/tcp".
Result<std::vector<std::string>> PortSpecs(const std::string& spec) {
  auto [ports, proto] = str::Cut(spec, '/');
  if (proto.empty()) proto = "tcp";
  proto = str::ToLower(proto);
  if (proto != "tcp" && proto != "udp" && proto != "sctp")
    return Error::Invalid(fmt::format("invalid proto: {}", proto));
  if (size_t colon = ports.rfind(':'); colon != std::string::npos) ports = ports.substr(colon + 1);
  auto [lo_s, hi_s] = str::Cut(ports, '-');
  auto num = [&](const std::string& t) -> int {
    if (t.empty() || t.size() > 5 || !std::all_of(t.begin(), t.end(), ::isdigit)) return -1;
    int n = std::stoi(t);
    return n <= 65535 ? n : -1;
  };
  int lo = num(lo_s), hi = hi_s.empty() ? lo : num(hi_s);
  if (lo < 0 || hi < 0) return Error::Invalid(fmt::format("invalid containerPort: {}", ports));
  if (hi < lo) return Error::Invalid(fmt::format("invalid range specified for container port: {}", ports));
  std::vector<std::string> out;
  for (int p = lo; p <= hi; ++p) out.push_back(fmt::format("{}/{}", p, proto));
  return out;
}

}  // namespace

std::vector<std::string> Dispatcher::Envs(const StageState& st) const {
  std::vector<std::string> env = st.Env();
  for (std::string& a : args_.Effective(st.run_config.value("Env", json::array()))) env.push_back(a);
  return env;
}

Result<std::string> Dispatcher::Word(const std::string& w, const StageState& st) const {
  return lex_.ProcessWord(w, Envs(st));
}

Result<std::string> Dispatcher::StageImage(const std::string& name) const {
  std::string lower = str::ToLower(name);
  for (const StageResult& r : stages_)
    if (!r.name.empty() && r.name == lower) return r.image_id;
  return Error::NotFound("");
}

Status Dispatcher::From(const dockerfile::Instruction& in, StageState* st) {
  BERTH_TRY(ParseFlags(in, {"platform"}));
  std::string name = BERTH_TRY(lex_.ProcessWord(in.args[0], args_.MetaEnv()));
  if (name.empty()) return Error::Invalid(fmt::format("base name ({}) should not be blank", in.args[0]));
  json config = json::object();
  if (auto stage = StageImage(name); stage.ok()) {
    st->image_id = *stage;
  } else if (str::ToLower(name) == "scratch") {
    st->image_id = "";
  } else {
    auto img = backend_.GetImage(name);
    if (!img.ok()) {
      if (img.error().code() == Code::kNotFound)
        return Error::NotFound(fmt::format(
            "pull access denied for {}: berth does not pull images during a build; the image "
            "must be present (docker load / berth load it first): No such image: {}",
            name, name));
      return std::move(img).error();
    }
    st->image_id = img->id;
  }
  if (!st->image_id.empty()) {
    ImageInfo img = BERTH_TRY(backend_.GetImage(st->image_id));
    auto it = img.config.find("config");
    if (it != img.config.end() && it->is_object()) config = *it;
  }
  st->run_config = config;
  json& env = st->run_config["Env"];
  if (!env.is_array()) env = json::array();
  bool has_path = false;
  for (const json& e : env)
    if (e.is_string() && str::StartsWith(e.get<std::string>(), "PATH=")) has_path = true;
  if (!has_path) env.push_back(kDefaultPath);
  st->run_config["OpenStdin"] = false;
  st->run_config["StdinOnce"] = false;
  st->has_image = true;
  return OnBuildTriggers(st);
}

Status Dispatcher::OnBuildTriggers(StageState* st) {
  json triggers = st->run_config.value("OnBuild", json());
  if (!triggers.is_array() || triggers.empty()) return Ok();
  st->run_config["OnBuild"] = nullptr;
  out_.stream(fmt::format("# Executing {} build trigger{}\n", triggers.size(),
                          triggers.size() > 1 ? "s" : ""));
  for (const json& t : triggers) {
    if (!t.is_string()) continue;
    auto in = dockerfile::ParseInstruction(t.get<std::string>(), escape_);
    if (!in.ok()) return std::move(in).error().Context("ONBUILD trigger");
    if (in->name == "onbuild" || in->name == "from" || in->name == "maintainer")
      return Error::Invalid(fmt::format("{} isn't allowed as an ONBUILD trigger", Upper(in->name)));
    BERTH_TRY(Dispatch(*in, st));
  }
  return Ok();
}

json Dispatcher::NopConfig(const StageState& st, const std::string& comment, bool single) const {
  json cc = st.run_config;
  std::vector<std::string> cmd = st.Shell();
  if (single) {
    cmd.push_back("#(nop) " + comment);
  } else {
    cmd.push_back("#(nop) ");
    cmd.push_back(comment);
  }
  cc["Cmd"] = cmd;
  return cc;
}

Result<bool> Dispatcher::Probe(StageState* st, const json& cc) {
  if (opts_.no_cache || st->cache_busted) return false;
  std::optional<std::string> hit = BERTH_TRY(backend_.FindCached(st->image_id, cc));
  if (!hit) {
    st->cache_busted = true;
    return false;
  }
  out_.stream(" ---> Using cache\n");
  st->image_id = *hit;
  return true;
}

namespace {

// A commit of the stage's next image: its parent, config and author.
CommitRequest NextImage(const StageState& st, const json& cc) {
  CommitRequest req;
  req.parent = st.image_id;
  req.config = st.run_config;
  req.container_config = cc;
  req.author = st.maintainer;
  return req;
}

}  // namespace

Status Dispatcher::CommitLayer(StageState* st, const json& cc, const std::string& tar) {
  CommitRequest req = NextImage(*st, cc);
  req.layer_tar = tar;
  st->image_id = BERTH_TRY(backend_.Commit(req));
  return Ok();
}

Status Dispatcher::CommitEntries(StageState* st, const json& cc, const TarEntries& entries,
                                 const std::string& what) {
  std::string dir = BERTH_TRY(backend_.NewLayerDir());
  ScopeGuard rm_dir([&] { (void)fs::RemoveAll(dir); });
  BERTH_TRY_CTX(WriteLayerDir(entries, dir), what);
  CommitRequest req = NextImage(*st, cc);
  req.layer_dir = dir;
  rm_dir.Dismiss();  // the backend's from here on
  st->image_id = BERTH_TRY(backend_.Commit(req));
  return Ok();
}

Status Dispatcher::CommitNop(StageState* st, const std::string& comment, bool single) {
  json cc = NopConfig(*st, comment, single);
  if (BERTH_TRY(Probe(st, cc))) return Ok();
  return CommitLayer(st, cc, "");
}

Status Dispatcher::Env(const dockerfile::Instruction& in, StageState* st) {
  std::vector<std::string> envs = Envs(*st);
  std::string msg = "ENV";
  json& env = st->run_config["Env"];
  for (const dockerfile::KeyValue& kv : in.kvs) {
    std::string k = BERTH_TRY(lex_.ProcessWord(kv.key, envs));
    std::string v = BERTH_TRY(lex_.ProcessWord(kv.value, envs));
    if (k.empty()) return Error::Invalid("ENV names can not be blank");
    msg += " " + k + "=" + v;
    SetEnv(&env, k, v);
  }
  return CommitNop(st, msg);
}

Status Dispatcher::Label(const dockerfile::Instruction& in, StageState* st) {
  std::vector<std::string> envs = Envs(*st);
  std::string msg = "LABEL";
  json& labels = st->run_config["Labels"];
  if (!labels.is_object()) labels = json::object();
  for (const dockerfile::KeyValue& kv : in.kvs) {
    std::string k = BERTH_TRY(lex_.ProcessWord(kv.key, envs));
    std::string v = BERTH_TRY(lex_.ProcessWord(kv.value, envs));
    msg += " " + k + "=" + v;
    labels[k] = v;
  }
  return CommitNop(st, msg);
}

Status Dispatcher::Arg(const dockerfile::Instruction& in, StageState* st) {
  std::vector<std::string> envs = Envs(*st);
  std::string msg = "ARG ";
  for (size_t i = 0; i < in.kvs.size(); ++i) {
    const dockerfile::KeyValue& kv = in.kvs[i];
    std::string k = BERTH_TRY(lex_.ProcessWord(kv.key, envs));
    std::optional<std::string> v;
    if (kv.has_value) v = BERTH_TRY(lex_.ProcessWord(kv.value, envs));
    msg += (i ? " " : "") + k + (v ? "=" + *v : "");
    args_.Declare(k, v);
  }
  return CommitNop(st, msg);
}

Status Dispatcher::Expose(const dockerfile::Instruction& in, StageState* st) {
  std::vector<std::string> envs = Envs(*st);
  std::vector<std::string> ports;
  for (const std::string& a : in.args)
    for (std::string& w : BERTH_TRY(lex_.ProcessWords(a, envs))) ports.push_back(std::move(w));
  json& exposed = st->run_config["ExposedPorts"];
  if (!exposed.is_object()) exposed = json::object();
  for (const std::string& p : ports)
    for (const std::string& spec : BERTH_TRY(PortSpecs(p))) exposed[spec] = json::object();
  std::sort(ports.begin(), ports.end());  // docker's history text lists them sorted
  return CommitNop(st, "EXPOSE " + str::Join(ports, " "));
}

Status Dispatcher::Healthcheck(const dockerfile::Instruction& in, StageState* st) {
  auto flags = BERTH_TRY(ParseFlags(in, {"interval", "timeout", "start-period", "retries"}));
  json& hc = st->run_config["Healthcheck"];
  if (hc.is_object() && hc.value("Test", json::array()).is_array() && !hc["Test"].empty() &&
      hc["Test"][0] != "NONE")
    out_.stream(fmt::format("Note: overriding previous HEALTHCHECK: {}\n",
                            GoList(hc["Test"].get<std::vector<std::string>>())));
  std::vector<std::string> test;
  int64_t durations[3] = {0, 0, 0};
  int64_t retries = 0;
  if (in.health_kind == "NONE") {
    test = {"NONE"};
  } else {
    if (in.json) {
      test = {"CMD"};
      test.insert(test.end(), in.args.begin(), in.args.end());
    } else {
      test = {"CMD-SHELL", in.args.empty() ? "" : in.args[0]};
    }
    const char* names[3] = {"interval", "timeout", "start-period"};
    for (int i = 0; i < 3; ++i) {
      auto it = flags.find(names[i]);
      if (it == flags.end() || it->second.empty()) continue;
      int64_t d = BERTH_TRY(duration::Parse(it->second));
      if (d < 0) return Error::Invalid(fmt::format("Interval \"{}\" cannot be negative", names[i]));
      if (d != 0 && d < 1000000)
        return Error::Invalid(fmt::format("Interval \"{}\" cannot be less than 1ms", names[i]));
      durations[i] = d;
    }
    if (auto it = flags.find("retries"); it != flags.end() && !it->second.empty()) {
      if (!std::all_of(it->second.begin(), it->second.end(), ::isdigit) || it->second.size() > 9)
        return Error::Invalid(fmt::format("invalid retries value: {}", it->second));
      retries = std::stoll(it->second);
      if (retries < 1) return Error::Invalid("--retries must be at least 1");
    }
  }
  hc = json{{"Test", test}};
  if (durations[0]) hc["Interval"] = durations[0];
  if (durations[1]) hc["Timeout"] = durations[1];
  if (durations[2]) hc["StartPeriod"] = durations[2];
  if (retries) hc["Retries"] = retries;
  std::string msg = fmt::format("HEALTHCHECK &{{{} {} {} {} {}}}", GoQuoteList(test),
                                GoQuote(GoDuration(durations[0])), GoQuote(GoDuration(durations[1])),
                                GoQuote(GoDuration(durations[2])), GoQuoteRune(retries));
  return CommitNop(st, msg);
}

Status Dispatcher::Dispatch(const dockerfile::Instruction& in, StageState* st) {
  st->run_config["Image"] = st->image_id;
  const std::string& n = in.name;
  if (n != "copy" && n != "add" && n != "run" && n != "healthcheck" && !in.flags.empty())
    BERTH_TRY(ParseFlags(in, {}));
  if (n == "run") return Run(in, st);
  if (n == "copy") return Copy(in, st, false);
  if (n == "add") return Copy(in, st, true);
  if (n == "workdir") return Workdir(in, st);
  if (n == "env") return Env(in, st);
  if (n == "label") return Label(in, st);
  if (n == "arg") return Arg(in, st);
  if (n == "expose") return Expose(in, st);
  if (n == "healthcheck") return Healthcheck(in, st);
  if (n == "cmd" || n == "entrypoint") {
    std::vector<std::string> cmd;
    if (in.json) {
      cmd = in.args;
    } else {
      cmd = st->Shell();
      if (!in.args.empty()) cmd.push_back(in.args[0]);
    }
    // An empty JSON array is no command at all (null), as docker stores it.
    json value = cmd.empty() ? json(nullptr) : json(cmd);
    if (n == "cmd") {
      st->run_config["Cmd"] = value;
      st->cmd_set = true;
      return CommitNop(st, "CMD " + GoQuoteList(cmd));
    }
    st->run_config["Entrypoint"] = value;
    if (!st->cmd_set) st->run_config["Cmd"] = nullptr;
    return CommitNop(st, "ENTRYPOINT " + GoQuoteList(cmd));
  }
  if (n == "volume") {
    std::vector<std::string> envs = Envs(*st);
    std::vector<std::string> vols;
    json& v = st->run_config["Volumes"];
    if (!v.is_object()) v = json::object();
    for (const std::string& a : in.args) {
      std::string p(str::Trim(BERTH_TRY(lex_.ProcessWord(a, envs))));
      if (p.empty()) return Error::Invalid("VOLUME specified can not be an empty string");
      vols.push_back(p);
      v[p] = json::object();
    }
    return CommitNop(st, "VOLUME " + GoList(vols));
  }
  if (n == "user") {
    std::string u = BERTH_TRY(Word(in.args[0], *st));
    st->run_config["User"] = u;
    return CommitNop(st, "USER " + u);
  }
  if (n == "stopsignal") {
    std::string s = BERTH_TRY(Word(in.args[0], *st));
    if (!ValidSignal(s)) return Error::Invalid(fmt::format("Invalid signal: {}", s));
    st->run_config["StopSignal"] = s;
    return CommitNop(st, "STOPSIGNAL " + s);
  }
  if (n == "shell") {
    st->run_config["Shell"] = in.args;
    return CommitNop(st, "SHELL " + GoList(in.args));
  }
  if (n == "maintainer") {
    st->maintainer = in.args[0];
    return CommitNop(st, "MAINTAINER " + in.args[0]);
  }
  if (n == "onbuild") {
    json& ob = st->run_config["OnBuild"];
    if (!ob.is_array()) ob = json::array();
    ob.push_back(in.onbuild);
    return CommitNop(st, "ONBUILD " + in.onbuild);
  }
  if (n == "from") return Error::Invalid("FROM is not allowed here");
  return Error::Invalid("unknown instruction: " + Upper(n));
}

}  // namespace berth::build
