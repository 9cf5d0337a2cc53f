// The value parsers behind `berth run/create` flags, with the docker CLI's
// rules and error texts (go-units sizes, Go durations, nat port specs,
// --mount CSV, env files, …). Each returns the value as the Engine API
// wants it; errors carry docker's message without the flag prefix (the
// flag parser or the caller adds that).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace berth::cli {

using ojson = nlohmann::ordered_json;
// Looks a variable up in the CLI's environment (tests pass a map).
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup ProcessEnv();

// go-units RAMInBytes: "64m", "1.5g", "100" (binary multipliers).
Result<int64_t> RamInBytes(std::string_view s);
// opts.MemSwapBytes: "-1" or a size.
Result<int64_t> MemSwapBytes(std::string_view s);
// opts.NanoCPUs: "1.5" → 1500000000.
Result<int64_t> NanoCpus(std::string_view s);
// Go's time.ParseDuration, in nanoseconds.
Result<int64_t> GoDuration(std::string_view s);

// go-units ParseUlimit: "nofile=1024[:2048]" → {"Name","Hard","Soft"}.
Result<ojson> ParseUlimit(std::string_view s);

// nat.ParsePortSpec: "[ip:][hostPort:]containerPort[/proto]" with ranges.
struct PortMapping {
  std::string port;  // "80/tcp"
  std::string host_ip, host_port;
};
Result<std::vector<PortMapping>> ParsePortSpec(std::string_view spec);
// The "published=…,target=…" long form rewritten to the short one.
Result<std::string> StandardPortNotation(std::string_view spec);
// --expose "80", "7000-7001/udp" → the ports ("80/tcp", …).
Result<std::vector<std::string>> ParseExpose(std::string_view spec);

// opts.MountOpt: "type=bind,source=/a,target=/b,readonly" → a Mount.
Result<ojson> ParseMount(std::string_view spec);
// --device "/dev/x[:/dev/y][:rwm]" → a DeviceMapping.
Result<ojson> ParseDevice(std::string_view spec);
// -v: true when the spec names a source (a bind or a named volume, sent in
// Binds); false for an anonymous volume ("/data", sent in Volumes).
bool VolumeHasSource(std::string_view spec);

// docker's key=value files (--env-file, --label-file): comments, blank
// lines, "KEY" alone taken from the environment (skipped when unset).
Result<std::vector<std::string>> ReadKvFile(const std::string& path, const EnvLookup& env);

// The list flags' validators (opts.ValidateEnv, …); they may rewrite the
// value as docker does (-e KEY → KEY=value from the environment).
Status ValidateEnv(std::string& v, const EnvLookup& env);
Status ValidateLabel(std::string& v);
Status ValidateExtraHost(std::string& v);
Status ValidateIpAddress(std::string& v);
Status ValidateDnsSearch(std::string& v);
Status ValidateSysctl(std::string& v);
Status ValidateLink(std::string& v);
Status ValidateAttach(std::string& v);
bool ValidMacAddress(std::string_view s);

// opts.ParseRestartPolicy: "on-failure:3" → {"Name","MaximumRetryCount"}.
Result<ojson> ParseRestartPolicy(std::string_view s);
// --security-opt values as sent: seccomp=FILE becomes seccomp=<the file's
// JSON, compacted>; systempaths=unconfined is taken out (*unconfined_paths).
Result<std::vector<std::string>> ParseSecurityOpts(const std::vector<std::string>& opts,
                                                   bool* unconfined_paths);
// strerror(err) as Go words errno: "no such file or directory".
std::string GoErrno(int err);
// json.Compact: the JSON text without insignificant whitespace.
Result<std::string> CompactJson(std::string_view text);

}  // namespace berth::cli
