// Stub: the implementation lands in the following commits.
#include "image/image_store.h"

namespace berth::image {

namespace {
Error NotYet() { return Error(Code::kNotImplemented, "image store: not implemented yet"); }
}  // namespace

class ImageStore::Impl {
 public:
  std::string root;
};

nlohmann::json ToJson(const ImageSummary&) { return nlohmann::json::object(); }
nlohmann::json ToJson(const HistoryItem&) { return nlohmann::json::object(); }
nlohmann::json ToJson(const DeleteItem&) { return nlohmann::json::object(); }
nlohmann::json ToJson(const PruneReport&) { return nlohmann::json::object(); }

ImageStore::ImageStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ImageStore::~ImageStore() = default;

Result<std::unique_ptr<ImageStore>> ImageStore::Open(const StoreOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->root = options.root;
  return std::unique_ptr<ImageStore>(new ImageStore(std::move(impl)));
}
Result<std::vector<ImageSummary>> ImageStore::List(const ListOptions&) { return NotYet(); }
Result<ImageRecord> ImageStore::Resolve(std::string_view) { return NotYet(); }
Result<nlohmann::json> ImageStore::Inspect(std::string_view) { return NotYet(); }
Result<std::vector<HistoryItem>> ImageStore::History(std::string_view) { return NotYet(); }
Status ImageStore::Tag(std::string_view, std::string_view) { return NotYet(); }
Result<std::vector<DeleteItem>> ImageStore::Remove(std::string_view, bool, bool, const InUseFn&) {
  return NotYet();
}
Result<PruneReport> ImageStore::Prune(bool, const Filters&, const InUseFn&) { return NotYet(); }
Result<std::vector<std::string>> ImageStore::Load(int, const ProgressFn&) { return NotYet(); }
Status ImageStore::Save(const std::vector<std::string>&, int) { return NotYet(); }
Result<std::string> ImageStore::Import(int, std::string_view, const std::vector<std::string>&,
                                       std::string_view) {
  return NotYet();
}
Result<DiskUsage> ImageStore::Df(const InUseFn&) { return NotYet(); }
Result<std::string> ImageStore::LayerDirs(std::string_view) { return NotYet(); }
std::string ImageStore::LayerDir(const Digest& chain_id) const {
  return impl_->root + "/layers/" + chain_id.hex() + "/diff";
}
const std::string& ImageStore::root() const { return impl_->root; }
void ImageStore::SetTestHooks(TestHooks) {}

}  // namespace berth::image
