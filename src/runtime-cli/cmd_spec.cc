// spec (write a default config.json) and features.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include <nlohmann/json.hpp>

#include "base/fs.h"
#include "oci/runtime_spec_codec.h"
#include "runtime-cli/args.h"
#include "runtime-cli/commands.h"
#include "runtime/seccomp/seccomp.h"
#include "sys/capabilities.h"

namespace berth::cli {

int CmdSpec(const runtime::GlobalOptions&, const Argv& args, size_t at) {
  auto a = Parse(args, at, {{"bundle", 'b', true}, {"rootless", 0, false}}, false, nullptr);
  if (!a.ok()) return Fail(a.error());
  if (!a->positionals.empty()) return Fail(Error::Invalid("spec takes no arguments"));
  std::string path = fs::Join(a->Get("bundle", "."), "config.json");
  if (fs::Exists(path)) return Fail(Error(Code::kAlreadyExists, "File " + path + " exists. Remove it first"));
  std::string text = oci::ToOrderedJson(oci::DefaultSpec(a->Has("rootless"))).dump(1, '\t') + "\n";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) return Fail(Error::Sys("create " + path));
  auto st = fs::WriteAll(fd, text);
  ::close(fd);
  return st.ok() ? 0 : Fail(st.error());
}

int CmdFeatures(const runtime::GlobalOptions&, const Argv& args, size_t at) {
  auto a = Parse(args, at, {}, false, nullptr);
  if (!a.ok()) return Fail(a.error());
  using nlohmann::json;
  json j = {
      {"ociVersionMin", "1.0.0"},
      {"ociVersionMax", "1.0.2"},
      {"hooks", {"prestart", "createRuntime", "createContainer", "startContainer", "poststart",
                 "poststop"}},
      {"mountOptions",
       {"async",  "atime",   "bind",     "defaults", "dev",         "diratime", "dirsync",
        "exec",   "iversion", "lazytime", "loud",     "mand",        "noatime",  "nodev",
        "nodiratime", "noexec", "noiversion", "nolazytime", "nomand", "norelatime", "nostrictatime",
        "nosuid", "private", "rbind",   "relatime", "remount",  "ro",          "rprivate",
        "rshared", "rslave", "runbindable", "rw",   "shared",   "silent",      "slave",
        "strictatime", "suid", "sync",  "unbindable"}},
      {"linux",
       {{"namespaces", {"cgroup", "ipc", "mount", "network", "pid", "user", "uts"}},
        {"capabilities", sys::AllCapNames()},
        {"cgroup", {{"v1", true}, {"v2", true}, {"systemd", false}, {"systemdUser", false}}},
        {"seccomp",
         {{"enabled", true},
          {"actions", seccomp::KnownActions()},
          {"operators", seccomp::KnownOperators()},
          {"archs", seccomp::KnownArchitectures()},
          {"knownFlags", seccomp::KnownFlags()},
          {"supportedFlags", seccomp::KnownFlags()}}},
        {"apparmor", {{"enabled", false}}},
        {"selinux", {{"enabled", false}}}}},
      {"annotations", {{"org.opencontainers.runc.checkpoint.enabled", "false"}}},
  };
  std::printf("%s\n", j.dump(4).c_str());
  return 0;
}

}  // namespace berth::cli
