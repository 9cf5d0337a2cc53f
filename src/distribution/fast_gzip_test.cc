#include "distribution/fast_gzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <random>

namespace berth::distribution {
namespace {

std::string Random(size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint64_t v = rng();
    std::memcpy(s.data() + i, &v, 8);
  }
  return s;
}

std::string Text(size_t n) {
  std::string s;
  for (int i = 0; s.size() < n; ++i) s += "line " + std::to_string(i % 977) + " of a very compressible layer\n";
  s.resize(n);
  return s;
}

std::string Encode(const std::string& in, FastGzip* gz = nullptr) {
  FastGzip local;
  FastGzip& g = gz ? *gz : local;
  std::string out;
  for (size_t off = 0; off < in.size(); off += FastGzip::kSlice)
    EXPECT_TRUE(g.Slice(std::string_view(in).substr(off, FastGzip::kSlice), &out).ok());
  EXPECT_TRUE(g.Finish(&out).ok());
  return out;
}

std::string Gunzip(const std::string& in) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);
  std::string out;
  std::vector<char> buf(1 << 16);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf.data(), buf.size() - zs.avail_out);
  } while (rc == Z_OK);
  EXPECT_EQ(rc, Z_STREAM_END);
  EXPECT_EQ(zs.avail_in, 0u) << "trailing bytes after the gzip stream";
  inflateEnd(&zs);
  return out;
}

TEST(FastGzip, IncompressibleSlicesAreStoredAndReadBack) {
  std::string in = Random(20 * FastGzip::kSlice + 12345, 1);
  FastGzip g;
  std::string out = Encode(in, &g);
  EXPECT_EQ(g.stored_slices(), 21);
  EXPECT_EQ(g.deflated_slices(), 0);
  EXPECT_LT(out.size(), in.size() + in.size() / 100);
  EXPECT_EQ(Gunzip(out), in);
}

TEST(FastGzip, CompressibleSlicesAreCompressed) {
  std::string in = Text(6 * FastGzip::kSlice);
  FastGzip g;
  std::string out = Encode(in, &g);
  EXPECT_EQ(g.stored_slices(), 0);
  EXPECT_LT(out.size(), in.size() / 5);
  EXPECT_EQ(Gunzip(out), in);
}

TEST(FastGzip, MixedContentIsDeflatedWhereItShrinksAndIsDeterministic) {
  std::string text = Text(4 * FastGzip::kSlice);
  std::string in = Random(3 * FastGzip::kSlice, 2) + text + Random(2 * FastGzip::kSlice + 777, 3);
  FastGzip g;
  std::string a = Encode(in, &g);
  EXPECT_EQ(g.stored_slices(), 5);
  EXPECT_EQ(g.deflated_slices(), 5) << "the text, and the random slice after it once";
  EXPECT_LT(a.size(), in.size() - text.size() + text.size() / 5);
  EXPECT_EQ(Gunzip(a), in);
  EXPECT_EQ(Encode(in), a) << "same bytes, same blob";
}

TEST(FastGzip, EmptyInputIsAValidGzip) {
  std::string out = Encode("");
  EXPECT_EQ(Gunzip(out), "");
}

}  // namespace
}  // namespace berth::distribution
