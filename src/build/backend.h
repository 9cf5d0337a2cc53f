// What the builder needs from the engine and the image store, and nothing
// more. berthd's implementation (daemon/build_backend.h) wraps the engine;
// tests can use a fake.
//
// Configs are Docker's container Config JSON objects ({"Env": [...],
// "Cmd": [...], ...}). Image IDs are "sha256:<hex>"; "" is the empty
// (scratch) image.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace berth::build {

struct ImageInfo {
  std::string id;           // "sha256:…"
  nlohmann::json config;    // the whole image config (config, history, rootfs, ...)
};

// A step's image: parent + config + (optionally) a new layer.
struct CommitRequest {
  std::string parent;                 // "" for scratch
  nlohmann::json config;              // the image's run config
  nlohmann::json container_config;    // the step's config (the cache key)
  std::string author;                 // MAINTAINER
  std::string layer_tar;              // a layer tar file; "" adds no layer
  std::string layer_dir;              // ... or a directory from NewLayerDir, filled by
                                      // WriteLayerDir (layer_dir.h); given to the store
};

// A read-only view of an image's filesystem; unmounted when destroyed.
class RootView {
 public:
  virtual ~RootView() = default;
  virtual const std::string& path() const = 0;  // "" for scratch: nothing exists
};

class Backend {
 public:
  virtual ~Backend() = default;

  // A local image by name or ID; kNotFound when absent (no pulls).
  virtual Result<ImageInfo> GetImage(std::string_view name) = 0;
  // A previous build's step: a child of parent whose container_config
  // equals the one given (cache_from: extra images whose ancestry counts).
  virtual Result<std::optional<std::string>> FindCached(const std::string& parent,
                                                        const nlohmann::json& container_config) = 0;

  // RUN: creates a container (Docker's create body), runs it to its end
  // with its output passed to out, and returns its exit code.
  virtual Result<std::string> CreateContainer(const nlohmann::json& create_body) = 0;
  virtual Result<int> RunContainer(const std::string& id,
                                   const std::function<void(std::string_view)>& out) = 0;
  virtual Result<std::string> CommitContainer(const std::string& id, const CommitRequest& req) = 0;
  virtual Status RemoveContainer(const std::string& id) = 0;

  // A new image from a layer tar (or none).
  virtual Result<std::string> Commit(const CommitRequest& req) = 0;
  virtual Result<std::unique_ptr<RootView>> View(const std::string& image_id) = 0;
  virtual Status Tag(const std::string& image_id, const std::string& ref) = 0;
  // An empty directory for a step's layer (CommitRequest::layer_dir).
  virtual Result<std::string> NewLayerDir() = 0;
  // A directory for temporary files (layer tars).
  virtual std::string ScratchDir() = 0;
};

}  // namespace berth::build
