#include "image/layer/layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <string>

#include "base/fs.h"

namespace berth::layer {
namespace {

std::string Sha256Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string out = "sha256:";
  char hex[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", md[i]);
    out += hex;
  }
  return out;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/var/tmp/berth-layer-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { (void)fs::RemoveAll(path_); }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

// Serves a string in small, odd-sized reads to exercise buffer boundaries.
class StringReader : public Reader {
 public:
  explicit StringReader(std::string data, size_t chunk = 7001) : data_(std::move(data)), chunk_(chunk) {}
  Result<size_t> Read(void* buf, size_t n) override {
    size_t take = std::min({n, chunk_, data_.size() - pos_});
    std::memcpy(buf, data_.data() + pos_, take);
    pos_ += take;
    return take;
  }

 private:
  std::string data_;
  size_t chunk_;
  size_t pos_ = 0;
};

la_ssize_t AppendCb(struct archive*, void* out, const void* buf, size_t n) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

// Builds tars in memory with libarchive's writer (default 10240-byte blocks,
// so the stream has padding after the end blocks).
class TarBuilder {
 public:
  TarBuilder() : a_(archive_write_new()) {
    archive_write_set_format_pax_restricted(a_);
    archive_write_open(a_, &out_, nullptr, AppendCb, nullptr);
  }
  ~TarBuilder() {
    if (a_) archive_write_free(a_);
  }
  TarBuilder& Add(const std::string& name, mode_t type, mode_t perm, const std::string& data = "",
                  const std::function<void(archive_entry*)>& extra = {}) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, perm);
    archive_entry_set_mtime(e, 1600000000, 0);
    if (type == AE_IFREG) archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
    if (extra) extra(e);
    EXPECT_EQ(archive_write_header(a_, e), ARCHIVE_OK) << name;
    if (!data.empty()) archive_write_data(a_, data.data(), data.size());
    archive_entry_free(e);
    return *this;
  }
  TarBuilder& File(const std::string& name, const std::string& data = "x", mode_t perm = 0644) {
    return Add(name, AE_IFREG, perm, data);
  }
  TarBuilder& Dir(const std::string& name, mode_t perm = 0755) { return Add(name, AE_IFDIR, perm); }
  TarBuilder& Symlink(const std::string& name, const std::string& target) {
    return Add(name, AE_IFLNK, 0777, "", [&](archive_entry* e) { archive_entry_set_symlink(e, target.c_str()); });
  }
  TarBuilder& Hardlink(const std::string& name, const std::string& target) {
    return Add(name, AE_IFREG, 0644, "", [&](archive_entry* e) {
      archive_entry_set_hardlink(e, target.c_str());
      archive_entry_set_size(e, 0);
    });
  }
  std::string Finish() {
    archive_write_close(a_);
    archive_write_free(a_);
    a_ = nullptr;
    return out_;
  }

 private:
  struct archive* a_;
  std::string out_;
};

// Compresses with libarchive's own filters (independent of our Compressor).
std::string Compress(const std::string& plain, Compression c) {
  if (c == Compression::kNone) return plain;
  std::string out;
  struct archive* a = archive_write_new();
  archive_write_set_format_raw(a);
  if (c == Compression::kGzip) archive_write_add_filter_gzip(a);
  else archive_write_add_filter_zstd(a);
  archive_write_set_bytes_per_block(a, 0);
  archive_write_open(a, &out, nullptr, AppendCb, nullptr);
  archive_entry* e = archive_entry_new();
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_pathname(e, "data");
  archive_entry_set_size(e, static_cast<la_int64_t>(plain.size()));
  archive_write_header(a, e);
  archive_write_data(a, plain.data(), plain.size());
  archive_entry_free(e);
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

// Entry names of a tar, in order.
std::vector<std::string> ListTar(const std::string& tar) {
  std::vector<std::string> names;
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_support_filter_all(a);
  archive_read_open_memory(a, tar.data(), tar.size());
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string n = archive_entry_pathname(e);
    if (archive_entry_xattr_reset(e) > 0) {
      const char* k;
      const void* v;
      size_t s;
      while (archive_entry_xattr_next(e, &k, &v, &s) == ARCHIVE_OK) n += std::string(" xattr:") + k;
    }
    names.push_back(n);
  }
  archive_read_free(a);
  return names;
}

