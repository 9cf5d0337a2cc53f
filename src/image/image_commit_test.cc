#include <fcntl.h>
#include <sys/mman.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/fs.h"
#include "image/image_store.h"
#include "image/layer/layer.h"

namespace berth::image {
namespace {

using nlohmann::json;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/var/tmp/berth-commit-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { (void)fs::RemoveAll(path_); }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

class ImageCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions o;
    o.root = tmp_ / "root";
    o.sync = false;
    // A packer for layer directories: layer::Pack's tar (deterministic).
    o.packers["test-pack"] = [this](const std::string& dir,
                                    const std::function<Status(std::string_view)>& sink) -> Status {
      ++packed_;
      unique_fd fd(::memfd_create("pack", MFD_CLOEXEC));
      BERTH_TRY(layer::Pack(dir, fd.get(), {}));
      std::string data = BERTH_TRY(fs::ReadFile("/proc/self/fd/" + std::to_string(fd.get())));
      return sink(data);
    };
    store_ = std::move(ImageStore::Open(o)).value();
    // The base image: an import with a CMD.
    std::string tar = PackTree("base", {{"bin/sh", "#!"}, {"etc/passwd", "root\n"}});
    unique_fd fd(::open(tar.c_str(), O_RDONLY | O_CLOEXEC));
    base_ = store_->Import(fd.get(), "base:1", {"CMD [\"sh\"]", "ENV A=1"}, "").value();
  }

