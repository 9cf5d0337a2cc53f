// The writer's encoding step: the escaper against a byte-at-a-time
// reference, the batch's line splitting, and the Writer across reads,
// partial lines, big reads and rotation.
#include "logfile/entry_encoder.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <random>
#include <string>
#include <vector>

#include "base/fs.h"
#include "logfile/json_escape.h"
#include "logfile/jsonlog.h"
#include "logfile/utf8.h"

namespace berth::logfile {
namespace {

using internal::EntryEncoder;
using internal::EscapedRoom;
using internal::EscapeLine;

// Go's encoding/json rules, one byte at a time (the escaper's reference).
std::string Reference(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = internal::Utf8Len(s, i);
      if (n == 3 && s.substr(i, 2) == "\xE2\x80" && (s[i + 2] == '\xA8' || s[i + 2] == '\xA9'))
        out += s[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      else if (n > 0)
        out.append(s.substr(i, n));
      else
        out += "\\ufffd", n = 1;
      i += n;
      continue;
    }
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == '<' || c == '>' || c == '&')
      out += std::string("\\u00") + kHex[c >> 4] + kHex[c & 0xF];
    else
      out.push_back(static_cast<char>(c));
    ++i;
  }
  return out;
}

// EscapeLine into a buffer of exactly EscapedRoom bytes plus a guard.
struct Escaped {
  std::string text;
  size_t taken;
};
Escaped Escape(std::string_view s) {
  size_t room = EscapedRoom(s.size());
  std::string buf(room + 8, '#');
  char* out = buf.data();
  size_t taken = EscapeLine(s, out);
  EXPECT_LE(static_cast<size_t>(out - buf.data()), room);
  EXPECT_EQ(buf.substr(room), "########") << "wrote past its room";
  return {std::string(buf.data(), out), taken};
}

TEST(EscapeLine, StopsAfterTheFirstNewline) {
  Escaped e = Escape("one\ntwo\n");
  EXPECT_EQ(e.taken, 4u);
  EXPECT_EQ(e.text, "one\\n");
  e = Escape("no newline");
  EXPECT_EQ(e.taken, 10u);
  EXPECT_EQ(e.text, "no newline");
  e = Escape("\n");
  EXPECT_EQ(e.taken, 1u);
  EXPECT_EQ(e.text, "\\n");
  EXPECT_EQ(Escape("").taken, 0u);
  // A newline behind 16-byte blocks, and one inside the first block.
  std::string long_line(40, 'a');
  e = Escape(long_line + "\nrest");
  EXPECT_EQ(e.taken, 41u);
  EXPECT_EQ(e.text, long_line + "\\n");
  e = Escape("abc\n" + long_line);
  EXPECT_EQ(e.taken, 4u);
}

