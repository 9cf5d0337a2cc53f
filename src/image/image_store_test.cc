#include "image/image_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/fs.h"
#include "image/archive_tar.h"
#include "image/image_config.h"
#include "image/layer/layer.h"

namespace berth::image {
namespace {

using nlohmann::json;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/var/tmp/berth-images-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { (void)fs::RemoveAll(path_); }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct BuiltLayer {
  std::string tar;  // the bytes as packed (maybe compressed)
  Digest diff_id;
  Digest digest;
};

// Packs a directory made of files {path: content}.
BuiltLayer MakeLayer(const TempDir& tmp, const std::string& name,
                     const std::map<std::string, std::string>& files,
                     layer::Compression c = layer::Compression::kNone) {
  std::string dir = tmp / ("src-" + name);
  EXPECT_TRUE(fs::MkdirAll(dir).ok());
  for (const auto& [p, content] : files) {
    EXPECT_TRUE(fs::MkdirAll(fs::Dirname(dir + "/" + p)).ok());
    EXPECT_TRUE(fs::AtomicWrite(dir + "/" + p, content, 0644, false).ok());
  }
  std::string out = tmp / (name + ".tar");
  unique_fd fd(::open(out.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644));
  layer::PackOptions po;
  po.compression = c;
  auto r = layer::Pack(dir, fd.get(), po);
  EXPECT_TRUE(r.ok()) << r.error().message();
  BuiltLayer l;
  l.tar = fs::ReadFile(out).value();
  l.diff_id = r->diff_id;
  l.digest = r->digest;
  return l;
}

std::string MakeConfig(const std::vector<Digest>& diff_ids, const std::string& created,
                       const json& labels = json::object()) {
  json ids = json::array();
  json history = json::array();
  for (size_t i = 0; i < diff_ids.size(); ++i) {
    ids.push_back(diff_ids[i].str());
    history.push_back({{"created", created}, {"created_by", "/bin/sh -c #(nop) ADD file:" + std::to_string(i)}});
  }
  history.push_back({{"created", created}, {"created_by", "/bin/sh -c #(nop)  CMD [\"sh\"]"}, {"empty_layer", true}});
  json c = {{"architecture", "amd64"},
            {"os", "linux"},
            {"created", created},
            {"config", {{"Cmd", {"sh"}}, {"Env", {"PATH=/bin"}}, {"Labels", labels}}},
            {"rootfs", {{"type", "layers"}, {"diff_ids", ids}}},
            {"history", history}};
  return c.dump();
}

// Writes a docker-archive tar to path: one manifest entry per image.
struct ArchiveImage {
  std::string config;
  std::vector<BuiltLayer> layers;
  std::vector<std::string> tags;
};

void WriteDockerArchive(const std::string& path, const std::vector<ArchiveImage>& images) {
  unique_fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644));
  TarWriter w(fd.get());
  ASSERT_TRUE(w.Open().ok());
  json manifest = json::array();
  for (const ArchiveImage& img : images) {
    json layers = json::array();
    for (const BuiltLayer& l : img.layers) {
      std::string p = l.diff_id.hex() + "/layer.tar";
      (void)w.AddDir(l.diff_id.hex(), 0);
      ASSERT_TRUE(w.AddFile(p, l.tar, 0).ok());
      layers.push_back(p);
    }
    std::string cfg = Sha256Of(img.config).hex() + ".json";
    ASSERT_TRUE(w.AddFile(cfg, img.config, 0).ok());
    manifest.push_back({{"Config", cfg}, {"RepoTags", img.tags}, {"Layers", layers}});
  }
  ASSERT_TRUE(w.AddFile("manifest.json", manifest.dump(), 0).ok());
  ASSERT_TRUE(w.Close().ok());
}

class ImageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = MakeLayer(tmp_, "base", {{"bin/sh", "#!shell\n"}, {"etc/passwd", "root:x:0:0::/root:/bin/sh\n"}});
    top_ = MakeLayer(tmp_, "top", {{"hello.txt", "hello world\n"}});
    config_ = MakeConfig({base_.diff_id, top_.diff_id}, "2024-01-02T03:04:05.120000000Z",
                         {{"team", "berth"}});
    archive_ = tmp_ / "busybox.tar";
    WriteDockerArchive(archive_, {{config_, {base_, top_}, {"busybox:latest"}}});
    store_ = OpenStore(tmp_ / "root");
  }

  std::unique_ptr<ImageStore> OpenStore(const std::string& root) {
    StoreOptions o;
    o.root = root;
    o.sync = false;
    auto s = ImageStore::Open(o);
    EXPECT_TRUE(s.ok()) << s.error().message();
    return std::move(s).value();
  }

  std::vector<std::string> LoadFile(ImageStore& s, const std::string& path) {
    unique_fd fd(::open(path.c_str(), O_RDONLY));
    auto r = s.Load(fd.get(), nullptr);
    EXPECT_TRUE(r.ok()) << r.error().message();
    return r.ok() ? *r : std::vector<std::string>{};
  }

  std::vector<std::string> Entries(const std::string& dir) {
    auto r = fs::ListDir(dir);
    return r.ok() ? *r : std::vector<std::string>{};
  }

  TempDir tmp_;
  BuiltLayer base_, top_;
  std::string config_, archive_;
  std::unique_ptr<ImageStore> store_;
};

TEST_F(ImageStoreTest, LoadListInspectHistory) {
  auto lines = LoadFile(*store_, archive_);
  EXPECT_EQ(lines, std::vector<std::string>{"Loaded image: busybox:latest"});
  const std::string id = Sha256Of(config_).str();

  auto list = store_->List({});
  ASSERT_TRUE(list.ok()) << list.error().message();
  ASSERT_EQ(list->size(), 1u);
  const ImageSummary& s = (*list)[0];
  EXPECT_EQ(s.id, id);
  EXPECT_EQ(s.repo_tags, std::vector<std::string>{"busybox:latest"});
  EXPECT_TRUE(s.repo_digests.empty());
  EXPECT_EQ(s.created, 1704164645);
  // Docker's overlay2 DiffSize: file bytes (8 + 26 + 12).
  EXPECT_EQ(s.size, 46);
  EXPECT_EQ(s.labels.at("team"), "berth");
  EXPECT_EQ(ToJson(s)["SharedSize"], -1);

  auto j = store_->Inspect("busybox");
  ASSERT_TRUE(j.ok()) << j.error().message();
  EXPECT_EQ((*j)["Id"], id);
  EXPECT_EQ((*j)["Created"], "2024-01-02T03:04:05.12Z");
  EXPECT_EQ((*j)["RootFS"]["Layers"], json({base_.diff_id.str(), top_.diff_id.str()}));
  EXPECT_EQ((*j)["GraphDriver"]["Name"], "overlay2");
  EXPECT_EQ((*j)["Config"]["Cmd"], json({"sh"}));
  EXPECT_EQ((*j)["Config"]["Hostname"], "");
  EXPECT_EQ((*j)["Metadata"]["LastTagTime"], "0001-01-01T00:00:00Z");
  EXPECT_EQ((*j)["Size"], 46);

  auto h = store_->History("busybox:latest");
  ASSERT_TRUE(h.ok()) << h.error().message();
  ASSERT_EQ(h->size(), 3u);
  EXPECT_EQ((*h)[0].id, id);
  EXPECT_EQ((*h)[0].tags, std::vector<std::string>{"busybox:latest"});
  EXPECT_EQ((*h)[0].size, 0);
  EXPECT_EQ((*h)[1].id, "<missing>");
  EXPECT_EQ((*h)[1].size, 12);
  EXPECT_EQ((*h)[2].size, 34);

  // Resolve by short ID, full ID, sha256: prefix.
  EXPECT_TRUE(store_->Resolve(id.substr(7, 4)).ok());
  EXPECT_TRUE(store_->Resolve(id).ok());
  EXPECT_TRUE(store_->Resolve(id.substr(7)).ok());
  auto missing = store_->Resolve("alpine");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message(), "No such image: alpine:latest");
  EXPECT_EQ(missing.error().code(), Code::kNotFound);

  auto dirs = store_->LayerDirs("busybox");
  ASSERT_TRUE(dirs.ok());
  auto rec = store_->Resolve("busybox").value();
  EXPECT_EQ(*dirs, store_->LayerDir(rec.chain_ids[1]) + ":" + store_->LayerDir(rec.chain_ids[0]));
  EXPECT_TRUE(fs::Exists(store_->LayerDir(rec.chain_ids[1]) + "/hello.txt"));
  EXPECT_TRUE(fs::Exists(store_->LayerDir(rec.chain_ids[0]) + "/bin/sh"));
}

