// ImageStore::Import and the -c change parser.
#include "image/import.h"

#include <sys/utsname.h>

#include <algorithm>

#include "base/fs.h"
#include "base/strings.h"
#include "image/image_store.h"
#include "image/image_store_impl.h"
#include "image/layer/layer.h"
#include "image/layer/stream.h"
#include "image/manifest.h"

namespace berth::image {
namespace {

using nlohmann::json;

// Shell-like words: whitespace separates, quotes group, backslash escapes.
std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
      else if (c == '\\' && quote == '"' && i + 1 < s.size()) cur += s[++i];
      else cur += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < s.size()) {
      cur += s[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(cur);
  return out;
}

std::optional<std::vector<std::string>> JsonForm(std::string_view rest) {
  if (rest.empty() || rest.front() != '[') return std::nullopt;
  json j = json::parse(rest, nullptr, false);
  if (j.is_discarded() || !j.is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const json& e : j) {
    if (!e.is_string()) return std::nullopt;
    out.push_back(e);
  }
  return out;
}

std::vector<std::string> CmdForm(std::string_view rest) {
  if (auto j = JsonForm(rest)) return *j;
  return {"/bin/sh", "-c", std::string(rest)};
}

// "k=v k2=v2" or the legacy "k v w".
Result<std::vector<std::pair<std::string, std::string>>> KeyValues(std::string_view instr,
                                                                    std::string_view rest) {
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<std::string> words = Words(rest);
  if (words.empty()) return Error::Invalid(std::string(instr) + " requires at least one argument");
  if (words[0].find('=') == std::string::npos) {
    auto [k, v] = str::Cut(str::Trim(rest), ' ');
    std::vector<std::string> vw = Words(v);
    out.emplace_back(k, str::Join(vw, " "));
    return out;
  }
  for (const std::string& w : words) {
    bool found = false;
    auto [k, v] = str::Cut(w, '=', &found);
    if (!found || k.empty())
      return Error::Invalid("Syntax error - can't find = in \"" + w + "\". Must be of the form: name=value");
    out.emplace_back(k, v);
  }
  return out;
}

void SetEnv(std::vector<std::string>* env, const std::string& k, const std::string& v) {
  for (std::string& e : *env)
    if (str::Cut(e, '=').first == k) {
      e = k + "=" + v;
      return;
    }
  env->push_back(k + "=" + v);
}

}  // namespace

Status ApplyChanges(const std::vector<std::string>& changes, RunConfig* c) {
  bool cmd_set = false;
  for (const std::string& change : changes) {
    std::string_view line = str::Trim(change);
    size_t sp = line.find_first_of(" \t");
    std::string instr = str::ToLower(line.substr(0, sp));
    std::string_view rest = sp == std::string_view::npos ? "" : str::Trim(line.substr(sp));
    if (instr == "cmd") {
      c->cmd = CmdForm(rest);
      cmd_set = true;
    } else if (instr == "entrypoint") {
      c->entrypoint = CmdForm(rest);
      if (!cmd_set) c->cmd.reset();
    } else if (instr == "env") {
      for (auto& [k, v] : BERTH_TRY(KeyValues("ENV", rest))) SetEnv(&c->env, k, v);
    } else if (instr == "label") {
      for (auto& [k, v] : BERTH_TRY(KeyValues("LABEL", rest))) c->labels[k] = v;
    } else if (instr == "expose") {
      for (std::string p : Words(rest)) {
        if (p.find('/') == std::string::npos) p += "/tcp";
        c->exposed_ports.insert(str::ToLower(p));
      }
    } else if (instr == "user") {
      c->user = std::string(rest);
    } else if (instr == "workdir") {
      std::string w(rest);
      if (!w.starts_with("/")) w = (c->working_dir.empty() ? "/" : c->working_dir) + "/" + w;
      c->working_dir = fs::Clean(w);
    } else if (instr == "volume") {
      std::vector<std::string> vols = JsonForm(rest).value_or(Words(rest));
      for (const std::string& v : vols)
        if (!v.empty()) c->volumes.insert(v);
    } else if (instr == "stopsignal") {
      c->stop_signal = std::string(rest);
    } else if (instr == "onbuild") {
      std::string r(rest);
      size_t s2 = r.find_first_of(" \t");
      std::string first = r.substr(0, s2);
      std::transform(first.begin(), first.end(), first.begin(), ::toupper);
      c->on_build.push_back(first + (s2 == std::string::npos ? "" : r.substr(s2)));
    } else {
      std::string up(line.substr(0, sp));
      std::transform(up.begin(), up.end(), up.begin(), ::toupper);
      return Error::Invalid(up + " is not a valid change command");
    }
  }
  return Ok();
}

Result<Digest> StoreDecompressed(ContentStore& content, int tar_fd) {
  auto w = BERTH_TRY(content.NewWriter());
  layer::FdReader reader(tar_fd);
  layer::Decompressor dec(reader);
  for (;;) {
    auto chunk = BERTH_TRY(dec.Next());
    if (chunk.empty()) break;
    BERTH_TRY(w->Write(std::string_view(chunk.data(), chunk.size())));
  }
  return w->Commit();
}

Result<std::string> ImageStore::Import(int tar_fd, std::string_view ref,
                                       const std::vector<std::string>& changes,
                                       std::string_view message) {
  std::vector<std::string> tags;
  if (!ref.empty()) {
    ref::Reference r = BERTH_TRY(NormalizeTagged(ref));
    if (!r.digest.empty()) return Error::Invalid("cannot import digest reference");
    tags.push_back(r.Full());
  }
  ImageConfig cfg;
  BERTH_TRY(ApplyChanges(changes, &cfg.config));

  Pins pins(impl_.get());
  auto fail = [&](Error e) -> Error {
    impl_->Cleanup(pins);
    return std::move(e).Context("import");
  };
  // The rootfs tar, decompressed, becomes the layer blob (named by diff ID).
  Digest diff;
  {
    auto d = StoreDecompressed(*impl_->content, tar_fd);
    if (!d.ok()) return fail(std::move(d).error());
    diff = *d;
    pins.Add(diff.str());
  }
  LayerPlan layer;
  layer.chain_id = diff;
  layer.diff_id = diff;
  if (Status s = impl_->EnsureLayer(&layer, pins); !s.ok()) return fail(std::move(s).error());

  std::string msg = message.empty() ? std::string("Imported from -") : std::string(message);
  std::string created = FormatRfc3339Nano(Now());
  struct utsname u;
  std::string arch = "amd64";
  if (::uname(&u) == 0) arch = NormalizePlatform({u.machine, "linux", "", {}, ""}).architecture;
  cfg.architecture = arch;
  cfg.os = "linux";
  cfg.created = created;
  cfg.diff_ids = {diff};
  HistoryEntry h;
  h.created = created;
  h.comment = msg;
  cfg.history = {h};
  cfg.raw["comment"] = msg;
  cfg.raw["container_config"] = nlohmann::json::object();
  std::string config = EncodeImageConfig(cfg);

  ImagePlan plan;
  plan.config_json = config;
  plan.id = ImageId(config);
  plan.config = cfg;
  plan.layers = {layer};
  plan.tags = tags;
  auto stored = impl_->content->WriteBlob(config, plan.id);
  if (!stored.ok()) return fail(std::move(stored).error());
  pins.Add(plan.id.str());
  BERTH_TRY_CTX(impl_->Publish({plan}, pins, nullptr), "import");
  if (!tags.empty()) {
    std::lock_guard lock(impl_->mu);
    BERTH_TRY(Exec(impl_->db, "UPDATE images SET last_tag_time=?2 WHERE id=?1", plan.id.str(),
                   FormatRfc3339Nano(Now())));
  }
  return plan.id.str();
}

}  // namespace berth::image