  // Packs {path: content} into <tmp>/<name>.tar; returns its path.
  std::string PackTree(const std::string& name, const std::map<std::string, std::string>& files) {
    std::string dir = tmp_ / ("src-" + name);
    EXPECT_TRUE(fs::MkdirAll(dir).ok());
    for (const auto& [p, content] : files) {
      EXPECT_TRUE(fs::MkdirAll(fs::Dirname(dir + "/" + p)).ok());
      EXPECT_TRUE(fs::AtomicWrite(dir + "/" + p, content, 0644, false).ok());
    }
    std::string out = tmp_ / (name + ".tar");
    unique_fd fd(::open(out.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    EXPECT_TRUE(layer::Pack(dir, fd.get(), {}).ok());
    return out;
  }

  CommitOptions Options(const std::string& layer_tar) {
    CommitOptions c;
    c.parent = base_;
    c.layer_path = layer_tar;
    c.config = {{"Cmd", {"sh"}}, {"Env", {"A=1"}}, {"Hostname", "abc"}};
    c.container_config = {{"Cmd", {"sh", "-c", "echo hi > /hello"}}, {"Hostname", "abc"}};
    c.container_id = "c0ffee";
    c.author = "me <me@example.com>";
    c.comment = "added hello";
    return c;
  }

  // A layer directory from the store holding files {path: content}.
  std::string LayerDirWith(const std::map<std::string, std::string>& files) {
    std::string dir = store_->NewLayerDir().value();
    for (const auto& [p, content] : files) {
      EXPECT_TRUE(fs::MkdirAll(fs::Dirname(dir + "/" + p)).ok());
      EXPECT_TRUE(fs::AtomicWrite(dir + "/" + p, content, 0644, false).ok());
    }
    return dir;
  }

  TempDir tmp_;
  std::unique_ptr<ImageStore> store_;
  std::string base_;
  int packed_ = 0;
};

TEST_F(ImageCommitTest, ChildImageOverParent) {
  std::string tar = PackTree("changes", {{"hello", "hi\n"}});
  CommitOptions c = Options(tar);
  c.ref = "committed";
  c.changes = {"ENV B=2", "LABEL k=v"};
  auto id = store_->Commit(c);
  ASSERT_TRUE(id.ok()) << id.error().message();

  auto base = store_->Resolve(base_).value();
  auto rec = store_->Resolve("committed:latest").value();
  EXPECT_EQ(rec.id.str(), *id);
  EXPECT_EQ(rec.parent, base_);
  ASSERT_EQ(rec.diff_ids.size(), 2u);
  EXPECT_EQ(rec.diff_ids[0], base.diff_ids[0]);
  // The new layer is unpacked where containers look for it.
  auto dirs = store_->LayerDirs("committed").value();
  EXPECT_EQ(dirs, store_->LayerDir(rec.chain_ids[1]) + ":" + store_->LayerDir(rec.chain_ids[0]));
  EXPECT_EQ(fs::ReadFile(store_->LayerDir(rec.chain_ids[1]) + "/hello").value(), "hi\n");

  json cfg = json::parse(rec.config_json);
  EXPECT_EQ(cfg["container"], "c0ffee");
  EXPECT_EQ(cfg["container_config"]["Cmd"], json({"sh", "-c", "echo hi > /hello"}));
  EXPECT_EQ(cfg["author"], "me <me@example.com>");
  EXPECT_EQ(cfg["config"]["Env"], json({"A=1", "B=2"}));
  EXPECT_EQ(cfg["config"]["Labels"]["k"], "v");
  EXPECT_EQ(cfg["config"]["Hostname"], "abc");
  EXPECT_EQ(cfg["architecture"], json::parse(base.config_json)["architecture"]);
  ASSERT_EQ(cfg["history"].size(), 2u);
  json h = cfg["history"][1];
  EXPECT_EQ(h["created_by"], "sh -c echo hi > /hello");
  EXPECT_EQ(h["comment"], "added hello");
  EXPECT_EQ(h["author"], "me <me@example.com>");
  EXPECT_EQ(h["created"], cfg["created"]);
  EXPECT_FALSE(h.contains("empty_layer"));

  auto hist = store_->History("committed").value();
  ASSERT_EQ(hist.size(), 2u);
  EXPECT_EQ(hist[0].id, *id);
  EXPECT_EQ(hist[0].comment, "added hello");
  EXPECT_EQ(hist[0].size, 3);
}

TEST_F(ImageCommitTest, EmptyLayerAddsNoDiffId) {
  std::string tar = PackTree("nothing", {});
  auto id = store_->Commit(Options(tar));
  ASSERT_TRUE(id.ok()) << id.error().message();
  auto rec = store_->Resolve(*id).value();
  auto base = store_->Resolve(base_).value();
  EXPECT_EQ(rec.diff_ids, base.diff_ids);
  json cfg = json::parse(rec.config_json);
  EXPECT_EQ(cfg["history"].back()["empty_layer"], true);
  EXPECT_TRUE(rec.repo_tags.empty());
}

TEST_F(ImageCommitTest, ScratchContainerFromFd) {
  std::string tar = PackTree("scratch", {{"only", "x"}});
  unique_fd fd(::open(tar.c_str(), O_RDONLY | O_CLOEXEC));
  CommitOptions c = Options("");
  c.parent.clear();
  c.layer_fd = fd.get();
  c.ref = "scratchy:v1";
  auto id = store_->Commit(c);
  ASSERT_TRUE(id.ok()) << id.error().message();
  auto rec = store_->Resolve("scratchy:v1").value();
  EXPECT_EQ(rec.diff_ids.size(), 1u);
  EXPECT_EQ(rec.parent, "");
  json cfg = json::parse(rec.config_json);
  EXPECT_EQ(cfg["os"], "linux");
  EXPECT_FALSE(cfg["architecture"].get<std::string>().empty());
  EXPECT_EQ(cfg["history"].size(), 1u);
}

TEST_F(ImageCommitTest, Errors) {
  std::string tar = PackTree("e", {{"f", "1"}});
  CommitOptions c = Options(tar);
  c.changes = {"RUN rm -rf /"};
  auto bad = store_->Commit(c);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("RUN is not a valid change command"), std::string::npos);

  c = Options(tar);
  c.parent = "sha256:" + std::string(64, 'a');
  bad = store_->Commit(c);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Code::kNotFound);

  c = Options(tar);
  c.ref = "x@sha256:" + std::string(64, 'a');
  bad = store_->Commit(c);
  ASSERT_FALSE(bad.ok());

  // Nothing half-made is left behind: a failed commit adds no image.
  EXPECT_EQ(store_->List({}).value().size(), 1u);
}