TEST_F(ImageStoreTest, LoadTwiceReusesLayers) {
  LoadFile(*store_, archive_);
  auto before = Entries(store_->root() + "/layers");
  auto blobs_before = Entries(store_->root() + "/content/blobs/sha256");
  LoadFile(*store_, archive_);
  EXPECT_EQ(Entries(store_->root() + "/layers"), before);
  EXPECT_EQ(Entries(store_->root() + "/content/blobs/sha256"), blobs_before);
  EXPECT_EQ(store_->List({})->size(), 1u);
  // Config + 2 layer tars.
  EXPECT_EQ(blobs_before.size(), 3u);

  // A second image on the same base shares the base layer.
  BuiltLayer other = MakeLayer(tmp_, "other", {{"other.txt", "x"}});
  std::string cfg2 = MakeConfig({base_.diff_id, other.diff_id}, "2024-02-01T00:00:00Z");
  WriteDockerArchive(tmp_ / "two.tar", {{cfg2, {base_, other}, {"two:1"}}});
  LoadFile(*store_, tmp_ / "two.tar");
  EXPECT_EQ(Entries(store_->root() + "/layers").size(), 3u);
  auto df = store_->Df(nullptr);
  ASSERT_TRUE(df.ok());
  EXPECT_EQ(df->layers_size, 46 + 1);
  for (const auto& s : df->images) EXPECT_EQ(s.shared_size, 34);
}

TEST_F(ImageStoreTest, TagUntagRemove) {
  LoadFile(*store_, archive_);
  auto rec = store_->Resolve("busybox").value();
  const std::string id = rec.id.str();
  ASSERT_TRUE(store_->Tag("busybox", "myrepo/app").ok());
  ASSERT_TRUE(store_->Tag(rec.id.hex().substr(0, 6), "other:v2").ok());
  EXPECT_EQ(store_->Resolve("myrepo/app:latest")->id, rec.id);
  EXPECT_NE(store_->Inspect("busybox").value()["Metadata"]["LastTagTime"], "0001-01-01T00:00:00Z");
  auto bad = store_->Tag("busybox", "Bad:tag");
  EXPECT_FALSE(bad.ok());

  // By ID with several repositories: must be forced.
  auto r = store_->Remove(rec.id.hex().substr(0, 12), false, true, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kConflict);
  EXPECT_EQ(r.error().message(), "conflict: unable to delete " + rec.id.ShortId() +
                                     " (must be forced) - image is referenced in multiple repositories");

  // Untag while other tags remain.
  r = store_->Remove("other:v2", false, true, nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].untagged, "other:v2");
  r = store_->Remove("myrepo/app", false, true, nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ToJson((*r)[0]), json({{"Untagged", "myrepo/app:latest"}}));

  // The last reference while a container uses the image.
  InUseFn used = [&](const std::string& image) {
    return image == id ? std::vector<ContainerUse>{{"123abc456def7890", false}} : std::vector<ContainerUse>{};
  };
  r = store_->Remove("busybox", false, true, used);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "conflict: unable to remove repository reference \"busybox\" (must force) - container "
            "123abc456def is using its referenced image " + rec.id.ShortId());
  // By ID, with a stopped container.
  r = store_->Remove(id, false, true, used);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "conflict: unable to delete " + rec.id.ShortId() +
                                     " (must be forced) - image is being used by stopped container 123abc456def");

  r = store_->Remove("busybox", false, true, nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].untagged, "busybox:latest");
  EXPECT_EQ((*r)[1].deleted, id);
  EXPECT_EQ((*r)[2].deleted, rec.chain_ids[1].str());
  EXPECT_EQ((*r)[3].deleted, rec.chain_ids[0].str());
  EXPECT_EQ(store_->Resolve("busybox").error().message(), "No such image: busybox:latest");
  EXPECT_TRUE(Entries(store_->root() + "/layers").empty());
  EXPECT_TRUE(Entries(store_->root() + "/content/blobs/sha256").empty());
}

