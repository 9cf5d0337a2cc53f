// berth-registry user / gc / repo: management commands on --root (repo set
// also speaks to a running registry with --registry).
#include <cstdio>

#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "berth-registry/commands.h"
#include "http/client.h"
#include "registry/gc.h"
#include "registry/names.h"
#include "registry/storage.h"
#include "registry/token.h"
#include "registry/users.h"

namespace berth::registry_cli {
namespace {

int Fail(const std::string& msg, int code = 1) {
  fprintf(stderr, "berth-registry: %s\n", msg.c_str());
  return code;
}

int Usage(const std::string& msg) { return Fail(msg + "\n" + kUsage, 2); }

Result<registry::Storage> OpenStorage(const Options& o) { return registry::Storage::Open(o.root); }

}  // namespace

int UserCommand(const Options& o) {
  auto a = ParseArgs(o.args, 1, {"password-stdin", "admin"});
  if (!a.ok()) return Usage(a.error().message());
  if (a->positional.empty()) return Usage("user: give add, passwd, rm or list");
  auto storage = OpenStorage(o);
  if (!storage.ok()) return Fail(storage.error().message());
  registry::Users users(storage->AuthDir() + "/htpasswd", storage->AuthDir() + "/admins");
  const std::string& verb = a->positional[0];
  if (verb == "list") {
    auto list = users.List();
    if (!list.ok()) return Fail(list.error().message());
    printf("%-20s %s\n", "NAME", "ADMIN");
    for (const auto& u : *list) printf("%-20s %s\n", u.name.c_str(), u.admin ? "yes" : "no");
    return 0;
  }
  if (a->positional.size() != 2) return Usage("user " + verb + ": give exactly one NAME");
  const std::string& name = a->positional[1];
  Status st;
  if (verb == "add" || verb == "passwd") {
    auto pw = ReadPassword(*a);
    if (!pw.ok()) return Usage(pw.error().message());
    st = verb == "add" ? users.Add(name, *pw, a->Has("admin")) : users.SetPassword(name, *pw);
    if (st.ok() && verb == "passwd" && a->Has("admin")) st = users.SetAdmin(name, true);
  } else if (verb == "rm") {
    st = users.Remove(name);
  } else {
    return Usage("user: unknown sub-command \"" + verb + "\"");
  }
  if (!st.ok()) return Fail(st.error().message());
  return 0;
}

int GcCommand(const Options& o) {
  auto a = ParseArgs(o.args, 1, {"dry-run"});
  if (!a.ok()) return Usage(a.error().message());
  if (!a->positional.empty()) return Usage("gc takes no arguments");
  registry::GcOptions go;
  go.dry_run = a->Has("dry-run");
  if (a->Has("grace")) {
    auto g = ParseDuration(a->Get("grace"));
    if (!g.ok()) return Usage("--grace: " + g.error().message());
    go.grace = *g;
  }
  auto storage = OpenStorage(o);
  if (!storage.ok()) return Fail(storage.error().message());
  auto report = registry::CollectGarbage(*storage, go, [&](const Digest& d, uint64_t size) {
    printf("%s %s (%llu bytes)\n", go.dry_run ? "would remove" : "removed", d.str().c_str(),
           static_cast<unsigned long long>(size));
  });
  if (!report.ok()) return Fail("gc: " + report.error().message());
  printf("blobs: %zu, referenced: %zu, removed: %zu (%llu bytes), kept within the grace period: %zu\n",
         report->blobs, report->marked, report->removed,
         static_cast<unsigned long long>(report->bytes_removed), report->kept_young);
  return 0;
}

namespace {

int RepoRemote(const Args& a, const std::string& name, const nlohmann::json& change) {
  auto ep = http::ParseEndpoint("tcp://" + [&] {
    std::string r = a.Get("registry");
    if (r.rfind("http://", 0) == 0) r = r.substr(7);
    while (!r.empty() && r.back() == '/') r.pop_back();
    return r;
  }());
  if (a.Get("registry").rfind("https://", 0) == 0)
    return Fail("repo set --registry: https is not supported by this client yet; use curl (docs/registry.md)");
  if (!ep.ok()) return Fail("--registry: " + ep.error().message());
  http::Client client(*ep);
  http::ClientRequest req;
  req.method = change.empty() ? "GET" : "PUT";
  req.target = "/berth/v1/repositories/" + name;
  if (a.Has("username")) {
    auto pw = ReadPassword(a);
    if (!pw.ok()) return Usage(pw.error().message());
    req.headers.Set("Authorization", "Basic " + base64::Encode(a.Get("username") + ":" + *pw));
  }
  if (!change.empty()) {
    req.body = change.dump();
    req.headers.Set("Content-Type", "application/json");
  }
  auto resp = client.Do(req);
  if (!resp.ok()) return Fail(resp.error().message());
  if (resp->status != 200) return Fail("registry answered " + std::to_string(resp->status) + ": " + resp->body);
  fputs(resp->body.c_str(), stdout);
  return 0;
}

}  // namespace

int RepoCommand(const Options& o) {
  auto a = ParseArgs(o.args, 1, {"private", "public", "password-stdin"});
  if (!a.ok()) return Usage(a.error().message());
  if (a->positional.size() != 2 || (a->positional[0] != "show" && a->positional[0] != "set"))
    return Usage("repo: give show NAME or set NAME");
  const std::string& name = a->positional[1];
  if (!registry::ValidRepoName(name)) return Fail("invalid repository name \"" + name + "\"");
  nlohmann::json change = nlohmann::json::object();
  if (a->positional[0] == "set") {
    if (a->Has("private") && a->Has("public")) return Usage("--private and --public exclude each other");
    if (a->Has("description")) change["description"] = a->Get("description");
    if (a->Has("private")) change["private"] = true;
    if (a->Has("public")) change["private"] = false;
    if (change.empty()) return Usage("repo set: give --description, --private or --public");
  }
  if (a->Has("registry")) return RepoRemote(*a, name, change);
  auto storage = OpenStorage(o);
  if (!storage.ok()) return Fail(storage.error().message());
  if (!storage->RepoExists(name)) return Fail("no such repository: " + name);
  registry::RepoMeta m = storage->Meta(name);
  if (change.contains("description")) m.description = change["description"];
  if (change.contains("private")) m.is_private = change["private"];
  if (!change.empty()) {
    if (Status st = storage->SetMeta(name, m); !st.ok()) return Fail(st.error().message());
  }
  nlohmann::json out = {{"name", name}, {"owner", m.owner}, {"private", m.is_private}, {"description", m.description}};
  puts(out.dump().c_str());
  return 0;
}

}  // namespace berth::registry_cli
