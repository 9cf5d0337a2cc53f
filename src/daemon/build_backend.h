// The builder's Backend (build/backend.h) over the container engine and the
// image store. Scratch files live under <data-root>/build/ (emptied when
// berthd starts): step layer tars, unpacked contexts and ADD archives.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "build/backend.h"
#include "engine/engine.h"
#include "image/image_store.h"

namespace berth::daemon {

class EngineBuildBackend : public build::Backend {
 public:
  // Empties scratch_dir (what an interrupted build left).
  EngineBuildBackend(engine::Engine* engine, image::ImageStore* images, std::string scratch_dir);

  Result<build::ImageInfo> GetImage(std::string_view name) override;
  Result<std::optional<std::string>> FindCached(const std::string& parent,
                                                const nlohmann::json& container_config) override;
  Result<std::string> CreateContainer(const nlohmann::json& body) override;
  Result<int> RunContainer(const std::string& id,
                           const std::function<void(std::string_view)>& out) override;
  Result<std::string> CommitContainer(const std::string& id, const build::CommitRequest& req) override;
  Status RemoveContainer(const std::string& id) override;
  Result<std::string> Commit(const build::CommitRequest& req) override;
  Result<std::unique_ptr<build::RootView>> View(const std::string& image_id) override;
  Status Tag(const std::string& image_id, const std::string& ref) override;
  Result<std::string> NewLayerDir() override;
  std::string ScratchDir() override { return scratch_; }

 private:
  static constexpr size_t kMaxRemembered = 10000;
  engine::Engine& engine_;
  image::ImageStore& images_;
  std::string scratch_;
  std::mutex mu_;
  // container_config of images FindCached has read, by image ID. GUARDED_BY(mu_)
  std::unordered_map<std::string, std::shared_ptr<const nlohmann::json>> container_configs_;
};

}  // namespace berth::daemon