TEST_F(ImageStoreTest, RemoveByIdWithOneTagDeletes) {
  LoadFile(*store_, archive_);
  auto rec = store_->Resolve("busybox").value();
  auto r = store_->Remove(rec.id.hex().substr(0, 5), false, false, nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ((*r)[0].untagged, "busybox:latest");
  EXPECT_EQ((*r)[1].deleted, rec.id.str());
}

TEST_F(ImageStoreTest, SaveLoadRoundTrip) {
  LoadFile(*store_, archive_);
  ASSERT_TRUE(store_->Tag("busybox", "busybox:1.36").ok());
  std::string out = tmp_ / "saved.tar";
  {
    unique_fd fd(::open(out.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644));
    auto s = store_->Save({"busybox"}, fd.get());
    ASSERT_TRUE(s.ok()) << s.error().message();
  }
  auto fresh = OpenStore(tmp_ / "root2");
  auto lines = LoadFile(*fresh, out);
  EXPECT_EQ(lines, (std::vector<std::string>{"Loaded image: busybox:1.36", "Loaded image: busybox:latest"}));
  auto a = store_->Resolve("busybox").value();
  auto b = fresh->Resolve("busybox:1.36").value();
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.diff_ids, b.diff_ids);
  EXPECT_EQ(b.id.str(), Sha256Of(config_).str());

  // The archive has Docker 20.10's layout.
  ContentStore* cs = nullptr;
  (void)cs;
  auto content = ContentStore::Open(tmp_ / "scratch").value();
  unique_fd fd(::open(out.c_str(), O_RDONLY));
  auto files = ReadArchive(fd.get(), *content, nullptr).value();
  json manifest = json::parse(files.Read("manifest.json", *content).value());
  ASSERT_EQ(manifest.size(), 1u);
  EXPECT_EQ(manifest[0]["Config"], a.id.hex() + ".json");
  EXPECT_EQ(manifest[0]["Layers"].size(), 2u);
  for (const auto& l : manifest[0]["Layers"]) {
    std::string p = l;
    EXPECT_TRUE(files.Has(p));
    std::string dir = p.substr(0, p.find('/'));
    EXPECT_EQ(files.Read(dir + "/VERSION", *content).value(), "1.0");
  }
  json repos = json::parse(files.Read("repositories", *content).value());
  EXPECT_TRUE(repos["busybox"].contains("latest"));
  EXPECT_EQ(files.Read(a.id.hex() + ".json", *content).value(), config_);

  // Save by ID: untagged.
  std::string out2 = tmp_ / "byid.tar";
  {
    unique_fd fd2(::open(out2.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644));
    ASSERT_TRUE(store_->Save({a.id.hex().substr(0, 8)}, fd2.get()).ok());
  }
  auto third = OpenStore(tmp_ / "root3");
  EXPECT_EQ(LoadFile(*third, out2), std::vector<std::string>{"Loaded image ID: " + a.id.str()});
}