Result<UnpackResult> UnpackString(const std::string& tar, const std::string& dest,
                                  const UnpackOptions& o = {}) {
  StringReader r(tar);
  return Unpack(r, dest, o);
}

std::string PackToString(const std::string& dir, const PackOptions& o = {},
                         PackResult* result = nullptr) {
  TempDir t;
  std::string path = t / "out.tar";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  auto r = Pack(dir, fd, o);
  ::close(fd);
  EXPECT_TRUE(r.ok()) << r.error().message();
  if (result && r.ok()) *result = *r;
  return fs::ReadFile(path).value();
}

std::string Xattrs(const std::string& path) {
  char names[4096];
  ssize_t n = ::llistxattr(path.c_str(), names, sizeof names);
  std::map<std::string, std::string> m;
  for (ssize_t i = 0; i < n;) {
    std::string k(names + i);
    i += static_cast<ssize_t>(k.size()) + 1;
    if (k == "security.selinux") continue;
    char v[4096];
    ssize_t vn = ::lgetxattr(path.c_str(), k.c_str(), v, sizeof v);
    m[k] = std::string(v, vn > 0 ? static_cast<size_t>(vn) : 0);
  }
  std::string out;
  for (auto& [k, v] : m) out += " " + k + "=" + v;
  return out;
}

// A description of every entry below root (lstat fields, xattrs, contents,
// symlink targets, hard-link groups), for comparing two trees.
void Describe(const std::string& root, const std::string& rel, std::map<std::string, std::string>* out,
              std::map<ino_t, std::string>* inodes) {
  std::vector<std::string> names = fs::ListDir(root + "/" + rel).value();
  for (const std::string& name : names) {
    std::string r = rel.empty() ? name : rel + "/" + name;
    std::string p = root + "/" + r;
    struct stat st;
    ASSERT_EQ(::lstat(p.c_str(), &st), 0) << p;
    char buf[512];
    std::snprintf(buf, sizeof buf, "mode=%o uid=%u gid=%u mtime=%ld", st.st_mode, st.st_uid,
                  st.st_gid, static_cast<long>(st.st_mtim.tv_sec));
    std::string d = buf;
    if (S_ISREG(st.st_mode)) {
      d += " size=" + std::to_string(st.st_size) + " sha=" + Sha256Hex(fs::ReadFile(p).value());
      if (st.st_nlink > 1) {
        auto [it, first] = inodes->emplace(st.st_ino, r);
        d += " link=" + it->second;
      }
    }
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
      d += " rdev=" + std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev));
    if (S_ISLNK(st.st_mode)) {
      ssize_t n = ::readlink(p.c_str(), buf, sizeof buf);
      d += " -> " + std::string(buf, static_cast<size_t>(n));
    }
    d += Xattrs(p);
    (*out)[r] = d;
    if (S_ISDIR(st.st_mode)) Describe(root, r, out, inodes);
  }
}

std::map<std::string, std::string> Tree(const std::string& root) {
  std::map<std::string, std::string> out;
  std::map<ino_t, std::string> inodes;
  Describe(root, "", &out, &inodes);
  return out;
}

void SetTimes(const std::string& path, time_t sec) {
  struct timespec ts[2] = {{sec, 0}, {sec, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), ts, AT_SYMLINK_NOFOLLOW), 0) << path;
}

// Nothing named dest, nor any dest.tmp-*, exists.
void ExpectNoLayer(const TempDir& t, const std::string& name) {
  EXPECT_FALSE(fs::Exists(t / name));
  std::vector<std::string> names = fs::ListDir(t.path()).value();
  for (const std::string& n : names)
    EXPECT_NE(n.rfind(name + ".tmp-", 0), 0u) << "leftover temp dir " << n;
}

// A v2 security.capability blob granting CAP_NET_BIND_SERVICE (10).
std::string CapabilityBlob() {
  uint32_t v[5] = {0x02000001, 1u << 10, 0, 0, 0};
  return std::string(reinterpret_cast<const char*>(v), sizeof v);
}

// ---- round trip -----------------------------------------------------------

