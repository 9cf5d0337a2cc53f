// berth version, berth info
#include <sys/utsname.h>

#include <ctime>

#include <fmt/format.h>

#include "cli/cli.h"
#include "cli/cmd/commands.h"
#include "cli/tabwriter.h"
#include "cli/template.h"
#include "cli/units.h"

namespace berth::cli {
namespace {

// Docker's layout: lines of "label:\tvalue" aligned by a tab writer with
// minimum width 20 and padding 1.
constexpr const char* kVersionTemplate = R"({{with .Client -}}
Client:{{if .Platform.Name}} {{.Platform.Name}}{{end}}
 Version:	{{.Version}}
 API version:	{{.APIVersion}}{{if ne .APIVersion .DefaultAPIVersion}} (downgraded from {{.DefaultAPIVersion}}){{end}}
 Git commit:	{{.GitCommit}}
 Built:	{{.BuildTime}}
 OS/Arch:	{{.Os}}/{{.Arch}}
 Context:	{{.Context}}
 Experimental:	{{.Experimental}}
{{- end}}
{{- if .ServerOK}}{{with .Server}}

Server:{{if .Platform.Name}} {{.Platform.Name}}{{end}}
{{- range $c := .Components}}
 {{$c.Name}}:
{{- if eq $c.Name "Engine"}}
  Version:	{{$c.Version}}
  API version:	{{index $c.Details "ApiVersion"}} (minimum version {{index $c.Details "MinAPIVersion"}})
{{- with index $c.Details "GoVersion"}}
  Go version:	{{.}}{{end}}
  Git commit:	{{index $c.Details "GitCommit"}}
  Built:	{{index $c.Details "BuildTime"}}
  OS/Arch:	{{index $c.Details "Os"}}/{{index $c.Details "Arch"}}
  Experimental:	{{index $c.Details "Experimental"}}
{{- else}}
  Version:	{{$c.Version}}
{{- range $k, $v := $c.Details}}
  {{$k}}:	{{$v}}
{{- end}}
{{- end}}
{{- end}}
{{- end}}{{end}})";

// docker's reformatDate: an RFC 3339 build time shown as time.ANSIC in local
// time ("Sat Nov 28 22:05:31 2026"); anything else as it is.
std::string AnsicDate(const std::string& s) {
  int64_t secs = 0, nanos = 0;
  if (!ParseRfc3339(s, &secs, &nanos)) return s;
  time_t t = static_cast<time_t>(secs);
  struct tm tm {};
  localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tm);
  return buf;
}

// The compiler's __DATE__ __TIME__ as time.ANSIC.
std::string ClientBuildTime() {
  struct tm tm {};
  if (strptime(__DATE__ " " __TIME__, "%b %d %Y %H:%M:%S", &tm) == nullptr) return __DATE__ " " __TIME__;
  tm.tm_isdst = -1;
  time_t t = mktime(&tm);
  localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tm);
  return buf;
}

std::string Arch() {
  struct utsname u {};
  ::uname(&u);
  std::string m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64") return "arm64";
  return m;
}

tmpl::Value ServerData(client::json server) {
  if (!server.is_object()) server = client::json::object();
  if (!server.contains("Platform") || !server["Platform"].is_object())
    server["Platform"] = {{"Name", ""}};
  if (!server.contains("Components") || !server["Components"].is_array()) {
    client::json details = client::json::object();
    for (const char* k : {"ApiVersion", "MinAPIVersion", "GitCommit", "GoVersion", "Os", "Arch",
                          "KernelVersion", "BuildTime"})
      if (server.contains(k)) details[k] = server[k];
    details["Experimental"] = server.value("Experimental", false) ? "true" : "false";
    server["Components"] = client::json::array(
        {{{"Name", "Engine"}, {"Version", server.value("Version", "")}, {"Details", details}}});
  }
  for (auto& c : server["Components"]) {
    if (!c.contains("Details") || !c["Details"].is_object()) c["Details"] = client::json::object();
    if (c.value("Name", "") == "Engine" && !c["Details"].contains("GoVersion"))
      c["Details"]["GoVersion"] = "";
    if (c["Details"].contains("BuildTime") && c["Details"]["BuildTime"].is_string())
      c["Details"]["BuildTime"] = AnsicDate(c["Details"]["BuildTime"].get<std::string>());
  }
  return tmpl::Value::parse(server.dump());
}

}  // namespace

