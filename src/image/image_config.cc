#include "image/image_config.h"

#include "image/json_fields.h"

namespace berth::image {
namespace {

using jsonf::json;

Status ReadHealth(const json& j, const std::string& path, HealthConfig* h) {
  if (!j.is_object()) return jsonf::TypeError(path, "object", j);
  BERTH_TRY(jsonf::Strings(j, path, "Test", &h->test));
  BERTH_TRY(jsonf::Int(j, path, "Interval", &h->interval));
  BERTH_TRY(jsonf::Int(j, path, "Timeout", &h->timeout));
  BERTH_TRY(jsonf::Int(j, path, "StartPeriod", &h->start_period));
  BERTH_TRY(jsonf::Int(j, path, "StartInterval", &h->start_interval));
  BERTH_TRY(jsonf::Int(j, path, "Retries", &h->retries));
  return Ok();
}

Status ReadRunConfig(const json& j, RunConfig* c) {
  const std::string path = "config";
  if (!j.is_object()) return jsonf::TypeError(path, "object", j);
  c->raw = j;
  BERTH_TRY(jsonf::String(j, path, "User", &c->user));
  BERTH_TRY(jsonf::KeySet(j, path, "ExposedPorts", &c->exposed_ports));
  BERTH_TRY(jsonf::Strings(j, path, "Env", &c->env));
  BERTH_TRY(jsonf::OptStrings(j, path, "Entrypoint", &c->entrypoint));
  BERTH_TRY(jsonf::OptStrings(j, path, "Cmd", &c->cmd));
  BERTH_TRY(jsonf::KeySet(j, path, "Volumes", &c->volumes));
  BERTH_TRY(jsonf::String(j, path, "WorkingDir", &c->working_dir));
  BERTH_TRY(jsonf::StringMap(j, path, "Labels", &c->labels));
  BERTH_TRY(jsonf::String(j, path, "StopSignal", &c->stop_signal));
  if (auto it = j.find("Healthcheck"); it != j.end() && !it->is_null()) {
    HealthConfig h;
    BERTH_TRY(ReadHealth(*it, jsonf::Child(path, "Healthcheck"), &h));
    c->healthcheck = std::move(h);
  }
  BERTH_TRY(jsonf::Strings(j, path, "OnBuild", &c->on_build));
  BERTH_TRY(jsonf::Strings(j, path, "Shell", &c->shell));
  BERTH_TRY(jsonf::Bool(j, path, "ArgsEscaped", &c->args_escaped));
  return Ok();
}

Status ReadHistory(const json& j, std::vector<HistoryEntry>* out) {
  auto it = j.find("history");
  if (it == j.end() || it->is_null()) return Ok();
  if (!it->is_array()) return jsonf::TypeError("history", "array", *it);
  for (size_t i = 0; i < it->size(); ++i) {
    const json& e = (*it)[i];
    std::string path = jsonf::Index("history", i);
    if (!e.is_object()) return jsonf::TypeError(path, "object", e);
    HistoryEntry h;
    BERTH_TRY(jsonf::String(e, path, "created", &h.created));
    BERTH_TRY(jsonf::String(e, path, "created_by", &h.created_by));
    BERTH_TRY(jsonf::String(e, path, "author", &h.author));
    BERTH_TRY(jsonf::String(e, path, "comment", &h.comment));
    BERTH_TRY(jsonf::Bool(e, path, "empty_layer", &h.empty_layer));
    out->push_back(std::move(h));
  }
  return Ok();
}

Status ReadRootFs(const json& j, ImageConfig* c) {
  auto it = j.find("rootfs");
  if (it == j.end() || it->is_null()) return Ok();
  if (!it->is_object()) return jsonf::TypeError("rootfs", "object", *it);
  BERTH_TRY(jsonf::String(*it, "rootfs", "type", &c->rootfs_type));
  std::vector<std::string> ids;
  BERTH_TRY(jsonf::Strings(*it, "rootfs", "diff_ids", &ids));
  for (size_t i = 0; i < ids.size(); ++i)
    c->diff_ids.push_back(BERTH_TRY_CTX(Digest::Parse(ids[i]), jsonf::Index("rootfs.diff_ids", i)));
  return Ok();
}

Status ReadConfig(const json& j, ImageConfig* c) {
  BERTH_TRY(jsonf::String(j, "", "architecture", &c->architecture));
  BERTH_TRY(jsonf::String(j, "", "os", &c->os));
  BERTH_TRY(jsonf::String(j, "", "os.version", &c->os_version));
  BERTH_TRY(jsonf::Strings(j, "", "os.features", &c->os_features));
  BERTH_TRY(jsonf::String(j, "", "variant", &c->variant));
  BERTH_TRY(jsonf::String(j, "", "created", &c->created));
  BERTH_TRY(jsonf::String(j, "", "author", &c->author));
  if (auto it = j.find("config"); it != j.end() && !it->is_null())
    BERTH_TRY(ReadRunConfig(*it, &c->config));
  BERTH_TRY(ReadRootFs(j, c));
  BERTH_TRY(ReadHistory(j, &c->history));
  return Ok();
}

// Sets or removes obj[key]: empty values are left out, as Go's omitempty.
template <typename T>
void Put(json& obj, const char* key, const T& value, bool present) {
  if (present) {
    obj[key] = value;
  } else {
    obj.erase(key);
  }
}

json KeyObject(const std::set<std::string>& keys) {
  json o = json::object();
  for (const auto& k : keys) o[k] = json::object();
  return o;
}

json EncodeRunConfig(const RunConfig& c) {
  json j = c.raw.is_object() ? c.raw : json::object();
  Put(j, "User", c.user, !c.user.empty());
  Put(j, "ExposedPorts", KeyObject(c.exposed_ports), !c.exposed_ports.empty());
  Put(j, "Env", c.env, !c.env.empty());
  // Entrypoint and Cmd keep null apart from [] (an image may reset them).
  j["Entrypoint"] = c.entrypoint ? json(*c.entrypoint) : json(nullptr);
  j["Cmd"] = c.cmd ? json(*c.cmd) : json(nullptr);
  Put(j, "Volumes", KeyObject(c.volumes), !c.volumes.empty());
  Put(j, "WorkingDir", c.working_dir, !c.working_dir.empty());
  Put(j, "Labels", c.labels, !c.labels.empty());
  Put(j, "StopSignal", c.stop_signal, !c.stop_signal.empty());
  if (c.healthcheck) {
    const HealthConfig& h = *c.healthcheck;
    json hj = {{"Test", h.test}};
    if (h.interval) hj["Interval"] = h.interval;
    if (h.timeout) hj["Timeout"] = h.timeout;
    if (h.start_period) hj["StartPeriod"] = h.start_period;
    if (h.start_interval) hj["StartInterval"] = h.start_interval;
    if (h.retries) hj["Retries"] = h.retries;
    j["Healthcheck"] = hj;
  } else {
    j.erase("Healthcheck");
  }
  Put(j, "OnBuild", c.on_build, !c.on_build.empty());
  Put(j, "Shell", c.shell, !c.shell.empty());
  Put(j, "ArgsEscaped", c.args_escaped, c.args_escaped);
  return j;
}

}  // namespace

Result<ImageConfig> ParseImageConfig(std::string_view text) {
  json j = BERTH_TRY(jsonf::ParseObject(text, "image config"));
  ImageConfig c;
  c.raw = j;
  BERTH_TRY_CTX(ReadConfig(j, &c), "image config");
  return c;
}

std::string EncodeImageConfig(const ImageConfig& c) {
  json j = c.raw.is_object() ? c.raw : json::object();
  j["architecture"] = c.architecture;
  j["os"] = c.os;
  Put(j, "os.version", c.os_version, !c.os_version.empty());
  Put(j, "os.features", c.os_features, !c.os_features.empty());
  Put(j, "variant", c.variant, !c.variant.empty());
  Put(j, "created", c.created, !c.created.empty());
  Put(j, "author", c.author, !c.author.empty());
  j["config"] = EncodeRunConfig(c.config);
  json ids = json::array();
  for (const Digest& d : c.diff_ids) ids.push_back(d.str());
  j["rootfs"] = {{"type", c.rootfs_type}, {"diff_ids", ids}};
  json history = json::array();
  for (const HistoryEntry& h : c.history) {
    json e = json::object();
    if (!h.created.empty()) e["created"] = h.created;
    if (!h.created_by.empty()) e["created_by"] = h.created_by;
    if (!h.author.empty()) e["author"] = h.author;
    if (!h.comment.empty()) e["comment"] = h.comment;
    if (h.empty_layer) e["empty_layer"] = true;
    history.push_back(std::move(e));
  }
  Put(j, "history", history, !c.history.empty());
  return j.dump();
}

Digest ChainId(std::span<const Digest> diff_ids) {
  std::vector<Digest> all = ChainIds(diff_ids);
  return all.empty() ? Digest() : all.back();
}

std::vector<Digest> ChainIds(std::span<const Digest> diff_ids) {
  std::vector<Digest> out;
  out.reserve(diff_ids.size());
  for (const Digest& d : diff_ids)
    out.push_back(out.empty() ? d : Sha256Of(out.back().str() + " " + d.str()));
  return out;
}

}  // namespace berth::image
