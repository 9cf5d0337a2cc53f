// POST /containers/create: validate, merge the image's config, record.
#include <regex>

#include "base/clock.h"
#include "base/fs.h"
#include "base/scope_guard.h"
#include "engine/engine_impl.h"
#include "engine/spec/spec_builder.h"

namespace berth::engine {
namespace {

bool ValidName(const std::string& name) {
  static const std::regex re("^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$");
  return std::regex_match(name, re);
}

Error NameConflict(const std::string& name, const std::string& id) {
  return Error(Code::kConflict,
               "Conflict. The container name \"" + name + "\" is already in use by container \"" +
                   id + "\". You have to remove (or rename) that container to be able to reuse "
                        "that name.");
}

}  // namespace

Result<CreateResult> Engine::Create(const json& body, const std::string& name) {
  Impl& m = *impl_;
  if (!body.is_object()) return Error::Invalid("config cannot be empty in order to create a container");
  std::string image_name = body.value("Image", "");
  if (image_name.empty()) return Error::Invalid("No command specified");
  if (!name.empty() && !ValidName(name))
    return Error::Invalid("Invalid container name (" + name +
                          "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");

  auto img = m.opts.images->Resolve(image_name);
  if (!img.ok()) {
    if (img.error().code() == Code::kNotFound)
      return Error(Code::kNotFound, "No such image: " + image_name);
    return std::move(img).error();
  }
  json image_config = json::parse(img->config_json, nullptr, false);
  json image_cfg = image_config.is_object() ? image_config.value("config", json::object())
                                            : json::object();
  if (image_cfg.is_null()) image_cfg = json::object();

  json config = body;
  config.erase("HostConfig");
  config.erase("NetworkingConfig");
  config = BERTH_TRY(MergeImageConfig(config, image_cfg));
  json host_config =
      BERTH_TRY(NormalizeHostConfig(body.value("HostConfig", json::object())));
  json networking_config = body.value("NetworkingConfig", json::object());
  if (!networking_config.is_object()) networking_config = json::object();
  BERTH_TRY(CheckNetworkMode(m, host_config, &networking_config));

  auto c = std::make_shared<Container>();
  c->id = NewId();
  if (config.value("Hostname", "").empty()) config["Hostname"] = c->id.substr(0, 12);
  c->config = std::move(config);
  c->host_config = std::move(host_config);
  c->networking_config = std::move(networking_config);
  c->image_id = img->id.str();
  c->links = BERTH_TRY(m.ResolveLinks(c->host_config));
  c->created = NowRfc3339Nano();
  std::vector<std::string> argv;
  for (const char* key : {"Entrypoint", "Cmd"}) {
    const json& v = c->config.value(key, json());
    if (v.is_array())
      for (const auto& a : v)
        if (a.is_string()) argv.push_back(a.get<std::string>());
  }
  if (argv.empty()) return Error::Invalid("No command specified");
  c->path = argv[0];
  c->args.assign(argv.begin() + 1, argv.end());

  // Claim the name.
  {
    std::lock_guard lock(m.mu);
    if (name.empty()) {
      for (int i = 0; i < 100; i++) {
        std::string n = "/" + RandomName();
        if (!m.names.count(n)) {
          c->name = n;
          break;
        }
      }
      if (c->name.empty()) c->name = "/" + c->id.substr(0, 12);
    } else {
      c->name = name[0] == '/' ? name : "/" + name;
      if (auto it = m.names.find(c->name); it != m.names.end())
        return NameConflict(c->name, it->second);
    }
    m.names[c->name] = c->id;
  }
  ScopeGuard unclaim([&] {
    std::lock_guard lock(m.mu);
    m.names.erase(c->name);
  });

  // Mounts: resolved without locks. Volumes are made under volumes_mu, held
  // until the container is indexed, so a concurrent volume prune or rm sees
  // the new references; a create without volumes never takes it (nor waits
  // for a prune). The anonymous volumes made are removed again, still under
  // the lock, if a later step fails.
  c->mounts = BERTH_TRY(m.ResolveMounts(*c));
  std::unique_lock volumes_lock(m.volumes_mu, std::defer_lock);
  if (HasVolumes(c->mounts)) volumes_lock.lock();
  std::vector<std::string> made;
  ScopeGuard unmake([&] { m.RemoveMadeVolumes(made); });
  BERTH_TRY(m.CreateVolumes(*c, &made));

  std::string dir = m.ContainerDir(c->id);
  Status st = fs::MkdirAll(fs::Join(dir, "fs/upper"), 0755);
  if (st.ok()) st = fs::MkdirAll(fs::Join(dir, "fs/work"), 0700);
  if (st.ok()) st = fs::MkdirAll(fs::Join(dir, "fs/merged"), 0755);
  if (st.ok()) {
    std::lock_guard lock(c->mu);
    st = m.Save(*c);
  }
  if (!st.ok()) {
    (void)fs::RemoveAll(dir);
    return std::move(st).error().Context("create container");
  }
  {
    std::lock_guard lock(m.mu);
    m.containers[c->id] = c;
  }
  unmake.Dismiss();
  unclaim.Dismiss();
  if (volumes_lock.owns_lock()) volumes_lock.unlock();
  m.Publish("create", *c);
  CreateResult out;
  out.id = c->id;
  return out;
}

}  // namespace berth::engine