TEST_F(ImageStoreTest, LoadOciLayout) {
  BuiltLayer gz = MakeLayer(tmp_, "gz", {{"a/b.txt", "oci"}}, layer::Compression::kGzip);
  std::string cfg = MakeConfig({gz.diff_id}, "2023-05-06T07:08:09Z");
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                               {"digest", Sha256Of(cfg).str()}, {"size", cfg.size()}}},
                   {"layers", {{{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"},
                                {"digest", gz.digest.str()}, {"size", gz.tar.size()}}}}};
  std::string m = manifest.dump();
  json index = {{"schemaVersion", 2},
                {"manifests", {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                                {"digest", Sha256Of(m).str()},
                                {"size", m.size()},
                                {"annotations", {{"io.containerd.image.name", "docker.io/library/oci:v1"},
                                                 {"org.opencontainers.image.ref.name", "v1"}}}}}}};
  std::string path = tmp_ / "oci.tar";
  {
    unique_fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644));
    TarWriter w(fd.get());
    ASSERT_TRUE(w.Open().ok());
    ASSERT_TRUE(w.AddFile("oci-layout", R"({"imageLayoutVersion":"1.0.0"})", 0).ok());
    ASSERT_TRUE(w.AddFile("index.json", index.dump(), 0).ok());
    ASSERT_TRUE(w.AddFile("blobs/sha256/" + Sha256Of(m).hex(), m, 0).ok());
    ASSERT_TRUE(w.AddFile("blobs/sha256/" + Sha256Of(cfg).hex(), cfg, 0).ok());
    ASSERT_TRUE(w.AddFile("blobs/sha256/" + gz.digest.hex(), gz.tar, 0).ok());
    ASSERT_TRUE(w.Close().ok());
  }
  EXPECT_EQ(LoadFile(*store_, path), std::vector<std::string>{"Loaded image: oci:v1"});
  auto rec = store_->Resolve("oci:v1");
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->id, Sha256Of(cfg));
  EXPECT_TRUE(fs::Exists(store_->LayerDir(rec->chain_ids[0]) + "/a/b.txt"));
  // Only the uncompressed layer is kept, named by its diff ID.
  auto blobs = Entries(store_->root() + "/content/blobs/sha256");
  EXPECT_EQ(blobs.size(), 2u);
  EXPECT_TRUE(std::count(blobs.begin(), blobs.end(), gz.diff_id.hex()));
}

TEST_F(ImageStoreTest, ImportWithChanges) {
  BuiltLayer root = MakeLayer(tmp_, "rootfs", {{"bin/busybox", "ELF"}}, layer::Compression::kGzip);
  std::string path = tmp_ / "rootfs.tar.gz";
  ASSERT_TRUE(fs::AtomicWrite(path, root.tar, 0644, false).ok());
  unique_fd fd(::open(path.c_str(), O_RDONLY));
  auto id = store_->Import(fd.get(), "imported:1",
                           {"CMD [\"/bin/sh\"]", "ENV A=1 B=\"two words\"", "EXPOSE 80 53/udp",
                            "LABEL maintainer=me", "WORKDIR /srv", "USER nobody", "VOLUME /data",
                            "STOPSIGNAL SIGTERM"},
                           "my message");
  ASSERT_TRUE(id.ok()) << id.error().message();
  auto j = store_->Inspect("imported:1").value();
  EXPECT_EQ(j["Id"], *id);
  EXPECT_EQ(j["Config"]["Cmd"], json({"/bin/sh"}));
  EXPECT_EQ(j["Config"]["Env"], json({"A=1", "B=two words"}));
  EXPECT_TRUE(j["Config"]["ExposedPorts"].contains("80/tcp"));
  EXPECT_TRUE(j["Config"]["ExposedPorts"].contains("53/udp"));
  EXPECT_EQ(j["Config"]["Labels"]["maintainer"], "me");
  EXPECT_EQ(j["Config"]["WorkingDir"], "/srv");
  EXPECT_EQ(j["Config"]["User"], "nobody");
  EXPECT_EQ(j["Config"]["StopSignal"], "SIGTERM");
  EXPECT_EQ(j["Comment"], "my message");
  EXPECT_EQ(j["RootFS"]["Layers"], json({root.diff_id.str()}));
  auto h = store_->History("imported:1").value();
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].comment, "my message");
  EXPECT_EQ(h[0].created_by, "");
  EXPECT_EQ(h[0].id, *id);

  unique_fd fd2(::open(path.c_str(), O_RDONLY));
  auto bad = store_->Import(fd2.get(), "", {"RUN echo"}, "");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("RUN is not a valid change command"), std::string::npos);
}

