#include "cli/credential_helper.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "base/fs.h"
#include "cli/config_file.h"

namespace berth::cli {
namespace {

// A helper in shell keeping one file per server under $dir/store.
constexpr const char* kFake = R"SH(#!/bin/sh
store="$(dirname "$0")/store"
mkdir -p "$store"
case "$1" in
get)
  read -r url
  f="$store/$(echo "$url" | tr '/:' '__')"
  if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
store)
  json="$(cat)"
  url="$(echo "$json" | sed 's/.*"ServerURL":"\([^"]*\)".*/\1/')"
  echo "$json" >"$store/$(echo "$url" | tr '/:' '__')" ;;
erase)
  read -r url
  rm -f "$store/$(echo "$url" | tr '/:' '__')" ;;
*) echo "unknown action $1"; exit 3 ;;
esac
)SH";

class CredentialHelperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-credhelper-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_TRUE(fs::AtomicWrite(dir_ + "/docker-credential-fake", kFake, 0755).ok());
    ASSERT_EQ(chmod((dir_ + "/docker-credential-fake").c_str(), 0755), 0);
    const char* p = getenv("PATH");
    old_path_ = p ? p : "";
    setenv("PATH", (dir_ + ":" + old_path_).c_str(), 1);
  }
  void TearDown() override {
    setenv("PATH", old_path_.c_str(), 1);
    (void)fs::RemoveAll(dir_);
  }
  std::string dir_, old_path_;
};

TEST_F(CredentialHelperTest, StoreGetErase) {
  auto none = credhelper::Get("fake", "127.0.0.1:5000");
  ASSERT_TRUE(none.ok()) << none.error().message();
  EXPECT_FALSE(*none);
  ASSERT_TRUE(credhelper::Store("fake", {"127.0.0.1:5000", "alice", "s3cret"}).ok());
  auto got = credhelper::Get("fake", "127.0.0.1:5000");
  ASSERT_TRUE(got.ok() && *got);
  EXPECT_EQ((*got)->username, "alice");
  EXPECT_EQ((*got)->secret, "s3cret");
  ASSERT_TRUE(credhelper::Erase("fake", "127.0.0.1:5000").ok());
  EXPECT_FALSE(*credhelper::Get("fake", "127.0.0.1:5000"));
  EXPECT_TRUE(credhelper::Erase("fake", "127.0.0.1:5000").ok());
}

TEST_F(CredentialHelperTest, MissingOrFailingHelperIsAClearError) {
  auto r = credhelper::Get("nosuch", "x");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("docker-credential-nosuch\": executable file not found in $PATH"),
            std::string::npos)
      << r.error().message();
  auto bad = credhelper::Run("fake", "frobnicate", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "unknown action frobnicate");
}

TEST_F(CredentialHelperTest, ConfigFileUsesCredHelpersThenCredsStore) {
  ASSERT_TRUE(fs::AtomicWrite(dir_ + "/config.json",
                            R"({"credsStore": "nosuch", "credHelpers": {"reg.example:5000": "fake"}})", 0600)
                  .ok());
  auto cfg = ConfigFile::Load(dir_);
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->HelperFor("reg.example:5000"), "fake");
  EXPECT_EQ(cfg->HelperFor("other:5000"), "nosuch");
  ASSERT_TRUE(cfg->Store("http://reg.example:5000/", "bob", "pw").ok());
  ASSERT_TRUE(cfg->Save().ok());
  auto text = fs::ReadFile(dir_ + "/config.json");
  auto j = nlohmann::json::parse(*text);
  EXPECT_EQ(j["auths"]["reg.example:5000"], nlohmann::json::object()) << "no secret in the file";
  auto again = ConfigFile::Load(dir_);
  auto c = again->Get("reg.example:5000");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "bob");
  EXPECT_EQ(c->password, "pw");
  EXPECT_FALSE(again->Lookup("other:5000").ok()) << "credsStore's helper is missing";
  EXPECT_FALSE(again->Store("other:5000", "x", "y").ok());
  Status erased;
  EXPECT_TRUE(again->Remove("reg.example:5000", &erased));
  EXPECT_TRUE(erased.ok());
  EXPECT_FALSE(again->Get("reg.example:5000"));
}

}  // namespace
}  // namespace berth::cli
