#include "base/sha256.h"

#include <gtest/gtest.h>

namespace berth {
namespace {

TEST(Sha256Lite, KnownVectors) {
  EXPECT_EQ(Sha256LiteHex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256LiteHex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256LiteHex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256LiteHex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Lite, UpdateInPiecesAndPaddingEdges) {
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>(i * 7));
  // Every length around the 55/56/64-byte padding edges, fed in odd pieces,
  // equals the one-shot hash.
  for (size_t len : {0u, 1u, 55u, 56u, 57u, 63u, 64u, 65u, 119u, 120u, 128u, 300u}) {
    std::string_view d(data.data(), len);
    Sha256Lite h;
    for (size_t pos = 0; pos < len; pos += 13) h.Update(d.substr(pos, 13));
    auto a = h.Final();
    Sha256Lite one;
    one.Update(d);
    EXPECT_EQ(a, one.Final()) << len;
  }
  // Final resets.
  Sha256Lite h;
  h.Update("x");
  (void)h.Final();
  h.Update("abc");
  std::string hex;
  for (uint8_t b : h.Final()) hex += "0123456789abcdef"[b >> 4], hex += "0123456789abcdef"[b & 15];
  EXPECT_EQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace berth