TEST_F(ImageStoreTest, PruneDangling) {
  LoadFile(*store_, archive_);
  BuiltLayer other = MakeLayer(tmp_, "other", {{"x", "12345"}});
  std::string cfg2 = MakeConfig({other.diff_id}, "2020-01-01T00:00:00Z");
  WriteDockerArchive(tmp_ / "untagged.tar", {{cfg2, {other}, {}}});
  EXPECT_EQ(LoadFile(*store_, tmp_ / "untagged.tar"),
            std::vector<std::string>{"Loaded image ID: " + Sha256Of(cfg2).str()});
  ListOptions dangling;
  dangling.filters["dangling"] = {"true"};
  auto l = store_->List(dangling).value();
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].repo_tags, std::vector<std::string>{"<none>:<none>"});
  ListOptions ref;
  ref.filters["reference"] = {"busy*"};
  EXPECT_EQ(store_->List(ref)->size(), 1u);
  ListOptions badf;
  badf.filters["nope"] = {"1"};
  EXPECT_EQ(store_->List(badf).error().message(), "Invalid filter 'nope'");

  auto rep = store_->Prune(false, {}, nullptr);
  ASSERT_TRUE(rep.ok()) << rep.error().message();
  ASSERT_EQ(rep->images_deleted.size(), 2u);
  EXPECT_EQ(rep->images_deleted[0].deleted, Sha256Of(cfg2).str());
  EXPECT_EQ(rep->space_reclaimed, 5u);
  EXPECT_EQ(store_->List({})->size(), 1u);
  // prune -a takes the rest (no container uses it).
  rep = store_->Prune(true, {}, nullptr);
  ASSERT_TRUE(rep.ok());
  EXPECT_TRUE(store_->List({})->empty());
}

TEST_F(ImageStoreTest, CrashBeforeCommitLeavesNothing) {
  ImageStore::TestHooks hooks;
  hooks.before_commit = [] { return Status(Error::Internal("simulated crash")); };
  hooks.simulate_crash = true;
  store_->SetTestHooks(hooks);
  unique_fd fd(::open(archive_.c_str(), O_RDONLY));
  auto r = store_->Load(fd.get(), nullptr);
  ASSERT_FALSE(r.ok());
  // The "crash" left layers and blobs on disk, but nothing is visible.
  EXPECT_EQ(Entries(store_->root() + "/layers").size(), 2u);
  EXPECT_FALSE(Entries(store_->root() + "/content/blobs/sha256").empty());
  EXPECT_TRUE(store_->List({})->empty());
  // Leftovers of other kinds of crash.
  ASSERT_TRUE(fs::MkdirAll(store_->root() + "/layers/abc.tmp-123456").ok());
  ASSERT_TRUE(fs::AtomicWrite(store_->root() + "/content/ingest/deadbeef", "partial", 0600, false).ok());
  store_.reset();

  store_ = OpenStore(tmp_ / "root");
  EXPECT_TRUE(store_->List({})->empty());
  EXPECT_TRUE(Entries(store_->root() + "/layers").empty());
  EXPECT_TRUE(Entries(store_->root() + "/content/blobs/sha256").empty());
  EXPECT_TRUE(Entries(store_->root() + "/content/ingest").empty());
  // And the load works afterwards.
  LoadFile(*store_, archive_);
  EXPECT_EQ(store_->List({})->size(), 1u);
}

TEST_F(ImageStoreTest, FailedLoadCleansUp) {
  // A diff ID that does not match the layer: refused, nothing left behind.
  std::string cfg = MakeConfig({base_.diff_id, base_.diff_id}, "2024-01-02T03:04:05Z");
  WriteDockerArchive(tmp_ / "bad.tar", {{cfg, {base_, top_}, {"bad:1"}}});
  unique_fd fd(::open((tmp_ / "bad.tar").c_str(), O_RDONLY));
  auto r = store_->Load(fd.get(), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("invalid diffID for layer 1"), std::string::npos) << r.error().message();
  EXPECT_TRUE(Entries(store_->root() + "/layers").empty());
  EXPECT_TRUE(Entries(store_->root() + "/content/blobs/sha256").empty());
}

}  // namespace
}  // namespace berth::image

