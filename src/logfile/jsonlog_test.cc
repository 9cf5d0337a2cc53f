#include "logfile/jsonlog.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "base/fs.h"

namespace berth::logfile {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/berth-logfile-test.XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { (void)fs::RemoveAll(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

std::vector<std::string> Lines(const std::string& path) {
  auto text = fs::ReadFile(path);
  EXPECT_TRUE(text.ok()) << path;
  std::vector<std::string> out;
  size_t start = 0;
  while (text.ok() && start < text->size()) {
    size_t nl = text->find('\n', start);
    out.push_back(text->substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

std::vector<Entry> ReadAll(ReadOptions o) {
  std::vector<Entry> out;
  auto st = Read(o, [&](const Entry& e) {
    out.push_back(e);
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.error().message();
  return out;
}

TEST(JsonString, EscapesAsGo) {
  EXPECT_EQ(Json("plain"), "\"plain\"");
  EXPECT_EQ(Json("a\"b\\c\n\r\t"), R"("a\"b\\c\n\r\t")");
  EXPECT_EQ(Json(std::string("\x00\x01\x1b\x7f", 4)), R"("\u0000\u0001\u001b)" "\x7f\"");
  EXPECT_EQ(Json("\b\f"), R"("\u0008\u000c")");
  EXPECT_EQ(Json("<a&b>"), R"("\u003ca\u0026b\u003e")");
  EXPECT_EQ(Json("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3"),
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3\"");
  EXPECT_EQ(Json("\xe2\x80\xa8\xe2\x80\xa9"), R"("\u2028\u2029")");
}

TEST(JsonString, InvalidUtf8BecomesReplacementPerByte) {
  EXPECT_EQ(Json("a\xff" "b"), R"("a\ufffdb")");
  EXPECT_EQ(Json("\xe2\x82"), R"("\ufffd\ufffd")");          // truncated
  EXPECT_EQ(Json("\xc0\xaf"), R"("\ufffd\ufffd")");          // overlong
  EXPECT_EQ(Json("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");  // surrogate
  EXPECT_EQ(Json("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF
  EXPECT_EQ(Json("\xe2\x82x"), R"("\ufffd\ufffdx")");
}

TEST(Time, ParsesRfc3339Nano) {
  EXPECT_EQ(*ParseRfc3339Nano("1970-01-01T00:00:01.000000002Z"), 1000000002);
  EXPECT_EQ(*ParseRfc3339Nano("1970-01-01T00:00:01.5Z"), 1500000000);
  EXPECT_EQ(*ParseRfc3339Nano("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(*ParseRfc3339Nano("2026-11-28T23:59:59.123456789Z"), 1795910399123456789);
  EXPECT_FALSE(ParseRfc3339Nano("yesterday").ok());
  EXPECT_FALSE(ParseRfc3339Nano("2026-11-28T23:59:59").ok());
}

TEST(Writer, LinesStreamsAndPartialLines) {
  TempDir d;
  std::string path = d.path() + "/c-json.log";
  auto w = Writer::Open({path});
  ASSERT_TRUE(w.ok()) << w.error().message();
  ASSERT_TRUE(w->Write("stdout", "hello\nwor").ok());
  ASSERT_TRUE(w->Write("stderr", "oops\n").ok());
  EXPECT_EQ(Lines(path).size(), 2u);
  ASSERT_TRUE(w->Write("stdout", "ld\n<&>").ok());
  ASSERT_TRUE(w->Flush().ok());
  auto lines = Lines(path);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].substr(0, 38), R"({"log":"hello\n","stream":"stdout","ti)");
  EXPECT_NE(lines[1].find(R"({"log":"oops\n","stream":"stderr","time":")"), std::string::npos);
  EXPECT_NE(lines[2].find(R"("log":"world\n")"), std::string::npos);
  EXPECT_NE(lines[3].find(R"("log":"\u003c\u0026\u003e","stream":"stdout")"), std::string::npos);

  auto entries = ReadAll({.path = path});
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].log, "hello\n");
  EXPECT_EQ(entries[1].stream, "stderr");
  EXPECT_EQ(entries[2].log, "world\n");
  EXPECT_EQ(entries[3].log, "<&>");
  EXPECT_GT(entries[0].time_nano, 0);
  EXPECT_EQ(entries[0].time.size(), 30u);  // 9 fractional digits, Z
}

TEST(Writer, SplitsLongLines) {
  TempDir d;
  std::string path = d.path() + "/log";
  auto w = Writer::Open({path});
  ASSERT_TRUE(w.ok());
  std::string big(40000, 'x');
  ASSERT_TRUE(w->Write("stdout", big.substr(0, 1000)).ok());
  ASSERT_TRUE(w->Write("stdout", big.substr(1000) + "\nnext\n").ok());
  auto e = ReadAll({.path = path});
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0].log.size(), 16384u);
  EXPECT_EQ(e[1].log.size(), 16384u);
  EXPECT_EQ(e[2].log, std::string(40000 - 2 * 16384, 'x') + "\n");
  EXPECT_EQ(e[3].log, "next\n");
}

TEST(Writer, RotatesAndDropsTheOldest) {
  TempDir d;
  std::string path = d.path() + "/log";
  auto w = Writer::Open({.path = path, .max_size = 300, .max_files = 3});
  ASSERT_TRUE(w.ok());
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(w->Write("stdout", "line " + std::to_string(i) + "\n").ok());
  EXPECT_TRUE(fs::Exists(path));
  EXPECT_TRUE(fs::Exists(path + ".1"));
  EXPECT_TRUE(fs::Exists(path + ".2"));
  EXPECT_FALSE(fs::Exists(path + ".3"));
  auto e = ReadAll({.path = path, .max_files = 3});
  ASSERT_GT(e.size(), 5u);
  ASSERT_LT(e.size(), 100u);
  EXPECT_EQ(e.back().log, "line 99\n");
  int first = 100 - static_cast<int>(e.size());
  for (size_t i = 0; i < e.size(); ++i)
    EXPECT_EQ(e[i].log, "line " + std::to_string(first + static_cast<int>(i)) + "\n");
}

TEST(Writer, MaxFilesOneTruncates) {
  TempDir d;
  std::string path = d.path() + "/log";
  auto w = Writer::Open({.path = path, .max_size = 200, .max_files = 1});
  ASSERT_TRUE(w.ok());
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(w->Write("stdout", "line " + std::to_string(i) + "\n").ok());
  EXPECT_FALSE(fs::Exists(path + ".1"));
  auto e = ReadAll({.path = path});
  ASSERT_FALSE(e.empty());
  EXPECT_LT(e.size(), 50u);
  EXPECT_EQ(e.back().log, "line 49\n");
}

TEST(Writer, OneWritePerCallAndLinesAcrossCalls) {
  TempDir d;
  std::string path = d.path() + "/log";
  auto w = Writer::Open({path});
  ASSERT_TRUE(w.ok());
  // Many lines in one call, a line cut across three calls, and both streams.
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "line " + std::to_string(i) + "\n";
  ASSERT_TRUE(w->Write("stdout", many + "cut ").ok());
  ASSERT_TRUE(w->Write("stderr", "err\nerr-partial").ok());
  ASSERT_TRUE(w->Write("stdout", "in ").ok());
  ASSERT_TRUE(w->Write("stdout", "three\nlast").ok());
  ASSERT_TRUE(w->Flush().ok());
  auto e = ReadAll({.path = path});
  ASSERT_EQ(e.size(), 1004u);
  EXPECT_EQ(Lines(path).size(), 1004u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(e[i].log, "line " + std::to_string(i) + "\n");
  EXPECT_EQ(e[999].time, e[0].time);  // one time stamp per call
  EXPECT_EQ(e[1000].log, "err\n");
  EXPECT_EQ(e[1000].stream, "stderr");
  EXPECT_EQ(e[1001].log, "cut in three\n");
  EXPECT_EQ(e[1001].stream, "stdout");
  // Flush: stdout's partial line, then stderr's.
  EXPECT_EQ(e[1002].log, "last");
  EXPECT_EQ(e[1003].log, "err-partial");
  EXPECT_EQ(e[1003].stream, "stderr");
}

TEST(Writer, BurstOfEmptyLinesIsWrittenInPieces) {
  TempDir d;
  std::string path = d.path() + "/log";
  auto w = Writer::Open({path});
  ASSERT_TRUE(w.ok());
  // 64 KiB of newlines: ~4 MB of objects, written in ~128 KiB pieces.
  ASSERT_TRUE(w->Write("stdout", std::string(65536, '\n')).ok());
  auto e = ReadAll({.path = path});
  ASSERT_EQ(e.size(), 65536u);
  for (const Entry& x : e) ASSERT_EQ(x.log, "\n");
}

TEST(Writer, RotatesInsideOneBatch) {
  TempDir d;
  std::string path = d.path() + "/log";
  auto w = Writer::Open({.path = path, .max_size = 1000, .max_files = 3});
  ASSERT_TRUE(w.ok());
  // One call with 40 lines (~80 bytes of JSON each): the batch is split
  // where the file reaches 1000 bytes, twice or more.
  std::string data;
  for (int i = 0; i < 40; ++i) data += "l" + std::to_string(100 + i) + "\n";
  ASSERT_TRUE(w->Write("stdout", data).ok());
  ASSERT_TRUE(fs::Exists(path + ".1"));
  ASSERT_TRUE(fs::Exists(path + ".2"));
  // Each rotated file holds whole objects and was cut at the first entry
  // that found it at or past max_size: below max_size plus one object.
  for (const std::string& f : {path + ".2", path + ".1"}) {
    auto text = fs::ReadFile(f);
    ASSERT_TRUE(text.ok());
    EXPECT_GE(text->size(), 1000u) << f;
    EXPECT_LT(text->size(), 1000u + 100u) << f;
    EXPECT_EQ(text->back(), '\n');
  }
  auto e = ReadAll({.path = path, .max_files = 3});
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e.back().log, "l139\n");
  int first = 140 - static_cast<int>(e.size());
  for (size_t i = 0; i < e.size(); ++i)
    EXPECT_EQ(e[i].log, "l" + std::to_string(first + static_cast<int>(i)) + "\n");
  // The same lines one call each rotate at the same places.
  TempDir d2;
  std::string path2 = d2.path() + "/log";
  auto w2 = Writer::Open({.path = path2, .max_size = 1000, .max_files = 3});
  ASSERT_TRUE(w2.ok());
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(w2->Write("stdout", "l" + std::to_string(100 + i) + "\n").ok());
  auto e2 = ReadAll({.path = path2, .max_files = 3});
  EXPECT_EQ(e2.size(), e.size());
  for (const char* suffix : {"", ".1", ".2"})
    EXPECT_EQ(Lines(path + suffix).size(), Lines(path2 + suffix).size()) << suffix;
}

TEST(JsonString, RunsAndEscapesMixed) {
  // Escapes at the start, the end and between runs of plain bytes and UTF-8.
  EXPECT_EQ(Json("\x01" "abc\xc3\xa9" "d\x7f\x1f"), R"("\u0001abc)" "\xc3\xa9" R"(d)" "\x7f" R"(\u001f")");
  EXPECT_EQ(Json("\xe2\x80\xa8x\xe2\x80\xa9"), R"("\u2028x\u2029")");
  EXPECT_EQ(Json("ok\xff\xfe\xe2\x80\xaa"), "\"ok\\ufffd\\ufffd\xe2\x80\xaa\"");
  EXPECT_EQ(Json("\xf0\x9f\x90"), R"("\ufffd\ufffd\ufffd")");  // cut at the end
  EXPECT_EQ(Json(""), R"("")");
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  std::string j = Json(all);
  // Every byte < 0x20 escaped, every byte >= 0x80 invalid alone.
  EXPECT_EQ(j.find('\x01'), std::string::npos);
  EXPECT_EQ(j.find('\x80'), std::string::npos);
}

// What the fast reader makes of a line, or nullopt when it leaves the line
// to nlohmann.
std::optional<Entry> Fast(std::string_view line) {
  Entry e;
  if (!internal::ParseDockerLine(line, e)) return std::nullopt;
  return e;
}

TEST(Reader, FastPathRoundTripsWhatTheWriterWrites) {
  TempDir d;
  std::string path = d.path() + "/log";
  auto w = Writer::Open({path});
  ASSERT_TRUE(w.ok());
  std::vector<std::string> lines = {
      "plain\n",
      std::string("nul\x00 ctl\x01\x1b\x7f tab\t cr\r\n", 21),
      "quote\" back\\ slash/ <tag> & amp\n",
      "utf8 caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3 \xe2\x80\xa8 \xe2\x80\xa9\n",
  };
  for (const auto& l : lines) ASSERT_TRUE(w->Write("stdout", l).ok());
  ASSERT_TRUE(w->Write("stderr", "bad \xff\xc0\xaf utf8\n").ok());
  auto raw = Lines(path);
  ASSERT_EQ(raw.size(), 5u);
  for (size_t i = 0; i < lines.size(); ++i) {
    auto e = Fast(raw[i]);
    ASSERT_TRUE(e.has_value()) << raw[i];
    EXPECT_EQ(e->log, lines[i]);
    EXPECT_EQ(e->stream, "stdout");
    EXPECT_EQ(e->time.size(), 30u);
  }
  auto e = Fast(raw[4]);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->log, "bad \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd utf8\n");
  EXPECT_EQ(e->stream, "stderr");
  auto all = ReadAll({.path = path});
  ASSERT_EQ(all.size(), 5u);
  for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(all[i].log, lines[i]);
}

TEST(Reader, FastPathDecodesEscapesAsJson) {
  const std::string t = R"(","stream":"stdout","time":"1970-01-01T00:00:01Z"})";
  auto log = [&](std::string_view body) -> std::optional<std::string> {
    auto e = Fast(R"({"log":")" + std::string(body) + t);
    if (!e) return std::nullopt;
    return e->log;
  };
  EXPECT_EQ(log(R"(\u0041\u00e9\u20ac\/\b\f)"), "A\xc3\xa9\xe2\x82\xac/\b\f");
  EXPECT_EQ(log(R"(\ud83d\udc33)"), "\xf0\x9f\x90\xb3");  // a surrogate pair
  EXPECT_EQ(log(R"(\u0000)"), std::string(1, '\0'));
  // Left to nlohmann: lone surrogates, bad escapes, raw control bytes,
  // invalid UTF-8, a cut string.
  EXPECT_FALSE(log(R"(\ud83d)"));
  EXPECT_FALSE(log(R"(\udc33x)"));
  EXPECT_FALSE(log(R"(\x41)"));
  EXPECT_FALSE(log(R"(\u12)"));
  EXPECT_FALSE(log("raw\ttab"));
  EXPECT_FALSE(log("bad\xff"));
  EXPECT_FALSE(Fast(R"({"log":"abc)"));
  // Other shapes: key order, extra keys, other streams, spaces.
  EXPECT_FALSE(Fast(R"({"stream":"stdout","log":"a","time":"1970-01-01T00:00:01Z"})"));
  EXPECT_FALSE(Fast(R"({"log":"a","stream":"stdout","time":"1970-01-01T00:00:01Z","attrs":{}})"));
  EXPECT_FALSE(Fast(R"({"log":"a","stream":"stdin","time":"1970-01-01T00:00:01Z"})"));
  EXPECT_FALSE(Fast(R"({"log": "a","stream":"stdout","time":"1970-01-01T00:00:01Z"})"));
  EXPECT_FALSE(Fast(R"({"log":"a","stream":"stdout","time":"1970-01-01T00:00:01Z"} )"));
}

TEST(Reader, UnusualLinesStillReadThroughNlohmann) {
  TempDir d;
  std::string path = d.path() + "/log";
  ASSERT_TRUE(fs::AtomicWrite(path,
                              R"({"stream":"stderr","log":"b\ud83d\udc33\n","time":"1970-01-01T00:00:02Z"})" "\n"
                              R"({ "log" : "c\n", "time" : "1970-01-01T00:00:03Z" })" "\n"
                              R"({"log":"d\n","stream":"stdout","time":"1970-01-01T00:00:04Z","attrs":{"a":"b"}})" "\n"
                              R"({"log":"lone\udc33","stream":"stdout","time":"1970-01-01T00:00:05Z"})" "\n"
                              R"({"log":"e\n","stream":"stdout","time":"1970-01-01T00:00:06.5Z"})" "\n",
                              0644, false)
                  .ok());
  auto e = ReadAll({.path = path});
  ASSERT_EQ(e.size(), 4u);  // the lone surrogate is rejected, as nlohmann does
  EXPECT_EQ(e[0].log, "b\xf0\x9f\x90\xb3\n");
  EXPECT_EQ(e[0].stream, "stderr");
  EXPECT_EQ(e[1].log, "c\n");
  EXPECT_EQ(e[1].stream, "stdout");
  EXPECT_EQ(e[2].log, "d\n");
  EXPECT_EQ(e[3].log, "e\n");
  EXPECT_EQ(e[3].time_nano, 6500000000);
  EXPECT_EQ(e[1].time_nano, 3000000000);
}

TEST(Reader, CaughtUpBeforeFollowWaits) {
  TempDir d;
  std::string path = d.path() + "/log";
  auto w = Writer::Open({path});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->Write("stdout", "a\nb\n").ok());
  std::vector<std::string> seen;
  int caught_up = 0;
  ReadOptions o{.path = path, .follow = true};
  o.stop = [&] { return caught_up > 0; };
  o.caught_up = [&] {
    ++caught_up;
    seen.push_back("|");
    return true;
  };
  auto st = Read(o, [&](const Entry& e) {
    seen.push_back(e.log);
    return true;
  });
  ASSERT_TRUE(st.ok());
  ASSERT_GE(seen.size(), 3u);
  EXPECT_EQ(seen[0], "a\n");
  EXPECT_EQ(seen[1], "b\n");
  EXPECT_EQ(seen[2], "|");
  // A false return ends the read.
  o.stop = nullptr;
  o.caught_up = [] { return false; };
  EXPECT_TRUE(Read(o, [](const Entry&) { return true; }).ok());
}

TEST(Reader, TailAcrossRotatedFiles) {
  TempDir d;
  std::string path = d.path() + "/log";
  auto w = Writer::Open({.path = path, .max_size = 250, .max_files = 4});
  ASSERT_TRUE(w.ok());
  for (int i = 0; i < 12; ++i)
    ASSERT_TRUE(w->Write("stdout", "l" + std::to_string(i) + "\n").ok());
  ASSERT_TRUE(fs::Exists(path + ".2"));
  for (int64_t n : {0, 1, 3, 7, 11, 12, 50}) {
    auto e = ReadAll({.path = path, .max_files = 4, .tail = n});
    ASSERT_EQ(static_cast<int64_t>(e.size()), std::min<int64_t>(n, 12)) << n;
    for (size_t i = 0; i < e.size(); ++i)
      EXPECT_EQ(e[i].log, "l" + std::to_string(12 - e.size() + i) + "\n");
  }
}

TEST(Reader, SinceUntilAndDamagedLines) {
  TempDir d;
  std::string path = d.path() + "/log";
  ASSERT_TRUE(fs::AtomicWrite(path,
                              R"({"log":"a\n","stream":"stdout","time":"1970-01-01T00:00:01Z"})" "\n"
                              "garbage\n"
                              R"({"log":"b\n","stream":"stderr","time":"1970-01-01T00:00:02Z"})" "\n"
                              R"({"log":"c\n","stream":"stdout","time":"1970-01-01T00:00:03Z"})" "\n",
                              0644, false)
                  .ok());
  auto all = ReadAll({.path = path});
  ASSERT_EQ(all.size(), 3u);
  auto e = ReadAll({.path = path, .since_nano = 2000000000});
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].log, "b\n");
  e = ReadAll({.path = path, .until_nano = 2000000000});
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[1].log, "b\n");
  e = ReadAll({.path = path, .tail = 1, .since_nano = 1});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].log, "c\n");
  // fn returning false stops.
  int n = 0;
  ASSERT_TRUE(Read({.path = path}, [&](const Entry&) { return ++n < 2; }).ok());
  EXPECT_EQ(n, 2);
  // A missing log is empty.
  EXPECT_TRUE(ReadAll({.path = d.path() + "/none"}).empty());
}

