#include "daemon/store_backend.h"

namespace berth::daemon {

Result<std::vector<image::ImageSummary>> StoreBackend::Images(const image::ListOptions& options) {
  return store_->List(options);
}

Result<ImageRef> StoreBackend::ResolveImage(std::string_view name) {
  image::ImageRecord rec = BERTH_TRY(store_->Resolve(name));
  ImageRef out{rec.id.str(), {}};
  nlohmann::json config = nlohmann::json::parse(rec.config_json, nullptr, false);
  if (config.is_object() && config.contains("config") && config["config"].is_object()) {
    const nlohmann::json& c = config["config"];
    if (c.contains("Labels") && c["Labels"].is_object()) {
      for (const auto& [k, v] : c["Labels"].items())
        if (v.is_string()) out.labels[k] = v.get<std::string>();
    }
  }
  return out;
}

Result<nlohmann::json> StoreBackend::InspectImage(std::string_view name) {
  return store_->Inspect(name);
}

Result<std::vector<image::HistoryItem>> StoreBackend::ImageHistory(std::string_view name) {
  return store_->History(name);
}

Status StoreBackend::TagImage(std::string_view source, std::string_view target) {
  return store_->Tag(source, target);
}

Result<std::vector<image::DeleteItem>> StoreBackend::DeleteImage(std::string_view name, bool force,
                                                                 bool prune) {
  return store_->Remove(name, force, prune, in_use_);
}

Result<image::PruneReport> StoreBackend::PruneImages(bool all, const image::Filters& filters) {
  return store_->Prune(all, filters, in_use_);
}

Result<image::DiskUsage> StoreBackend::ImagesDiskUsage() { return store_->Df(in_use_); }

Result<std::vector<std::string>> StoreBackend::LoadImages(int tar_fd,
                                                          const image::ProgressFn& progress) {
  return store_->Load(tar_fd, progress);
}

Status StoreBackend::SaveImages(const std::vector<std::string>& names, int out_fd) {
  return store_->Save(names, out_fd);
}

Result<std::string> StoreBackend::ImportImage(int tar_fd, std::string_view ref,
                                              const std::vector<std::string>& changes,
                                              std::string_view message) {
  return store_->Import(tar_fd, ref, changes, message);
}

}  // namespace berth::daemon