void MakeTree(const TempDir& t, const std::string& src) {
  auto P = [&](const std::string& r) { return src + "/" + r; };
  ASSERT_EQ(::mkdir(src.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(P("bin").c_str(), 0755), 0);
  ASSERT_TRUE(fs::AtomicWrite(P("bin/su"), "setuid binary", 0755, false).ok());
  ASSERT_EQ(::chmod(P("bin/su").c_str(), 04755), 0);
  ASSERT_TRUE(fs::AtomicWrite(P("bin/ping"), "capable binary", 0755, false).ok());
  std::string cap = CapabilityBlob();
  ASSERT_EQ(::setxattr(P("bin/ping").c_str(), "security.capability", cap.data(), cap.size(), 0), 0);
  ASSERT_EQ(::mkdir(P("tmp").c_str(), 0777), 0);
  ASSERT_EQ(::chmod(P("tmp").c_str(), 01777), 0);
  ASSERT_EQ(::mkdir(P("shared").c_str(), 0775), 0);
  ASSERT_EQ(::chmod(P("shared").c_str(), 02775), 0);
  ASSERT_EQ(::chown(P("shared").c_str(), 0, 50), 0);
  ASSERT_TRUE(fs::AtomicWrite(P("shared/data"), std::string(100000, 'd'), 0640, false).ok());
  ASSERT_EQ(::chown(P("shared/data").c_str(), 1000, 1001), 0);
  ASSERT_EQ(::setxattr(P("shared/data").c_str(), "user.note", "hello", 5, 0), 0);
  ASSERT_EQ(::setxattr(P("shared/data").c_str(), "trusted.mine", "t", 1, 0), 0);
  ASSERT_EQ(::link(P("shared/data").c_str(), P("bin/data-link").c_str()), 0);
  ASSERT_TRUE(fs::AtomicWrite(P("empty"), "", 0600, false).ok());
  ASSERT_EQ(::symlink("bin/su", P("su-link").c_str()), 0);
  ASSERT_EQ(::symlink("/nonexistent/abs", P("abs-link").c_str()), 0);
  ASSERT_EQ(::lchown(P("abs-link").c_str(), 5, 6), 0);
  ASSERT_EQ(::mkdir(P("dev").c_str(), 0755), 0);
  ASSERT_EQ(::mknod(P("dev/null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  ASSERT_EQ(::chmod(P("dev/null").c_str(), 0666), 0);
  ASSERT_EQ(::mknod(P("dev/loop9").c_str(), S_IFBLK | 0660, makedev(7, 9)), 0);
  ASSERT_EQ(::mkfifo(P("dev/fifo").c_str(), 0620), 0);
  ASSERT_EQ(::chmod(P("dev/fifo").c_str(), 0620), 0);
  std::string deep = "a/very/deep/" + std::string(120, 'n');  // needs a PAX path record
  ASSERT_TRUE(fs::MkdirAll(P(deep)).ok());
  ASSERT_TRUE(fs::AtomicWrite(P(deep + "/" + std::string(150, 'f')), "long", 0644, false).ok());
  // Distinct mtimes everywhere, directories last (creating entries changes them).
  time_t when = 1500000000;
  for (auto& [rel, desc] : Tree(src)) SetTimes(P(rel), when++);
  (void)t;
}

TEST(Layer, RoundTripAllEntryKinds) {
  TempDir t;
  std::string src = t / "src";
  MakeTree(t, src);
  PackResult packed;
  std::string tar = PackToString(src, {}, &packed);
  EXPECT_EQ(packed.diff_id.str(), Sha256Hex(tar));
  EXPECT_EQ(packed.digest, packed.diff_id);
  EXPECT_EQ(packed.size, tar.size());

  auto r = UnpackString(tar, t / "layer");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->diff_id, packed.diff_id);
  EXPECT_EQ(r->uncompressed_size, tar.size());
  EXPECT_EQ(Tree(src), Tree(t / "layer"));
  struct stat st;
  ASSERT_EQ(::stat((t / "layer").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);

  // Reproducible: the same tree packs to the same bytes, and so does its copy.
  EXPECT_EQ(PackToString(src), tar);
  EXPECT_EQ(PackToString(t / "layer"), tar);
}

// Interop with GNU tar, both ways (skipped where tar is missing).
TEST(Layer, GnuTarReadsPackAndWritesWhatUnpackReads) {
  if (!fs::Exists("/usr/bin/tar") && !fs::Exists("/bin/tar")) GTEST_SKIP() << "no tar";
  TempDir t;
  std::string src = t / "src";
  MakeTree(t, src);
  std::string ours = PackToString(src);
  ASSERT_TRUE(fs::AtomicWrite(t / "ours.tar", ours, 0600, false).ok());
  ASSERT_EQ(::mkdir((t / "gnu-x").c_str(), 0755), 0);
  std::string x = "tar --xattrs --xattrs-include='*' --numeric-owner -xpf " + t / "ours.tar" +
                  " -C " + t / "gnu-x";
  ASSERT_EQ(std::system(x.c_str()), 0) << x;
  EXPECT_EQ(Tree(src), Tree(t / "gnu-x"));

  std::string c = "tar --format=pax --xattrs --xattrs-include='*' --numeric-owner -cf " +
                  t / "gnu.tar" + " -C " + src + " .";
  ASSERT_EQ(std::system(c.c_str()), 0) << c;
  int fd = ::open((t / "gnu.tar").c_str(), O_RDONLY | O_CLOEXEC);
  auto r = Unpack(fd, t / "layer", {});
  ::close(fd);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->diff_id.str(), Sha256Hex(fs::ReadFile(t / "gnu.tar").value()));
  EXPECT_EQ(Tree(src), Tree(t / "layer"));
}

TEST(Layer, PackWritesDockerStyleEntries) {
  TempDir t;
  std::string src = t / "src";
  MakeTree(t, src);
  std::vector<std::string> names = ListTar(PackToString(src));
  // Sorted depth first, dirs with '/', hard link second name as a link.
  ASSERT_GE(names.size(), 4u);
  EXPECT_EQ(names[0], "a/");
  // Xattrs as SCHILY.xattr.* records only (no LIBARCHIVE.xattr.* copy).
  EXPECT_NE(std::find(names.begin(), names.end(), "bin/ping xattr:security.capability"),
            names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "tmp/"), names.end());
  for (const std::string& n : names) EXPECT_EQ(n.find("./"), std::string::npos) << n;
}

TEST(Layer, PackExcludesPaths) {
  TempDir t;
  std::string src = t / "src";
  MakeTree(t, src);
  PackOptions o;
  o.exclude = {"shared", "/dev/null"};
  auto names = ListTar(PackToString(src, o));
  for (const std::string& n : names) {
    EXPECT_NE(n.rfind("shared", 0), 0u) << n;
    EXPECT_NE(n, "dev/null");
  }
  EXPECT_NE(std::find(names.begin(), names.end(), "dev/fifo"), names.end());
}

// ---- whiteouts ------------------------------------------------------------

TEST(Layer, WhiteoutsBecomeOverlayFormAndBack) {
  TempDir t;
  std::string tar = TarBuilder()
                        .Dir("a/")
                        .File("a/.wh.gone", "")
                        .Dir("opq/")
                        .File("opq/.wh..wh..opq", "")
                        .File("opq/kept", "k")
                        .File(".wh.top", "")
                        .File("b/.wh..wh.plnk", "")  // aufs metadata: ignored
                        .Add("c", AE_IFREG, 0644, "", [](archive_entry* e) {
                          archive_entry_xattr_add_entry(e, "trusted.overlay.redirect", "/x", 2);
                        })
                        .Finish();
  auto r = UnpackString(tar, t / "layer");
  ASSERT_TRUE(r.ok()) << r.error().message();
  for (const char* wo : {"a/gone", "top"}) {
    struct stat st;
    ASSERT_EQ(::lstat((t / ("layer/" + std::string(wo))).c_str(), &st), 0) << wo;
    EXPECT_TRUE(S_ISCHR(st.st_mode)) << wo;
    EXPECT_EQ(st.st_rdev, makedev(0, 0)) << wo;
  }
  char v[8];
  ASSERT_EQ(::getxattr((t / "layer/opq").c_str(), "trusted.overlay.opaque", v, sizeof v), 1);
  EXPECT_EQ(v[0], 'y');
  EXPECT_FALSE(fs::Exists(t / "layer/a/.wh.gone"));
  EXPECT_FALSE(fs::Exists(t / "layer/opq/.wh..wh..opq"));
  EXPECT_FALSE(fs::Exists(t / "layer/b/.wh..wh.plnk"));
  EXPECT_EQ(::getxattr((t / "layer/c").c_str(), "trusted.overlay.redirect", v, sizeof v), -1);

  std::vector<std::string> names = ListTar(PackToString(t / "layer"));
  // Sorted by the names on disk, as Docker's walk does: ".wh.top" sits where "top" is.
  std::vector<std::string> want = {"a/", "a/.wh.gone", "b/", "c",
                                   "opq/", "opq/.wh..wh..opq", "opq/kept", ".wh.top"};
  EXPECT_EQ(names, want);
}

// The unpacked form is what overlayfs understands: mounting two layers shows
// the upper one's deletions.
TEST(Layer, OverlayHonoursUnpackedWhiteouts) {
  TempDir t;
  ASSERT_TRUE(UnpackString(TarBuilder().File("top").File("a/x").File("a/keep").File("b/y").Finish(),
                           t / "l1").ok());
  ASSERT_TRUE(UnpackString(TarBuilder()
                               .File(".wh.top", "")
                               .File("a/.wh.x", "")
                               .Dir("b/")
                               .File("b/.wh..wh..opq", "")
                               .File("b/z")
                               .Finish(),
                           t / "l2").ok());
  ASSERT_EQ(::mkdir((t / "mnt").c_str(), 0755), 0);
  std::string opts = "lowerdir=" + t / "l2" + ":" + t / "l1";
  if (::mount("overlay", (t / "mnt").c_str(), "overlay", MS_RDONLY, opts.c_str()) < 0)
    GTEST_SKIP() << "cannot mount overlay here: " << std::strerror(errno);
  EXPECT_FALSE(fs::Exists(t / "mnt/top"));
  EXPECT_FALSE(fs::Exists(t / "mnt/a/x"));
  EXPECT_TRUE(fs::Exists(t / "mnt/a/keep"));
  EXPECT_FALSE(fs::Exists(t / "mnt/b/y"));
  EXPECT_TRUE(fs::Exists(t / "mnt/b/z"));
  ASSERT_EQ(::umount2((t / "mnt").c_str(), MNT_DETACH), 0);
}

// ---- digests --------------------------------------------------------------

class LayerDigest : public ::testing::TestWithParam<Compression> {};

TEST_P(LayerDigest, DiffIdIsSha256OfUncompressedStream) {
  TempDir t;
  std::string plain = TarBuilder().Dir("etc/").File("etc/hosts", std::string(300000, 'h')).Finish();
  ASSERT_EQ(plain.size() % 10240, 0u);  // padded: the diff ID covers the padding too
  std::string stored = Compress(plain, GetParam());
  auto r = UnpackString(stored, t / "layer");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->compression, GetParam());
  EXPECT_EQ(r->diff_id.str(), Sha256Hex(plain));
  EXPECT_EQ(r->uncompressed_size, plain.size());
  EXPECT_EQ(r->compressed_digest.str(), Sha256Hex(stored));
  EXPECT_EQ(r->compressed_size, stored.size());
  EXPECT_EQ(fs::ReadFile(t / "layer/etc/hosts").value(), std::string(300000, 'h'));
}

TEST_P(LayerDigest, PackCompressedRoundTrip) {
  TempDir t;
  std::string src = t / "src";
  MakeTree(t, src);
  PackOptions o;
  o.compression = GetParam();
  PackResult packed;
  std::string stored = PackToString(src, o, &packed);
  EXPECT_EQ(packed.digest.str(), Sha256Hex(stored));
  EXPECT_EQ(packed.diff_id.str(), Sha256Hex(PackToString(src)));
  EXPECT_EQ(PackToString(src, o), stored);  // deterministic compressed output too
  auto r = UnpackString(stored, t / "layer");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->diff_id, packed.diff_id);
  EXPECT_EQ(r->compressed_digest, packed.digest);
  EXPECT_EQ(Tree(src), Tree(t / "layer"));
}