namespace berth::image {
namespace {

TEST_F(ImageStoreTest, ConcurrentLoadsAndQueries) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      unique_fd fd(::open(archive_.c_str(), O_RDONLY));
      auto r = store_->Load(fd.get(), nullptr);
      if (!r.ok()) {
        ADD_FAILURE() << r.error().message();
        ++failures;
      }
      for (int k = 0; k < 5; ++k) (void)store_->List({});
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(store_->List({})->size(), 1u);
  EXPECT_EQ(Entries(store_->root() + "/layers").size(), 2u);
  EXPECT_EQ(Entries(store_->root() + "/content/blobs/sha256").size(), 3u);
}

}  // namespace
}  // namespace berth::image

namespace berth::image {
namespace {

TEST_F(ImageStoreTest, BigLayerStreamsThroughBlobs) {
  std::string big(3 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + (i / 4096) % 26);
  BuiltLayer l = MakeLayer(tmp_, "big", {{"data/big.bin", big}});
  std::string cfg = MakeConfig({l.diff_id}, "2024-03-03T00:00:00Z");
  WriteDockerArchive(tmp_ / "big.tar", {{cfg, {l}, {"big:1"}}});
  EXPECT_EQ(LoadFile(*store_, tmp_ / "big.tar"), std::vector<std::string>{"Loaded image: big:1"});
  auto rec = store_->Resolve("big:1").value();
  EXPECT_EQ(rec.size, static_cast<int64_t>(big.size()));
  std::string out = tmp_ / "big-saved.tar";
  {
    unique_fd fd(::open(out.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644));
    ASSERT_TRUE(store_->Save({"big:1", "big:1"}, fd.get()).ok());
  }
  auto fresh = OpenStore(tmp_ / "root-big");
  EXPECT_EQ(LoadFile(*fresh, out), std::vector<std::string>{"Loaded image: big:1"});
  EXPECT_EQ(fresh->Resolve("big:1")->id, rec.id);
  EXPECT_EQ(fs::ReadFile(fresh->LayerDir(rec.chain_ids[0]) + "/data/big.bin").value(), big);
}

}  // namespace
}  // namespace berth::image

namespace berth::image {
namespace {

// A layer stream from memory, read in small pieces.
class BytesReader : public layer::Reader {
 public:
  explicit BytesReader(std::string data) : data_(std::move(data)) {}
  Result<size_t> Read(void* buf, size_t n) override {
    size_t k = std::min({n, data_.size() - off_, size_t{4096}});
    std::memcpy(buf, data_.data() + off_, k);
    off_ += k;
    return k;
  }

 private:
  std::string data_;
  size_t off_ = 0;
};

TEST_F(ImageStoreTest, IngestChecksTheDiffIdAndCommitsTheImage) {
  // Pull's path (no hashing in the unpack: the blob writer checks the diff ID).
  auto ingest = store_->BeginIngest();
  ASSERT_TRUE(ingest.ok()) << ingest.error().message();
  std::vector<Digest> diffs{base_.diff_id, top_.diff_id};
  std::vector<Digest> chains = ChainIds(diffs);
  BytesReader wrong(top_.tar);
  auto bad = (*ingest)->AddLayer(chains[0], Digest(), base_.diff_id, wrong);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("invalid diffID for layer"), std::string::npos) << bad.error().message();
  BytesReader b(base_.tar), t(top_.tar);
  ASSERT_TRUE((*ingest)->AddLayer(chains[0], Digest(), base_.diff_id, b).ok());
  ASSERT_TRUE((*ingest)->AddLayer(chains[1], chains[0], top_.diff_id, t).ok());
  auto id = (*ingest)->Commit(config_, {"docker.io/library/pulled:1"});
  ASSERT_TRUE(id.ok()) << id.error().message();
  EXPECT_TRUE(store_->Resolve("docker.io/library/pulled:1").ok());
}

}  // namespace
}  // namespace berth::image

namespace berth::image {
namespace {

// A stream whose bytes all arrive and which then fails, as the puller's pipe
// does when the compressed digest does not match.
class FailingAtEndReader : public layer::Reader {
 public:
  explicit FailingAtEndReader(std::string data) : in_(std::move(data)) {}
  Result<size_t> Read(void* buf, size_t n) override {
    size_t k = BERTH_TRY(in_.Read(buf, n));
    if (k == 0) return Error::Invalid("filesystem layer verification failed for digest");
    return k;
  }

