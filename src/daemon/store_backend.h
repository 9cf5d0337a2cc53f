// StoreBackend: the ImageBackend over the image store; images in use are
// the container engine's to say (SetInUse).
#pragma once

#include <memory>

#include "daemon/image_backend.h"
#include "image/image_store.h"

namespace berth::daemon {

class StoreBackend : public ImageBackend {
 public:
  explicit StoreBackend(std::unique_ptr<image::ImageStore> store) : store_(std::move(store)) {}

  image::ImageStore* store() { return store_.get(); }
  // Who uses an image (the container engine), for rmi and prune conflicts.
  void SetInUse(image::InUseFn in_use) { in_use_ = std::move(in_use); }

  Result<std::vector<image::ImageSummary>> Images(const image::ListOptions& options) override;
  Result<ImageRef> ResolveImage(std::string_view name) override;
  Result<nlohmann::json> InspectImage(std::string_view name) override;
  Result<std::vector<image::HistoryItem>> ImageHistory(std::string_view name) override;
  Status TagImage(std::string_view source, std::string_view target) override;
  Result<std::vector<image::DeleteItem>> DeleteImage(std::string_view name, bool force,
                                                     bool prune) override;
  Result<image::PruneReport> PruneImages(bool all, const image::Filters& filters) override;
  Result<image::DiskUsage> ImagesDiskUsage() override;
  Result<std::vector<std::string>> LoadImages(int tar_fd,
                                              const image::ProgressFn& progress) override;
  Status SaveImages(const std::vector<std::string>& names, int out_fd) override;
  Result<std::string> ImportImage(int tar_fd, std::string_view ref,
                                  const std::vector<std::string>& changes,
                                  std::string_view message) override;

 private:
  std::unique_ptr<image::ImageStore> store_;
  image::InUseFn in_use_;
};

}  // namespace berth::daemon