INSTANTIATE_TEST_SUITE_P(All, LayerDigest,
                         ::testing::Values(Compression::kNone, Compression::kGzip, Compression::kZstd),
                         [](const auto& info) { return std::string(CompressionName(info.param)); });

TEST(Layer, UnpackFromFdAndConcatenatedGzip) {
  TempDir t;
  std::string plain = TarBuilder().File("f", "data").Finish();
  // Two gzip members make one stream (as pigz or `cat a.gz b.gz` write).
  std::string half = plain.substr(0, 1000), rest = plain.substr(1000);
  std::string stored = Compress(half, Compression::kGzip) + Compress(rest, Compression::kGzip);
  ASSERT_TRUE(fs::AtomicWrite(t / "l.tar.gz", stored, 0600, false).ok());
  int fd = ::open((t / "l.tar.gz").c_str(), O_RDONLY | O_CLOEXEC);
  auto r = Unpack(fd, t / "layer", {});
  ::close(fd);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->diff_id.str(), Sha256Hex(plain));
  EXPECT_EQ(fs::ReadFile(t / "layer/f").value(), "data");
}

TEST(Layer, ImplicitParentsAndIdMapping) {
  TempDir t;
  std::string tar = TarBuilder()
                        .Add("x/y/z", AE_IFREG, 0600, "z", [](archive_entry* e) {
                          archive_entry_set_uid(e, 0);
                          archive_entry_set_gid(e, 10);
                        })
                        .Finish();
  UnpackOptions o;
  o.uid_map = {{0, 100000, 65536}};
  o.gid_map = {{0, 200000, 65536}};
  auto r = UnpackString(tar, t / "layer", o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  struct stat st;
  ASSERT_EQ(::lstat((t / "layer/x/y/z").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 100000u);
  EXPECT_EQ(st.st_gid, 200010u);
  ASSERT_EQ(::lstat((t / "layer/x/y").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);

  auto bad = UnpackString(TarBuilder().Add("f", AE_IFREG, 0644, "", [](archive_entry* e) {
                            archive_entry_set_uid(e, 70000);
                          }).Finish(),
                          t / "layer2", o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("uid 70000"), std::string::npos) << bad.error().message();
  ExpectNoLayer(t, "layer2");
}

TEST(Layer, LaterEntriesReplaceEarlierOnes) {
  TempDir t;
  std::string tar = TarBuilder()
                        .Dir("d/")
                        .File("d/f", "old")
                        .File("d/f", "new")
                        .File("e", "file")
                        .Dir("e/")
                        .Finish();
  auto r = UnpackString(tar, t / "layer");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(fs::ReadFile(t / "layer/d/f").value(), "new");
  EXPECT_TRUE(fs::IsDir(t / "layer/e"));
}

TEST(Layer, DestinationMustNotExist) {
  TempDir t;
  ASSERT_EQ(::mkdir((t / "layer").c_str(), 0755), 0);
  auto r = UnpackString(TarBuilder().File("f").Finish(), t / "layer");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kAlreadyExists);
}

// ---- hostile tars ---------------------------------------------------------

struct Hostile {
  const char* name;
  std::function<std::string(const std::string& outside)> tar;
  const char* message;  // part of the expected error
};

TEST(Layer, HostileTarsAreRefusedWithoutLeftovers) {
  TempDir t;
  std::string outside = t / "outside";
  ASSERT_EQ(::mkdir(outside.c_str(), 0755), 0);
  std::string big = TarBuilder().File("f", std::string(1 << 20, 'q')).Finish();
  std::string gz = Compress(big, Compression::kGzip);
  std::string zst = Compress(big, Compression::kZstd);
  std::vector<Hostile> cases = {
      {"dotdot", [](auto&) { return TarBuilder().File("../../etc/x").Finish(); },
       "entry \"../../etc/x\": path climbs out"},
      {"dotdot-inner", [](auto&) { return TarBuilder().File("a/../../x").Finish(); }, "climbs out"},
      {"symlink-abs-escape",
       [](auto& o) { return TarBuilder().Symlink("a", o).File("a/file").Finish(); },
       "entry \"a/file\": open a: a symlink on the way leads outside the layer"},
      {"symlink-rel-escape",
       [](auto& o) {
         (void)o;
         return TarBuilder().Symlink("b", "../../../../../../../..").File("b/tmp/file").Finish();
       },
       "leads outside the layer"},
      {"hardlink-dotdot", [](auto&) { return TarBuilder().Hardlink("h", "../../x").Finish(); },
       "hard link target \"../../x\""},
      {"hardlink-via-symlink",
       [](auto& o) { return TarBuilder().Symlink("l", o).Hardlink("h", "l/secret").Finish(); },
       "leads outside the layer"},
      {"hardlink-abs-missing", [](auto&) { return TarBuilder().Hardlink("h", "/etc/passwd").Finish(); },
       "hard link target etc/passwd"},
      {"truncated-gzip", [&](auto&) { return gz.substr(0, gz.size() / 2); }, "gzip: unexpected end"},
      {"truncated-gzip-trailer", [&](auto&) { return gz.substr(0, gz.size() - 4); }, "gzip"},
      {"corrupt-gzip",
       [&](auto&) {
         std::string c = gz;
         for (size_t i = 100; i < 200; ++i) c[i] ^= 0x5a;
         return c;
       },
       "gzip: corrupt"},
      {"bad-gzip-crc",
       [&](auto&) {
         std::string c = gz;
         c[c.size() - 6] ^= 1;
         return c;
       },
       "gzip: corrupt compressed data: incorrect data check"},
      {"gzip-trailing-garbage", [&](auto&) { return gz + "garbage"; }, "trailing garbage"},
      {"truncated-zstd", [&](auto&) { return zst.substr(0, zst.size() - 10); }, "zstd"},
      {"truncated-tar", [&](auto&) { return big.substr(0, 700000); }, "runcated"},
      {"garbage", [](auto&) { return std::string(5000, '\x07'); }, "tar"},
      {"xz", [](auto&) { return std::string("\xfd" "7zXZ\0junk", 10); }, "unsupported layer compression"},
  };
  for (const Hostile& c : cases) {
    SCOPED_TRACE(c.name);
    std::string dest = std::string("layer-") + c.name;
    auto r = UnpackString(c.tar(outside), t / dest);
    ASSERT_FALSE(r.ok());
    std::cerr << "  " << c.name << ": " << r.error().message() << "\n";
    EXPECT_NE(r.error().message().find(c.message), std::string::npos) << r.error().message();
    ExpectNoLayer(t, dest);
    auto left = fs::ListDir(outside);
    ASSERT_TRUE(left.ok());
    EXPECT_TRUE(left->empty());
  }
}

TEST(Layer, AbsoluteNamesLandInside) {
  TempDir t;
  std::string tar = TarBuilder().File("/etc/passwd", "root:x:0:0::/:/bin/sh\n").Finish();
  auto r = UnpackString(tar, t / "layer");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(fs::ReadFile(t / "layer/etc/passwd").value(), "root:x:0:0::/:/bin/sh\n");
}

TEST(Layer, SymlinksInsideTheLayerAreFollowed) {
  TempDir t;
  std::string tar = TarBuilder().Dir("usr/lib/").Symlink("lib", "usr/lib").File("lib/libc.so", "c").Finish();
  auto r = UnpackString(tar, t / "layer");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(fs::ReadFile(t / "layer/usr/lib/libc.so").value(), "c");
}

// ---- speed ----------------------------------------------------------------

TEST(Layer, FiftyMegabyteLayerSpeed) {
  TempDir t;
  std::mt19937_64 rng(42);
  TarBuilder b;
  std::string chunk(1 << 20, '\0');
  for (int i = 0; i < 50; ++i) {
    // Half random, half text: compresses roughly as binaries do.
    for (size_t j = 0; j < chunk.size() / 2; j += 8) {
      uint64_t v = rng();
      std::memcpy(&chunk[j], &v, 8);
    }
    for (size_t j = chunk.size() / 2; j < chunk.size(); ++j) chunk[j] = "layer text "[j % 11];
    b.File("data/f" + std::to_string(i), chunk);
  }
  std::string plain = b.Finish();
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
    std::string stored = Compress(plain, c);
    std::string dest = t / (std::string("layer-") + CompressionName(c));
    UnpackOptions o;
    o.sync = false;
    auto start = std::chrono::steady_clock::now();
    auto r = UnpackString(stored, dest, o);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r->diff_id.str(), Sha256Hex(plain));
    std::cout << "unpack " << CompressionName(c) << ": " << plain.size() / 1e6 << " MB in "
              << secs << " s = " << plain.size() / 1e6 / secs << " MB/s\n";
    PackOptions po;
    po.compression = c;
    start = std::chrono::steady_clock::now();
    PackResult pr;
    std::string packed = PackToString(dest, po, &pr);
    secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "pack   " << CompressionName(c) << ": " << pr.uncompressed_size / 1e6 << " MB in "
              << secs << " s = " << pr.uncompressed_size / 1e6 / secs << " MB/s\n";
  }
}

}  // namespace
}  // namespace berth::layer