std::unique_ptr<Command> NewVersionCommand() {
  auto cmd = std::make_unique<Command>();
  auto format = std::make_shared<std::string>();
  cmd->use = "version [OPTIONS]";
  cmd->short_desc = "Show the berth version information";
  cmd->max_args = 0;
  cmd->flags.String(format.get(), "format", 'f', "", "Format the output using the given Go template");
  cmd->run = [format](Cli& cli, const std::vector<std::string>&) -> Status {
    tmpl::Value data = tmpl::Value::object();
    data["Client"] = {{"Platform", {{"Name", ""}}},
                      {"Version", kVersion},
                      {"ApiVersion", std::string(client::kMaxApiVersion)},
                      {"DefaultAPIVersion", std::string(client::kMaxApiVersion)},
                      {"GitCommit", kGitCommit},
                      {"BuildTime", ClientBuildTime()},
                      {"Os", "linux"},
                      {"Arch", Arch()},
                      {"Context", "default"},
                      {"Experimental", true}};
    Status server_error;
    auto* c = BERTH_TRY(cli.Client());
    auto v = c->Version();
    if (v.ok()) {
      data["Client"]["ApiVersion"] = c->ApiVersion().ok() ? *c->ApiVersion() : std::string(client::kMaxApiVersion);
      data["Server"] = ServerData(*v);
      data["ServerOK"] = true;
    } else {
      data["Server"] = nullptr;
      data["ServerOK"] = false;
      server_error = std::move(v).error();
    }
    bool custom = !format->empty();
    auto t = tmpl::Template::Parse(custom ? *format : kVersionTemplate);
    if (!t.ok()) return Error::Invalid("Template parsing error: " + t.error().message());
    std::string out;
    Status st = t->Execute(data, &out);
    if (!st.ok() && server_error.ok()) return Error::Invalid("Template parsing error: " + st.error().message());
    cli.Out(custom ? out + "\n" : TabFormat(out + "\n", 20, 1));
    return server_error;
  };
  return cmd;
}