// A layer given as a directory: hashed through its packer, moved into the
// store as is, no tar blob kept until a push or save asks for the tar.
TEST_F(ImageCommitTest, LayerDirIsAdoptedAndPackedOnDemand) {
  std::string dir = LayerDirWith({{"app/hello", "hi\n"}});
  CommitOptions c = Options("");
  c.layer_dir = dir;
  c.layer_packer = "test-pack";
  c.ref = "fromdir";
  auto id = store_->Commit(c);
  ASSERT_TRUE(id.ok()) << id.error().message();
  EXPECT_FALSE(fs::Exists(dir));
  auto rec = store_->Resolve("fromdir").value();
  ASSERT_EQ(rec.diff_ids.size(), 2u);
  EXPECT_EQ(fs::ReadFile(store_->LayerDir(rec.chain_ids[1]) + "/app/hello").value(), "hi\n");
  EXPECT_FALSE(fs::Exists(store_->root() + "/content/blobs/sha256/" + rec.diff_ids[1].hex()));
  EXPECT_EQ(packed_, 1);

  // The tar again, from the directory: its digest is the diff ID.
  auto tar = store_->OpenLayerTar(rec.diff_ids[1]);
  ASSERT_TRUE(tar.ok()) << tar.error().message();
  EXPECT_EQ(Sha256Fd(tar->get(), "layer").value(), rec.diff_ids[1]);
  EXPECT_EQ(packed_, 2);
  EXPECT_TRUE(store_->OpenLayerTar(rec.diff_ids[1]).ok());
  EXPECT_EQ(packed_, 2);  // kept as a blob from then on

  // The same layer again over the same parent: the store's copy is used.
  std::string again = LayerDirWith({{"app/hello", "hi\n"}});
  c = Options("");
  c.layer_dir = again;
  c.layer_packer = "test-pack";
  auto id2 = store_->Commit(c);
  ASSERT_TRUE(id2.ok()) << id2.error().message();
  EXPECT_FALSE(fs::Exists(again));
  EXPECT_EQ(store_->Resolve(*id2).value().chain_ids, rec.chain_ids);

  // The build cache's lookup: the base's children, newest first.
  auto kids = store_->Children(base_).value();
  ASSERT_EQ(kids.size(), 2u);
  EXPECT_TRUE((kids[0] == *id && kids[1] == *id2) || (kids[0] == *id2 && kids[1] == *id));
  EXPECT_TRUE(store_->Children(*id).value().empty());
}

TEST_F(ImageCommitTest, LayerDirSavedAndRemoved) {
  std::string dir = LayerDirWith({{"f", "1"}});
  CommitOptions c = Options("");
  c.layer_dir = dir;
  c.layer_packer = "test-pack";
  c.ref = "tosave";
  ASSERT_TRUE(store_->Commit(c).ok());
  std::string out = tmp_ / "save.tar";
  {
    unique_fd fd(::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    Status s = store_->Save({"tosave"}, fd.get());
    ASSERT_TRUE(s.ok()) << s.error().message();
  }
  EXPECT_GT(fs::ReadFile(out).value().size(), 1024u);
  auto removed = store_->Remove("tosave", false, true, nullptr);
  ASSERT_TRUE(removed.ok()) << removed.error().message();
}

TEST_F(ImageCommitTest, LayerDirErrorsAndEmpty) {
  // An unknown packer fails the commit and the directory goes.
  std::string dir = LayerDirWith({{"f", "1"}});
  CommitOptions c = Options("");
  c.layer_dir = dir;
  c.layer_packer = "nope";
  auto bad = store_->Commit(c);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("unknown layer packer"), std::string::npos);
  EXPECT_FALSE(fs::Exists(dir));

  // An empty directory is an empty layer; neither tar nor dir: the same.
  for (bool with_dir : {true, false}) {
    c = Options("");
    if (with_dir) {
      c.layer_dir = LayerDirWith({});
      c.layer_packer = "test-pack";
    }
    auto id = store_->Commit(c);
    ASSERT_TRUE(id.ok()) << id.error().message();
    auto rec = store_->Resolve(*id).value();
    EXPECT_EQ(rec.diff_ids, store_->Resolve(base_).value().diff_ids);
    EXPECT_EQ(json::parse(rec.config_json)["history"].back()["empty_layer"], true);
  }
}

}  // namespace
}  // namespace berth::image
