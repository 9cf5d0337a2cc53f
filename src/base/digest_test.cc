#include "base/digest.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "base/fs.h"

namespace berth {
namespace {

constexpr char kEmpty[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kAbc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST(Digest, HmacSha256Rfc4231) {
  // RFC 4231 test case 2, and case 6 (a key longer than the block).
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HmacSha256Hex(std::string(131, '\xaa'),
                          "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(HmacSha256("Jefe", "what do ya want for nothing?").size(), 32u);
}

TEST(Digest, ParseValid) {
  auto d = Digest::Parse(std::string("sha256:") + kAbc);
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->algorithm(), "sha256");
  EXPECT_EQ(d->hex(), kAbc);
  EXPECT_EQ(d->str(), std::string("sha256:") + kAbc);
  EXPECT_EQ(d->ShortId(), "ba7816bf8f01");
}

TEST(Digest, ParseErrorsMatchGoDigest) {
  struct Case {
    std::string in;
    std::string err;
  };
  const std::string upper =
      "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
  const Case cases[] = {
      {"", "invalid checksum digest format"},
      {"sha256", "invalid checksum digest format"},
      {"sha256:", "invalid checksum digest format"},
      {":abc", "invalid checksum digest format"},
      {"sha256:abc", "invalid checksum digest length"},
      {"sha256:" + std::string(kAbc) + "0", "invalid checksum digest length"},
      {upper, "invalid checksum digest format"},
      {"sha256:" + std::string(63, 'a') + "g", "invalid checksum digest format"},
      {"md5:0123456789abcdef0123456789abcdef", "unsupported digest algorithm"},
      {"sha1:abcd", "unsupported digest algorithm"},
      {"1sha:abcd", "invalid checksum digest format"},
      {"sha+:abcd", "invalid checksum digest format"},
      {"md5:ab/cd", "invalid checksum digest format"},
  };
  for (const auto& c : cases) {
    auto d = Digest::Parse(c.in);
    ASSERT_FALSE(d.ok()) << c.in;
    EXPECT_EQ(d.error().message(), c.err) << c.in;
    EXPECT_EQ(d.error().code(), Code::kInvalidArgument);
  }
}

TEST(Digest, FromHexAndIds) {
  EXPECT_TRUE(Digest::FromHex(kAbc).ok());
  EXPECT_FALSE(Digest::FromHex("abc").ok());
  EXPECT_TRUE(IsFullHexId(kAbc));
  EXPECT_FALSE(IsFullHexId(std::string("sha256:") + kAbc));
  EXPECT_EQ(ShortId(std::string("sha256:") + kAbc), "ba7816bf8f01");
  EXPECT_EQ(ShortId("abc"), "abc");
  EXPECT_TRUE(Digest().empty());
  EXPECT_EQ(Digest().str(), "");
}

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(Sha256Of("").hex(), kEmpty);
  EXPECT_EQ(Sha256Of("abc").hex(), kAbc);
}

TEST(Sha256, StreamingEqualsOneShot) {
  std::string data(100000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31);
  Sha256 h;
  for (size_t off = 0; off < data.size(); off += 4097)
    h.Update(std::string_view(data).substr(off, 4097));
  EXPECT_EQ(h.size(), data.size());
  EXPECT_EQ(h.Final(), Sha256Of(data));
  // Final resets the hasher.
  h.Update("abc");
  EXPECT_EQ(h.Final().hex(), kAbc);
}

TEST(Sha256, File) {
  char tmpl[] = "/tmp/berth-digest-test.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  ASSERT_TRUE(fs::AtomicWrite(dir + "/f", "abc").ok());
  auto d = Sha256File(dir + "/f");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->hex(), kAbc);
  auto missing = Sha256File(dir + "/missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
  EXPECT_NE(missing.error().message().find(dir + "/missing"), std::string::npos);
  ASSERT_TRUE(fs::RemoveAll(dir).ok());
}

}  // namespace
}  // namespace berth
