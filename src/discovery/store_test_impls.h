// The Store implementations the conformance suite runs against.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <memory>
#include <string>

#include "base/fs.h"
#include "discovery/embedded_store.h"

namespace berth::discovery {

// A temporary directory removed at destruction.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/berth-discovery-test-XXXXXX";
    path_ = ::mkdtemp(tmpl) ? tmpl : "";
  }
  ~TempDir() { (void)fs::RemoveAll(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct EmbeddedMemoryImpl {
  bool Available() const { return true; }
  std::string SkipReason() const { return ""; }
  Result<std::unique_ptr<Store>> Make() {
    auto s = BERTH_TRY(EmbeddedStore::Open({}));
    return std::unique_ptr<Store>(std::move(s));
  }
};

struct EmbeddedDiskImpl {
  TempDir dir;
  bool Available() const { return true; }
  std::string SkipReason() const { return ""; }
  Result<std::unique_ptr<Store>> Make() {
    EmbeddedStore::Options o;
    o.dir = fs::Join(dir.path(), "discovery");
    o.snapshot_bytes = 4096;  // snapshots happen during the suite
    auto s = BERTH_TRY(EmbeddedStore::Open(o));
    return std::unique_ptr<Store>(std::move(s));
  }
};

// etcd (etcd_fixture.h): each test on a key prefix of its own.
struct EtcdImpl {
  bool Available() const;
  std::string SkipReason() const { return "no etcd binary (or it did not start)"; }
  Result<std::unique_ptr<Store>> Make();
};

using StoreImpls = ::testing::Types<EmbeddedMemoryImpl, EmbeddedDiskImpl, EtcdImpl>;

}  // namespace berth::discovery