// A follow reader on a thread; the test waits (with a deadline) for entries.
class Follower {
 public:
  explicit Follower(ReadOptions o) {
    o.follow = true;
    o.stop = [this] { return stop_.load(); };
    thread_ = std::thread([this, o] {
      status_ = Read(o, [this](const Entry& e) {
        std::lock_guard<std::mutex> l(mu_);
        entries_.push_back(e);
        cv_.notify_all();
        return true;
      });
      done_ = true;
    });
  }
  ~Follower() { Stop(); }
  bool WaitFor(size_t n) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, std::chrono::seconds(10), [&] { return entries_.size() >= n; });
  }
  std::vector<Entry> Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    EXPECT_TRUE(status_.ok()) << status_.error().message();
    std::lock_guard<std::mutex> l(mu_);
    return entries_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
  Status status_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Entry> entries_;
  std::thread thread_;
};

TEST(Reader, FollowAcrossRotation) {
  TempDir d;
  std::string path = d.path() + "/log";
  auto w = Writer::Open({.path = path, .max_size = 200, .max_files = 3});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->Write("stdout", "before\n").ok());
  Follower f({.path = path, .max_files = 3, .tail = 1});
  ASSERT_TRUE(f.WaitFor(1));
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(w->Write(i % 2 ? "stderr" : "stdout", "f" + std::to_string(i) + "\n").ok());
    ASSERT_TRUE(f.WaitFor(static_cast<size_t>(i) + 2)) << i;
  }
  ASSERT_TRUE(fs::Exists(path + ".2"));
  auto e = f.Stop();
  ASSERT_EQ(e.size(), 31u);
  EXPECT_EQ(e[0].log, "before\n");
  for (int i = 0; i < 30; ++i) {
    EXPECT_EQ(e[static_cast<size_t>(i) + 1].log, "f" + std::to_string(i) + "\n");
    EXPECT_EQ(e[static_cast<size_t>(i) + 1].stream, i % 2 ? "stderr" : "stdout");
  }
}

