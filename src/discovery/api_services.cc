// /v1/agent, /v1/catalog and /v1/health.
#include <set>

#include "base/strings.h"
#include "discovery/codec.h"
#include "discovery/consul_api_internal.h"

namespace berth::discovery::api {
namespace {

Status BlockFailed(Call& c, const Error& e) { return c.w.started() ? Ok() : FailError(c, e); }

Result<Check> ParseCheck(const json& j) {
  Check k;
  k.id = StringField(j, "CheckID");
  if (k.id.empty()) k.id = StringField(j, "ID");
  k.name = StringField(j, "Name");
  k.notes = StringField(j, "Notes");
  std::string ttl = StringField(j, "TTL");
  std::string status = StringField(j, "Status");
  if (!ttl.empty()) {
    k.ttl_ms = BERTH_TRY(ParseDuration(ttl).Context("Check.TTL")).count();
    if (k.ttl_ms <= 0) return Error::Invalid("Check.TTL must be positive");
    k.status = status.empty() ? std::string(kCritical) : status;
  } else {
    // Script, HTTP, TCP, gRPC and Docker checks are not run by berth; they
    // keep the status they were registered with.
    k.status = status.empty() ? std::string(kPassing) : status;
    k.output = "berth runs only TTL checks";
  }
  if (!ValidCheckStatus(k.status)) return Error::Invalid("Status must be passing, warning or critical");
  return k;
}

Result<Service> ParseService(const json& j) {
  if (!j.is_object()) return Error::Invalid("Request decode failed: expected an object");
  Service s;
  s.name = StringField(j, "Name");
  if (s.name.empty()) return Error::Invalid("Missing service name");
  s.id = StringField(j, "ID");
  if (s.id.empty()) s.id = s.name;
  s.address = StringField(j, "Address");
  if (const json* p = Field(j, "Port"); p && p->is_number_integer()) s.port = p->get<int>();
  if (s.port < 0 || s.port > 65535) return Error::Invalid("Invalid port");
  if (const json* t = Field(j, "Tags"); t && t->is_array())
    for (const json& tag : *t)
      if (tag.is_string()) s.tags.push_back(tag.get<std::string>());
  if (const json* m = Field(j, "Meta"); m && m->is_object())
    for (auto it = m->begin(); it != m->end(); ++it)
      if (it.value().is_string()) s.meta[it.key()] = it.value().get<std::string>();
  if (const json* k = Field(j, "Check"); k && k->is_object() && !k->empty())
    s.checks.push_back(BERTH_TRY(ParseCheck(*k)));
  if (const json* ks = Field(j, "Checks"); ks && ks->is_array())
    for (const json& k : *ks) s.checks.push_back(BERTH_TRY(ParseCheck(k)));
  // Consul's compatibility form: TTL at the top level.
  if (s.checks.empty() && !StringField(j, "TTL").empty()) s.checks.push_back(BERTH_TRY(ParseCheck(j)));
  return s;
}

bool MayChange(const Caller& caller, const Service& existing) {
  return caller.privileged || (caller.known && existing.owner == caller.owner);
}

Status Register(Call& c) {
  auto body = Body(c);
  if (!body.ok()) return FailError(c, body.error());
  auto s = ParseService(*body);
  if (!s.ok()) return FailError(c, s.error());
  if (!c.caller.privileged && !c.caller.known) return Fail(c, 403, "Permission denied");
  if (auto old = c.store->GetService(s->id); old.ok() && !MayChange(c.caller, *old))
    return Fail(c, 403, "Permission denied: service " + s->id + " belongs to another owner");
  s->owner = c.caller.owner;
  if (s->address.empty() && !c.caller.privileged) s->address = c.caller.address;
  if (Status st = c.store->Register(*s); !st.ok()) return FailError(c, st.error());
  return ReplyText(c, 200, "", 0);
}

Status Deregister(Call& c, const std::string& id) {
  auto old = c.store->GetService(id);
  if (!old.ok()) return Fail(c, 404, "Unknown service ID \"" + id + "\"");
  if (!MayChange(c.caller, *old)) return Fail(c, 403, "Permission denied");
  auto r = c.store->Deregister(id);
  if (!r.ok()) return FailError(c, r.error());
  // Another host's instance (etcd): only its own host removes it.
  if (!*r) return Fail(c, 404, "Unknown service ID \"" + id + "\" on this node");
  return ReplyText(c, 200, "", 0);
}

Status SetCheck(Call& c, const std::string& id, std::string status, std::string output) {
  auto svc = c.store->Services("");
  if (!svc.ok()) return FailError(c, svc.error());
  const Service* owner = nullptr;
  for (const Service& s : svc->services)
    for (const Check& k : s.checks)
      if (k.id == id) owner = &s;
  if (!owner) return Fail(c, 404, "Unknown check ID \"" + id + "\"");
  if (!MayChange(c.caller, *owner)) return Fail(c, 403, "Permission denied");
  if (Status st = c.store->UpdateCheck(id, status, output); !st.ok()) return FailError(c, st.error());
  return ReplyText(c, 200, "", 0);
}

Status UpdateCheckBody(Call& c, const std::string& id) {
  auto body = Body(c);
  if (!body.ok()) return FailError(c, body.error());
  std::string status = str::ToLower(StringField(*body, "Status"));
  if (!ValidCheckStatus(status)) return Fail(c, 400, "Invalid check status: \"" + status + "\"");
  return SetCheck(c, id, status, StringField(*body, "Output"));
}

json AgentChecks(Call& c, const std::vector<Service>& services) {
  json out = json::object();
  for (const Service& s : services)
    for (const Check& k : s.checks) out[k.id] = CheckJson(c, s, k);
  return out;
}

bool HasTag(const Service& s, const std::string& tag) {
  for (const std::string& t : s.tags)
    if (t == tag) return true;
  return false;
}

// Instances of name with every ?tag= (and, for health, ?passing).
std::vector<Service> Filter(Call& c, std::vector<Service> in, bool health) {
  std::vector<std::string> tags = c.req.query.GetAll("tag");
  bool passing = health && Flag(c.req, "passing");
  std::vector<Service> out;
  for (Service& s : in) {
    bool ok = !passing || s.Passing();
    for (const std::string& t : tags) ok = ok && HasTag(s, t);
    if (ok) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

json CheckJson(const Call& c, const Service& s, const Check& k) {
  return {{"Node", c.options.node},   {"CheckID", k.id},         {"Name", k.name},
          {"Status", k.status},       {"Notes", k.notes},        {"Output", k.output},
          {"ServiceID", s.id},        {"ServiceName", s.name},   {"ServiceTags", s.tags},
          {"Type", k.ttl_ms > 0 ? "ttl" : ""},
          {"CreateIndex", s.create_index}, {"ModifyIndex", s.modify_index}};
}

json AgentServiceJson(const Service& s) {
  return {{"ID", s.id},
          {"Service", s.name},
          {"Tags", s.tags},
          {"Meta", s.meta},
          {"Port", s.port},
          {"Address", s.address},
          {"Weights", {{"Passing", 1}, {"Warning", 1}}},
          {"EnableTagOverride", false},
          {"Datacenter", "dc1"}};
}

json CatalogServiceJson(const Call& c, const Service& s) {
  return {{"ID", ""},
          {"Node", s.node.empty() ? c.options.node : s.node},
          {"Address", c.options.node_address},
          {"Datacenter", c.options.datacenter},
          {"TaggedAddresses", json::object()},
          {"NodeMeta", json::object()},
          {"ServiceKind", ""},
          {"ServiceID", s.id},
          {"ServiceName", s.name},
          {"ServiceTags", s.tags},
          {"ServiceAddress", s.address},
          {"ServiceMeta", s.meta},
          {"ServicePort", s.port},
          {"ServiceEnableTagOverride", false},
          {"CreateIndex", s.create_index},
          {"ModifyIndex", s.modify_index}};
}

Status ServeAgent(Call& c, std::string_view rest) {
  std::string r(rest);
  auto after = [&](std::string_view prefix) { return r.substr(prefix.size()); };
  if (r == "service/register") return Register(c);
  if (str::StartsWith(r, "service/deregister/")) return Deregister(c, after("service/deregister/"));
  for (std::string_view verb : {"pass", "warn", "fail"}) {
    std::string prefix = "check/" + std::string(verb) + "/";
    if (str::StartsWith(r, prefix)) {
      std::string status = verb == "pass" ? "passing" : verb == "warn" ? "warning" : "critical";
      return SetCheck(c, after(prefix), status, c.req.query.Get("note"));
    }
  }
  if (str::StartsWith(r, "check/update/")) return UpdateCheckBody(c, after("check/update/"));
  if (r == "services" || r == "checks") {
    auto all = c.store->Services("");
    if (!all.ok()) return FailError(c, all.error());
    if (r == "checks") return Reply(c, 200, AgentChecks(c, all->services), 0);
    json out = json::object();
    for (const Service& s : all->services) out[s.id] = AgentServiceJson(s);
    return Reply(c, 200, out, 0);
  }
  if (str::StartsWith(r, "service/")) {
    auto s = c.store->GetService(after("service/"));
    if (!s.ok()) return Fail(c, 404, "unknown service ID: " + after("service/"));
    return Reply(c, 200, AgentServiceJson(*s), s->modify_index);
  }
  if (r == "self")
    return Reply(c, 200,
                 {{"Config", {{"Datacenter", c.options.datacenter}, {"NodeName", c.options.node},
                              {"Server", true}, {"Version", "1.0.0-berth"}}},
                  {"Member", {{"Name", c.options.node}, {"Addr", c.options.node_address}}}},
                 0);
  if (r == "members") return Reply(c, 200, json::array({{{"Name", c.options.node}, {"Addr", c.options.node_address}, {"Status", 1}}}), 0);
  return Fail(c, 404, "404 page not found");
}

Status ServeCatalog(Call& c, std::string_view rest) {
  std::string r(rest);
  if (r == "services") {
    if (Status st = Block(c, {WatchTarget::Kind::kCatalog, ""}); !st.ok()) return BlockFailed(c, st.error());
    auto all = c.store->Services("");
    if (!all.ok()) return FailError(c, all.error());
    json out = json::object();
    std::map<std::string, std::set<std::string>> tags;
    for (const Service& s : all->services) tags[s.name].insert(s.tags.begin(), s.tags.end());
    for (const auto& [name, t] : tags) out[name] = std::vector<std::string>(t.begin(), t.end());
    return Reply(c, 200, out, all->index);
  }
  if (str::StartsWith(r, "service/")) {
    std::string name = r.substr(8);
    if (Status st = Block(c, {WatchTarget::Kind::kService, name}); !st.ok()) return BlockFailed(c, st.error());
    auto all = c.store->Services(name);
    if (!all.ok()) return FailError(c, all.error());
    json out = json::array();
    for (const Service& s : Filter(c, all->services, false)) out.push_back(CatalogServiceJson(c, s));
    return Reply(c, 200, out, all->index);
  }
  if (r == "nodes") return Reply(c, 200, json::array({NodeJson(c)}), 1);
  if (r == "datacenters") return Reply(c, 200, json::array({c.options.datacenter}), 0);
  return Fail(c, 404, "404 page not found");
}

Status ServeHealth(Call& c, std::string_view rest) {
  std::string r(rest);
  bool checks_only = str::StartsWith(r, "checks/");
  if (!checks_only && !str::StartsWith(r, "service/")) return Fail(c, 404, "404 page not found");
  std::string name = r.substr(checks_only ? 7 : 8);
  if (Status st = Block(c, {WatchTarget::Kind::kService, name}); !st.ok()) return BlockFailed(c, st.error());
  auto all = c.store->Services(name);
  if (!all.ok()) return FailError(c, all.error());
  json out = json::array();
  for (const Service& s : Filter(c, all->services, !checks_only)) {
    json checks = json::array();
    for (const Check& k : s.checks) checks.push_back(CheckJson(c, s, k));
    if (checks_only) {
      for (json& k : checks) out.push_back(std::move(k));
      continue;
    }
    json svc = AgentServiceJson(s);
    svc["CreateIndex"] = s.create_index;
    svc["ModifyIndex"] = s.modify_index;
    out.push_back({{"Node", NodeJson(c)}, {"Service", svc}, {"Checks", checks}});
  }
  return Reply(c, 200, out, all->index);
}

}  // namespace berth::discovery::api