 private:
  BytesReader in_;
};

// Pull's streaming unpack: a corrupt, truncated or unverified stream leaves
// no layer directory, no blob and no ingest file, and the layer is still
// missing; a good one then goes through on a store that syncs.
TEST_F(ImageStoreTest, IngestFailuresLeaveNothingVisible) {
  std::string big(1 << 20, 'q');
  for (size_t i = 0; i < big.size(); i += 512) big[i] = static_cast<char>('a' + (i / 512) % 26);
  BuiltLayer l = MakeLayer(tmp_, "gz", {{"data/big.bin", big}, {"etc/x", "x\n"}}, layer::Compression::kGzip);
  std::string corrupt = l.tar;
  corrupt[corrupt.size() / 2] ^= 0x55;
  std::string bad_crc = l.tar;
  bad_crc[bad_crc.size() - 6] ^= 0x01;
  Digest chain = ChainIds(std::vector<Digest>{l.diff_id})[0];
  auto store = OpenStore(tmp_ / "root-sync");
  struct Case {
    const char* name;
    std::function<std::unique_ptr<layer::Reader>()> reader;
    Digest diff_id;
    const char* error;
  } cases[] = {
      // Whatever notices first (inflate, the tar reader, the CRC) names it:
      // any message, as long as there is one.
      {"corrupt gzip", [&] { return std::make_unique<BytesReader>(corrupt); }, l.diff_id, ""},
      {"bad crc", [&] { return std::make_unique<BytesReader>(bad_crc); }, l.diff_id, "gzip"},
      {"truncated", [&] { return std::make_unique<BytesReader>(l.tar.substr(0, l.tar.size() / 3)); },
       l.diff_id, "gzip: unexpected end"},
      {"truncated trailer", [&] { return std::make_unique<BytesReader>(l.tar.substr(0, l.tar.size() - 3)); },
       l.diff_id, "gzip"},
      {"wrong digest", [&] { return std::make_unique<FailingAtEndReader>(l.tar); }, l.diff_id,
       "verification failed"},
      {"wrong diff ID", [&] { return std::make_unique<BytesReader>(l.tar); }, base_.diff_id,
       "invalid diffID"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto ingest = store->BeginIngest();
    ASSERT_TRUE(ingest.ok());
    auto in = c.reader();
    auto r = (*ingest)->AddLayer(chain, Digest(), c.diff_id, *in);
    ASSERT_FALSE(r.ok());
    EXPECT_FALSE(r.error().message().empty());
    EXPECT_NE(r.error().message().find(c.error), std::string::npos) << r.error().message();
    EXPECT_TRUE(Entries(store->root() + "/layers").empty());
    EXPECT_TRUE(Entries(store->root() + "/content/blobs/sha256").empty());
    EXPECT_TRUE(Entries(store->root() + "/content/ingest").empty());
    EXPECT_FALSE(*(*ingest)->HasLayer(chain));
  }
  // The same store, syncing (one syncfs in Commit), takes the good stream.
  StoreOptions o;
  o.root = tmp_ / "root-sync";
  store.reset();
  auto synced = ImageStore::Open(o);
  ASSERT_TRUE(synced.ok());
  auto ingest = (*synced)->BeginIngest();
  ASSERT_TRUE(ingest.ok());
  BytesReader good(l.tar);
  ASSERT_TRUE((*ingest)->AddLayer(chain, Digest(), l.diff_id, good).ok());
  auto id = (*ingest)->Commit(MakeConfig({l.diff_id}, "2024-03-03T00:00:00Z"), {"docker.io/library/gz:1"});
  ASSERT_TRUE(id.ok()) << id.error().message();
  auto rec = (*synced)->Resolve("docker.io/library/gz:1");
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(fs::ReadFile((*synced)->LayerDir(rec->chain_ids[0]) + "/data/big.bin").value(), big);
  EXPECT_TRUE(fs::Exists(tmp_ / ("root-sync/content/blobs/sha256/" + l.diff_id.hex())));
}

}  // namespace
}  // namespace berth::image
