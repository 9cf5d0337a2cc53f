// MergeImageConfig: the image's config under the container's, the rules of
// docker create (moby's runconfig merge).
#include "base/strings.h"
#include "engine/spec/internal.h"
#include "engine/spec/spec_builder.h"

namespace berth::engine {

using spec::Has;
using spec::json;

namespace {

bool Empty(const json& j, const char* key) {
  if (!Has(j, key)) return true;
  const json& v = j[key];
  return (v.is_array() || v.is_object() || v.is_string()) && v.empty();
}

std::string EnvKey(const std::string& kv) { return str::Cut(kv, '=').first; }

// The container's entries first, then the image's whose key it does not set.
json MergeEnv(const json& user, const json& image) {
  if (!user.is_array() || user.empty()) return image.is_array() ? image : json();
  json out = user;
  if (!image.is_array()) return out;
  for (const json& ie : image) {
    if (!ie.is_string()) continue;
    std::string key = EnvKey(ie.get<std::string>());
    bool found = false;
    for (const json& ue : user)
      if (ue.is_string() && EnvKey(ue.get<std::string>()) == key) found = true;
    if (!found) out.push_back(ie);
  }
  return out;
}

// Object-valued sets (ExposedPorts, Volumes): union.
json MergeSet(const json& user, const json& image) {
  json out = user.is_object() ? user : json::object();
  if (image.is_object())
    for (const auto& [k, v] : image.items())
      if (!out.contains(k)) out[k] = v;
  return out;
}

void MergeHealthcheck(json& c, const json& image) {
  if (!Has(image, "Healthcheck")) return;
  if (!Has(c, "Healthcheck")) {
    c["Healthcheck"] = image["Healthcheck"];
    return;
  }
  json& h = c["Healthcheck"];
  const json& ih = image["Healthcheck"];
  if (Empty(h, "Test") && Has(ih, "Test")) h["Test"] = ih["Test"];
  for (const char* k : {"Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"})
    if (spec::Int(h, k) == 0 && spec::Int(ih, k) != 0) h[k] = ih[k];
}

}  // namespace

Result<nlohmann::json> MergeImageConfig(const nlohmann::json& config,
                                        const nlohmann::json& image_config) {
  json c = config.is_object() ? config : json::object();
  const json& img = image_config.is_object() ? image_config : json::object();

  // `--entrypoint ""` arrives as [""]: no entrypoint, but one was given.
  if (Has(c, "Entrypoint") && c["Entrypoint"].is_array() && c["Entrypoint"].size() == 1 &&
      c["Entrypoint"][0] == "")
    c["Entrypoint"] = json::array();
  if (Has(c, "Entrypoint") && c["Entrypoint"].is_string())
    c["Entrypoint"] = json::array({c["Entrypoint"]});
  if (Has(c, "Cmd") && c["Cmd"].is_string()) c["Cmd"] = json::array({c["Cmd"]});

  if (spec::Str(c, "User").empty() && Has(img, "User")) c["User"] = img["User"];
  if (Empty(c, "ExposedPorts")) {
    if (Has(img, "ExposedPorts")) c["ExposedPorts"] = img["ExposedPorts"];
  } else {
    c["ExposedPorts"] = MergeSet(c["ExposedPorts"], img.value("ExposedPorts", json()));
  }
  json env = MergeEnv(c.value("Env", json()), img.value("Env", json()));
  if (!env.is_null()) c["Env"] = env;
  json labels = Has(c, "Labels") && c["Labels"].is_object() ? c["Labels"] : json::object();
  c["Labels"] = MergeSet(labels, img.value("Labels", json()));
  if (Empty(c, "Entrypoint")) {
    if (Empty(c, "Cmd")) {
      if (Has(img, "Cmd")) c["Cmd"] = img["Cmd"];
      if (Has(img, "ArgsEscaped")) c["ArgsEscaped"] = img["ArgsEscaped"];
    }
    if (!Has(c, "Entrypoint") && Has(img, "Entrypoint")) c["Entrypoint"] = img["Entrypoint"];
  }
  MergeHealthcheck(c, img);
  if (spec::Str(c, "WorkingDir").empty() && Has(img, "WorkingDir"))
    c["WorkingDir"] = img["WorkingDir"];
  if (Empty(c, "Volumes")) {
    if (Has(img, "Volumes")) c["Volumes"] = img["Volumes"];
  } else {
    c["Volumes"] = MergeSet(c["Volumes"], img.value("Volumes", json()));
  }
  if (spec::Str(c, "StopSignal").empty() && Has(img, "StopSignal"))
    c["StopSignal"] = img["StopSignal"];
  if (Empty(c, "OnBuild") && Has(img, "OnBuild")) c["OnBuild"] = img["OnBuild"];

  if (spec::Strs(c, "Entrypoint").empty() && spec::Strs(c, "Cmd").empty())
    return Error::Invalid("No command specified");
  return c;
}

}  // namespace berth::engine