namespace {

std::string S(const client::json& j, const char* k) {
  auto it = j.find(k);
  if (it == j.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

void PrintInfo(std::string& o, const client::json& i) {
  auto line = [&](const char* label, const std::string& v) { o += fmt::format(" {}: {}\n", label, v); };
  line("Containers", S(i, "Containers"));
  o += fmt::format("  Running: {}\n  Paused: {}\n  Stopped: {}\n", S(i, "ContainersRunning"),
                   S(i, "ContainersPaused"), S(i, "ContainersStopped"));
  line("Images", S(i, "Images"));
  line("Server Version", S(i, "ServerVersion"));
  line("Storage Driver", S(i, "Driver"));
  if (i.contains("DriverStatus") && i["DriverStatus"].is_array())
    for (const auto& p : i["DriverStatus"])
      if (p.is_array() && p.size() == 2) o += fmt::format("  {}: {}\n", p[0].get<std::string>(), p[1].get<std::string>());
  line("Logging Driver", S(i, "LoggingDriver"));
  line("Cgroup Driver", S(i, "CgroupDriver"));
  if (i.contains("CgroupVersion")) line("Cgroup Version", S(i, "CgroupVersion"));
  if (i.contains("Runtimes") && i["Runtimes"].is_object()) {
    std::string names;
    for (auto it = i["Runtimes"].begin(); it != i["Runtimes"].end(); ++it) names += (names.empty() ? "" : " ") + it.key();
    line("Runtimes", names);
  }
  if (i.contains("DefaultRuntime")) line("Default Runtime", S(i, "DefaultRuntime"));
  if (i.contains("SecurityOptions") && i["SecurityOptions"].is_array()) {
    o += " Security Options:\n";
    for (const auto& s : i["SecurityOptions"]) {
      if (!s.is_string()) continue;
      // "name=seccomp,profile=default" → "seccomp" / "Profile: default"
      std::string v = s.get<std::string>();
      std::string name, rest;
      for (const auto& kv : [&] {
             std::vector<std::string> parts;
             size_t st = 0, p;
             while ((p = v.find(',', st)) != std::string::npos) { parts.push_back(v.substr(st, p - st)); st = p + 1; }
             parts.push_back(v.substr(st));
             return parts;
           }()) {
        auto eq = kv.find('=');
        std::string k = kv.substr(0, eq), val = eq == std::string::npos ? "" : kv.substr(eq + 1);
        if (k == "name") name = val;
        else if (!k.empty()) {
          std::string label = k;
          label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
          rest += fmt::format("   {}: {}\n", label, val);
        }
      }
      o += "  " + name + "\n" + rest;
    }
  }
  line("Kernel Version", S(i, "KernelVersion"));
  line("Operating System", S(i, "OperatingSystem"));
  line("OSType", S(i, "OSType"));
  line("Architecture", S(i, "Architecture"));
  line("CPUs", S(i, "NCPU"));
  line("Total Memory", i.contains("MemTotal") && i["MemTotal"].is_number()
                           ? BytesSize(i["MemTotal"].get<double>()) : std::string("0B"));
  line("Name", S(i, "Name"));
  line("ID", S(i, "ID"));
  line("Docker Root Dir", S(i, "DockerRootDir"));
  line("Debug Mode", i.value("Debug", false) ? "true" : "false");
  if (!S(i, "IndexServerAddress").empty()) line("Registry", S(i, "IndexServerAddress"));
  o += " Labels:\n";
  if (i.contains("Labels") && i["Labels"].is_array())
    for (const auto& l : i["Labels"]) o += "  " + l.get<std::string>() + "\n";
  line("Experimental", i.value("ExperimentalBuild", false) ? "true" : "false");
  if (i.contains("RegistryConfig") && i["RegistryConfig"].is_object() &&
      i["RegistryConfig"].contains("InsecureRegistryCIDRs")) {
    o += " Insecure Registries:\n";
    for (const auto& r : i["RegistryConfig"]["InsecureRegistryCIDRs"]) o += "  " + r.get<std::string>() + "\n";
  }
  line("Live Restore Enabled", i.value("LiveRestoreEnabled", false) ? "true" : "false");
}

}  // namespace

std::unique_ptr<Command> NewInfoCommand() {
  auto cmd = std::make_unique<Command>();
  auto format = std::make_shared<std::string>();
  cmd->use = "info [OPTIONS]";
  cmd->short_desc = "Display system-wide information";
  cmd->max_args = 0;
  cmd->flags.String(format.get(), "format", 'f', "", "Format the output using the given Go template");
  cmd->run = [format](Cli& cli, const std::vector<std::string>&) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    auto info = c->Info();
    if (!format->empty()) {
      if (!info.ok()) return std::move(info).error();
      auto t = tmpl::Template::Parse(*format);
      if (!t.ok()) return Error::Invalid("Template parsing error: " + t.error().message());
      tmpl::Value data = tmpl::Value::parse(info->dump());
      data["ClientInfo"] = {{"Debug", false}, {"Context", "default"}, {"Plugins", tmpl::Value::array()}};
      std::string out;
      Status st = t->Execute(data, &out);
      if (!st.ok()) return Error::Invalid("Template parsing error: " + st.error().message());
      cli.Out(out + "\n");
      return Ok();
    }
    std::string o = "Client:\n Context:    default\n Debug Mode: false\n\nServer:\n";
    if (!info.ok()) {
      cli.Out(o);
      cli.Err("ERROR: " + info.error().message() + "\n");
      return Error::Internal("errors pretty printing info");
    }
    PrintInfo(o, *info);
    cli.Out(o);
    if (info->contains("Warnings") && (*info)["Warnings"].is_array())
      for (const auto& w : (*info)["Warnings"])
        if (w.is_string()) cli.Err(w.get<std::string>() + "\n");
    return Ok();
  };
  return cmd;
}

}  // namespace berth::cli
