// What the image routes need from the engine, and nothing more (moby's
// routers see small role interfaces the same way). The real implementation
// wraps image::ImageStore (store_backend.h); tests use a fake.
//
// Values are the image store's (image_store.h): they already carry Docker's
// shapes. Names ("busybox", "busybox:1", "sha256:…", an ID prefix) are
// resolved by the backend; an unknown one is kNotFound "No such image: x".
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "image/image_store.h"

namespace berth::daemon {

// An image as events name it.
struct ImageRef {
  std::string id;                             // "sha256:…"
  std::map<std::string, std::string> labels;  // Config.Labels
};

class ImageBackend {
 public:
  virtual ~ImageBackend() = default;

  virtual Result<std::vector<image::ImageSummary>> Images(const image::ListOptions& options) = 0;
  virtual Result<ImageRef> ResolveImage(std::string_view name) = 0;
  // Docker's ImageInspect JSON.
  virtual Result<nlohmann::json> InspectImage(std::string_view name) = 0;
  virtual Result<std::vector<image::HistoryItem>> ImageHistory(std::string_view name) = 0;
  virtual Status TagImage(std::string_view source, std::string_view target) = 0;
  virtual Result<std::vector<image::DeleteItem>> DeleteImage(std::string_view name, bool force,
                                                             bool prune) = 0;
  virtual Result<image::PruneReport> PruneImages(bool all, const image::Filters& filters) = 0;
  virtual Result<image::DiskUsage> ImagesDiskUsage() = 0;

  // The tar streams: fds are pipes the routes feed or drain on another
  // thread. Load returns Docker's "Loaded image: …" lines.
  virtual Result<std::vector<std::string>> LoadImages(int tar_fd,
                                                      const image::ProgressFn& progress) = 0;
  virtual Status SaveImages(const std::vector<std::string>& names, int out_fd) = 0;
  virtual Result<std::string> ImportImage(int tar_fd, std::string_view ref,
                                          const std::vector<std::string>& changes,
                                          std::string_view message) = 0;
};

}  // namespace berth::daemon
