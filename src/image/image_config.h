// The image config: what an image runs (the "config" object), its layers'
// uncompressed digests (rootfs.diff_ids, base first) and its history.
//
// Identity: an image's ID is the sha256 of its config bytes exactly as
// stored, so a config is never re-encoded once it has an ID; Encode is for
// configs berth creates (import, commit, build). Fields berth does not model
// (container_config, docker_version, Hostname, ...) are kept in `raw` and
// written back by Encode; the modelled fields overwrite their raw
// counterparts.
//
// Chain IDs name a stack of layers (OCI image-spec "ChainID"):
//   ChainID(L1) = DiffID(L1)
//   ChainID(L1..Ln) = sha256(ChainID(L1..Ln-1) + " " + DiffID(Ln))
// with digests in their "sha256:<hex>" form.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/digest.h"
#include "base/error.h"

namespace berth::image {

// Durations are nanoseconds, as Docker writes them.
struct HealthConfig {
  std::vector<std::string> test;  // ["NONE"], ["CMD", ...], ["CMD-SHELL", "..."]
  int64_t interval = 0;
  int64_t timeout = 0;
  int64_t start_period = 0;
  int64_t start_interval = 0;
  int64_t retries = 0;
};

// The "config" member: defaults for containers made from the image.
struct RunConfig {
  std::string user;
  std::set<std::string> exposed_ports;                 // "80/tcp"
  std::vector<std::string> env;                        // "K=V"
  std::optional<std::vector<std::string>> entrypoint;  // nullopt: null
  std::optional<std::vector<std::string>> cmd;         // nullopt: null
  std::set<std::string> volumes;
  std::string working_dir;
  std::map<std::string, std::string> labels;
  std::string stop_signal;
  std::optional<HealthConfig> healthcheck;
  std::vector<std::string> on_build;
  std::vector<std::string> shell;
  bool args_escaped = false;
  nlohmann::json raw = nlohmann::json::object();
};

struct HistoryEntry {
  std::string created;  // RFC 3339
  std::string created_by;
  std::string author;
  std::string comment;
  bool empty_layer = false;
};

struct ImageConfig {
  std::string architecture;
  std::string os;
  std::string os_version;
  std::vector<std::string> os_features;
  std::string variant;
  std::string created;  // RFC 3339, as stored
  std::string author;
  RunConfig config;
  std::string rootfs_type = "layers";
  std::vector<Digest> diff_ids;
  std::vector<HistoryEntry> history;
  nlohmann::json raw = nlohmann::json::object();
};

// Errors are kInvalidArgument naming the field: "image config:
// rootfs.diff_ids[0]: invalid checksum digest format".
Result<ImageConfig> ParseImageConfig(std::string_view json);
std::string EncodeImageConfig(const ImageConfig& config);

// The image ID: sha256 of the config bytes.
inline Digest ImageId(std::string_view config_bytes) { return Sha256Of(config_bytes); }

// ChainID of the whole stack (empty Digest for no layers).
Digest ChainId(std::span<const Digest> diff_ids);
// The ChainID of every prefix: result[i] names layers 0..i.
std::vector<Digest> ChainIds(std::span<const Digest> diff_ids);

}  // namespace berth::image