TEST(Reader, FollowCompletesAPartialLine) {
  TempDir d;
  std::string path = d.path() + "/log";
  std::string first = R"({"log":"first\n","stream":"stdout","time":"2020-01-01T00:00:00Z"})";
  std::string line = R"({"log":"late\n","stream":"stdout","time":"2020-01-01T00:00:00.000000001Z"})";
  auto fd = fs::Open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  ASSERT_TRUE(fd.ok());
  ASSERT_TRUE(fs::WriteAll(fd->get(), first + "\n" + line.substr(0, 20)).ok());
  // Without follow, the incomplete last line is not an entry.
  EXPECT_EQ(ReadAll({.path = path}).size(), 1u);
  Follower f({.path = path});
  ASSERT_TRUE(f.WaitFor(1));  // read to the end: the partial line is pending
  ASSERT_TRUE(fs::WriteAll(fd->get(), line.substr(20) + "\n").ok());
  ASSERT_TRUE(f.WaitFor(2));
  auto e = f.Stop();
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[1].log, "late\n");
  EXPECT_EQ(e[1].time_nano, 1577836800000000001);
}

TEST(Reader, FollowWaitsForTheFile) {
  TempDir d;
  std::string path = d.path() + "/log";
  Follower f({.path = path});  // the file does not exist yet
  auto w = Writer::Open({path});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->Write("stdout", "hi\n").ok());
  ASSERT_TRUE(f.WaitFor(1));
  auto e = f.Stop();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].log, "hi\n");
}

TEST(Reader, FollowStopsAfterReadingToTheEnd) {
  TempDir d;
  std::string path = d.path() + "/log";
  auto w = Writer::Open({path});
  ASSERT_TRUE(w.ok());
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(w->Write("stdout", "x\n").ok());
  size_t n = 0;
  auto st = Read({.path = path, .follow = true, .stop = [] { return true; }},
                 [&](const Entry&) { return ++n > 0; });
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(n, 1000u);
}

}  // namespace
}  // namespace berth::logfile