TEST(EscapeLine, EverySpecialByteAtEveryOffset) {
  // Each byte that needs care, at each position of a 16-byte block and
  // across the block boundary, inside plain text.
  const std::vector<std::string> specials = {
      "\"", "\\", "\r", "\t", "\x01", "\x1f", "<", ">", "&", "\x7f",
      "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x90\xb3", "\xe2\x80\xa8", "\xe2\x80\xa9",
      "\xff", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\x80"};
  for (const std::string& sp : specials) {
    for (size_t at = 0; at < 40; ++at) {
      std::string s = std::string(at, 'x') + sp + std::string(37, 'y');
      Escaped e = Escape(s);
      EXPECT_EQ(e.taken, s.size()) << at;
      EXPECT_EQ(e.text, Reference(s)) << "special " << testing::PrintToString(sp) << " at " << at;
    }
  }
}

TEST(EscapeLine, RandomBytesMatchTheReference) {
  std::mt19937 rng(42);
  // Mostly printable, with control bytes, HTML characters and high bytes
  // (valid sequences and garbage) mixed in; no newline.
  const std::string alphabet =
      "abcdefghijklmnopqrstuvwxyz0123456789 \"\\<>&\t\r\x01\x7f\xc3\xa9\xe2\x80\xa8\xf0\x9f\x90\xb3\xff\x80";
  for (int round = 0; round < 2000; ++round) {
    size_t len = rng() % 100;
    std::string s;
    for (size_t i = 0; i < len; ++i) {
      char c = alphabet[rng() % alphabet.size()];
      if (c == '\n') c = ' ';
      s.push_back(c);
    }
    Escaped e = Escape(s);
    ASSERT_EQ(e.taken, s.size()) << testing::PrintToString(s);
    ASSERT_EQ(e.text, Reference(s)) << testing::PrintToString(s);
  }
}

TEST(EntryEncoder, LinesPartialsAndTheLimit) {
  EntryEncoder enc;
  enc.SetStreamAndTime("stdout", "T");
  EXPECT_EQ(enc.AddLine("a\nb\n", 100), 2u);
  EXPECT_EQ(enc.AddLine("b\n", 100), 2u);
  EXPECT_EQ(enc.data(),
            "{\"log\":\"a\\n\",\"stream\":\"stdout\",\"time\":\"T\"}\n"
            "{\"log\":\"b\\n\",\"stream\":\"stdout\",\"time\":\"T\"}\n");
  // No newline within data shorter than max: nothing added.
  size_t before = enc.size();
  EXPECT_EQ(enc.AddLine("partial", 100), 0u);
  EXPECT_EQ(enc.AddLine("", 100), 0u);
  EXPECT_EQ(enc.size(), before);
  // No newline within max bytes: the first max bytes are an entry.
  enc.Clear();
  enc.SetStreamAndTime("stderr", "U");
  EXPECT_EQ(enc.AddLine("abcdefgh\n", 4), 4u);
  EXPECT_EQ(enc.AddLine("efgh\n", 4), 4u);
  EXPECT_EQ(enc.AddLine("\n", 4), 1u);
  EXPECT_EQ(enc.data(),
            "{\"log\":\"abcd\",\"stream\":\"stderr\",\"time\":\"U\"}\n"
            "{\"log\":\"efgh\",\"stream\":\"stderr\",\"time\":\"U\"}\n"
            "{\"log\":\"\\n\",\"stream\":\"stderr\",\"time\":\"U\"}\n");
  // A whole entry with escapes; a partial one without its newline.
  enc.Clear();
  enc.AddEntry("<x>");
  EXPECT_EQ(enc.data(), "{\"log\":\"\\u003cx\\u003e\",\"stream\":\"stderr\",\"time\":\"U\"}\n");
}

TEST(EntryEncoder, GrowsKeepsWhatItHasAndReleases) {
  EntryEncoder enc;
  enc.SetStreamAndTime("stdout", "T");
  std::string expect;
  for (int i = 0; i < 20000; ++i) {
    std::string line = "line " + std::to_string(i) + "\n";
    ASSERT_EQ(enc.AddLine(line, 16384), line.size());
    expect += "{\"log\":\"line " + std::to_string(i) + "\\n\",\"stream\":\"stdout\",\"time\":\"T\"}\n";
  }
  EXPECT_EQ(enc.data(), expect);
  EXPECT_GE(enc.capacity(), expect.size());
  enc.Release();
  EXPECT_EQ(enc.size(), 0u);
  EXPECT_EQ(enc.capacity(), 0u);
  EXPECT_EQ(enc.AddLine("again\n", 100), 6u);
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/berth-encoder-test.XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { (void)fs::RemoveAll(path_); }
  std::string File(const char* name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::vector<Entry> ReadAll(const std::string& path, int max_files = 1) {
  std::vector<Entry> out;
  auto st = Read({.path = path, .max_files = max_files}, [&](const Entry& e) {
    out.push_back(e);
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.error().message();
  return out;
}

// The same bytes cut into reads at every size from 1 to 40 give the same
// entries (a line is never split by a read boundary, UTF-8 cut between two
// reads stays valid).
TEST(WriterSplitting, ReadBoundariesDoNotChangeTheEntries) {
  std::string data = "plain\n\"quoted\" <html> &\n" "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3\n"
                     "\xe2\x80\xa8 sep\n\xff bad\n\ttab\r\n\n" + std::string(50, 'z') + "\nend";
  std::vector<std::string> want;
  for (size_t chunk = 1; chunk <= 40; ++chunk) {
    TempDir d;
    auto w = Writer::Open({d.File("log")});
    ASSERT_TRUE(w.ok());
    for (size_t i = 0; i < data.size(); i += chunk)
      ASSERT_TRUE(w->Write("stdout", std::string_view(data).substr(i, chunk)).ok());
    ASSERT_TRUE(w->Flush().ok());
    std::vector<std::string> got;
    for (const Entry& e : ReadAll(d.File("log"))) got.push_back(e.log);
    if (chunk == 1) {
      want = got;
      ASSERT_EQ(want.size(), 9u);
      EXPECT_EQ(want[2], "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3\n");
      EXPECT_EQ(want[4], "\xef\xbf\xbd bad\n");  // read back as U+FFFD
      EXPECT_EQ(want[8], "end");
    }
    EXPECT_EQ(got, want) << "reads of " << chunk << " bytes";
  }
}

TEST(WriterSplitting, LongLinesSplitAt16KiBWhateverTheReads) {
  // 40000 bytes without a newline, then a newline: pieces of 16384, 16384
  // and the rest with its "\n", in one read and in reads of 5000.
  std::string line(40000, 'x');
  line += "\n";
  for (size_t chunk : {line.size(), size_t{5000}, size_t{16384}}) {
    TempDir d;
    auto w = Writer::Open({d.File("log")});
    ASSERT_TRUE(w.ok());
    for (size_t i = 0; i < line.size(); i += chunk)
      ASSERT_TRUE(w->Write("stdout", std::string_view(line).substr(i, chunk)).ok());
    auto e = ReadAll(d.File("log"));
    ASSERT_EQ(e.size(), 3u) << chunk;
    EXPECT_EQ(e[0].log.size(), 16384u);
    EXPECT_EQ(e[1].log.size(), 16384u);
    EXPECT_EQ(e[2].log, std::string(40000 - 2 * 16384, 'x') + "\n");
  }
}

TEST(WriterSplitting, BigReadsAcrossRotation) {
  // 4 MiB of 71-byte lines in 1 MiB reads (what one read of a busy
  // container brings), a file limit of 300 KB and 5 files: every rotated
  // file holds whole entries and was cut at the first entry that found it
  // full; the entries kept are the last ones, in order.
  const std::string line = "0123456789012345678901234567890123456789012345678901234567890123456789\n";
  std::string data;
  for (int i = 0; data.size() < (4u << 20); ++i) {
    std::string n = std::to_string(i);
    data += n + " " + line.substr(n.size() + 1);
  }
  TempDir d;
  std::string path = d.File("log");
  auto w = Writer::Open({.path = path, .max_size = 300000, .max_files = 5});
  ASSERT_TRUE(w.ok());
  for (size_t i = 0; i < data.size(); i += 1 << 20)
    ASSERT_TRUE(w->Write("stdout", std::string_view(data).substr(i, 1 << 20)).ok());
  ASSERT_TRUE(w->Flush().ok());
  for (const char* suffix : {".1", ".2", ".3", ".4"}) {
    auto text = fs::ReadFile(path + suffix);
    ASSERT_TRUE(text.ok()) << suffix;
    EXPECT_GE(text->size(), 300000u) << suffix;
    EXPECT_LT(text->size(), 300000u + 200u) << suffix;
    EXPECT_EQ(text->back(), '\n') << suffix;
  }
  EXPECT_FALSE(fs::Exists(path + ".5"));
  auto e = ReadAll(path, 5);
  ASSERT_GT(e.size(), 4u * 300000 / 150);
  // The last entry is the last (partial) line; before it whole lines in order.
  size_t last_nl = data.rfind('\n', data.size() - 2);
  EXPECT_EQ(e.back().log, data.substr(last_nl + 1));
  int first = std::stoi(e.front().log);
  for (size_t i = 0; i + 1 < e.size(); ++i) {
    ASSERT_EQ(std::stoi(e[i].log), first + static_cast<int>(i)) << i;
    ASSERT_EQ(e[i].log.size(), 71u);
  }
}

TEST(WriterSplitting, StreamsKeepTheirOwnPartialLines) {
  TempDir d;
  auto w = Writer::Open({d.File("log")});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->Write("stdout", "out-a").ok());
  ASSERT_TRUE(w->Write("stderr", "err-a").ok());
  ASSERT_TRUE(w->Write("stdout", "-b\nout-c\n").ok());
  ASSERT_TRUE(w->Write("stderr", "-b\n").ok());
  auto e = ReadAll(d.File("log"));
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].log, "out-a-b\n");
  EXPECT_EQ(e[0].stream, "stdout");
  EXPECT_EQ(e[1].log, "out-c\n");
  EXPECT_EQ(e[2].log, "err-a-b\n");
  EXPECT_EQ(e[2].stream, "stderr");
}

}  // namespace
}  // namespace berth::logfile
