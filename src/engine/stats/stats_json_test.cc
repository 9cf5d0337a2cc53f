#include "engine/stats/stats_json.h"

#include <gtest/gtest.h>

#include "base/fs.h"

namespace berth::engine::stats {
namespace {

using nlohmann::json;

TEST(StatsParse, ProcStat) {
  const char* text =
      "cpu  100 2 30 4000 5 6 7 8 9 10\n"
      "cpu0 50 1 15 2000 2 3 3 4 0 0\n"
      "intr 1 2 3\n";
  // user..softirq = 100+2+30+4000+5+6+7 = 4150 ticks at 100 Hz = 41.5 s.
  EXPECT_EQ(ParseSystemCpu(text, 100).value(), 41500000000ull);
  EXPECT_FALSE(ParseSystemCpu("cpu 1 2\n", 100).ok());
  EXPECT_FALSE(ParseSystemCpu("intr 1\n", 100).ok());
}

TEST(StatsParse, BlkioV1DropsTheTotalLine) {
  const char* text =
      "8:0 Read 4096\n8:0 Write 512\n8:0 Sync 0\n8:0 Async 4608\n8:0 Discard 0\n8:0 Total 4608\n"
      "Total 4608\n";
  auto e = ParseBlkioV1(text);
  ASSERT_EQ(e.size(), 6u);
  EXPECT_EQ(e[0], (BlkioEntry{8, 0, "Read", 4096}));
  EXPECT_EQ(e[5], (BlkioEntry{8, 0, "Total", 4608}));
}

TEST(StatsParse, IoStatV2) {
  std::vector<BlkioEntry> bytes, ios;
  ParseIoStatV2("8:0 rbytes=100 wbytes=200 rios=3 wios=4 dbytes=0 dios=0\n259:1 rbytes=1 wbytes=2\n",
                &bytes, &ios);
  ASSERT_EQ(bytes.size(), 4u);
  EXPECT_EQ(bytes[0], (BlkioEntry{8, 0, "read", 100}));
  EXPECT_EQ(bytes[1], (BlkioEntry{8, 0, "write", 200}));
  EXPECT_EQ(bytes[3], (BlkioEntry{259, 1, "write", 2}));
  ASSERT_EQ(ios.size(), 2u);
  EXPECT_EQ(ios[1], (BlkioEntry{8, 0, "write", 4}));
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/berth-stats-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { (void)fs::RemoveAll(path_); }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

void Put(const std::string& path, const std::string& text) {
  ASSERT_TRUE(fs::MkdirAll(fs::Dirname(path)).ok());
  ASSERT_TRUE(fs::AtomicWrite(path, text, 0644, false).ok());
}

TEST(StatsFiles, V1Hierarchies) {
  TempDir t;
  Put(t / "memory/memory.stat", "cache 4096\nrss 8192\ntotal_cache 4096\n");
  Put(t / "memory/memory.failcnt", "3\n");
  Put(t / "cpu/cpu.stat", "nr_periods 10\nnr_throttled 2\nthrottled_time 5000\n");
  Put(t / "blkio/blkio.throttle.io_service_bytes_recursive", "8:0 Read 1\nTotal 1\n");
  Sample s;
  ASSERT_TRUE(ReadCgroupFiles({{"memory", t / "memory"}, {"cpu,cpuacct", t / "cpu"},
                               {"blkio", t / "blkio"}, {"", t / "unified"}},
                              false, &s)
                  .ok());
  EXPECT_EQ(s.memory_stat["rss"], 8192u);
  EXPECT_EQ(s.memory_failcnt, 3u);
  EXPECT_EQ(s.throttled_periods, 2u);
  EXPECT_EQ(s.throttled_time_ns, 5000u);
  ASSERT_EQ(s.io_service_bytes.size(), 1u);
  EXPECT_TRUE(s.io_serviced.empty());  // missing file: no entries
}

TEST(StatsFiles, V2Tree) {
  TempDir t;
  Put(t / "cg/memory.stat", "anon 100\nfile 200\n");
  Put(t / "cg/cpu.stat", "usage_usec 10\nnr_periods 1\nnr_throttled 1\nthrottled_usec 7\n");
  Put(t / "cg/io.stat", "8:0 rbytes=1 wbytes=2 rios=3 wios=4\n");
  Sample s;
  ASSERT_TRUE(ReadCgroupFiles({{"", t / "cg"}}, true, &s).ok());
  EXPECT_EQ(s.memory_stat["file"], 200u);
  EXPECT_EQ(s.throttled_time_ns, 7000u);
  EXPECT_EQ(s.io_service_bytes.size(), 2u);
  EXPECT_EQ(s.io_serviced.size(), 2u);
}

Sample V1Sample() {
  Sample s;
  s.read = "2024-01-02T03:04:05.5Z";
  s.cg.memory = {1000, 2000, 0, 300};
  s.cg.cpu.usage_ns = 5000;
  s.cg.cpu.user_ns = 3000;
  s.cg.cpu.system_ns = 2000;
  s.cg.cpu.percpu_ns = {2500, 2500};
  s.cg.pids = {2, 0};
  s.memory_stat = {{"cache", 300}, {"rss", 700}};
  s.io_service_bytes = {{8, 0, "Read", 10}};
  s.system_cpu_ns = 900000;
  s.online_cpus = 2;
  s.machine_memory = 8ull << 30;
  return s;
}

TEST(StatsJson, FirstSampleV1) {
  Sample s = V1Sample();
  json j = ToJson(s, nullptr, "/web", "abc");
  EXPECT_EQ(j["read"], "2024-01-02T03:04:05.5Z");
  EXPECT_EQ(j["preread"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(j["name"], "/web");
  EXPECT_EQ(j["id"], "abc");
  EXPECT_EQ(j["num_procs"], 0);
  EXPECT_EQ(j["storage_stats"], json::object());
  EXPECT_FALSE(j.contains("networks"));
  EXPECT_EQ(j["pids_stats"], json({{"current", 2}}));
  EXPECT_EQ(j["blkio_stats"]["io_service_bytes_recursive"],
            json::parse(R"([{"major":8,"minor":0,"op":"Read","value":10}])"));
  EXPECT_TRUE(j["blkio_stats"]["io_serviced_recursive"].is_null());
  EXPECT_EQ(j["cpu_stats"]["cpu_usage"]["total_usage"], 5000);
  EXPECT_EQ(j["cpu_stats"]["cpu_usage"]["usage_in_usermode"], 3000);
  EXPECT_EQ(j["cpu_stats"]["cpu_usage"]["usage_in_kernelmode"], 2000);
  EXPECT_EQ(j["cpu_stats"]["cpu_usage"]["percpu_usage"], json({2500, 2500}));
  EXPECT_EQ(j["cpu_stats"]["system_cpu_usage"], 900000);
  EXPECT_EQ(j["cpu_stats"]["online_cpus"], 2);
  EXPECT_EQ(j["precpu_stats"]["cpu_usage"]["total_usage"], 0);
  EXPECT_FALSE(j["precpu_stats"].contains("system_cpu_usage"));
  EXPECT_EQ(j["memory_stats"]["usage"], 1000);
  EXPECT_EQ(j["memory_stats"]["max_usage"], 2000);
  EXPECT_EQ(j["memory_stats"]["limit"], 8ull << 30);  // no limit: the machine's memory
  EXPECT_EQ(j["memory_stats"]["stats"]["rss"], 700);
}

TEST(StatsJson, PreviousSampleAndV2) {
  Sample prev = V1Sample();
  Sample cur = V1Sample();
  cur.read = "2024-01-02T03:04:06.5Z";
  cur.v2 = true;
  cur.cg.cpu.usage_ns = 9000;
  cur.cg.cpu.percpu_ns.clear();
  cur.cg.memory.limit = 512u << 20;
  cur.memory_stat = {{"anon", 1}, {"file", 2}};
  json j = ToJson(cur, &prev, "/web", "abc");
  EXPECT_EQ(j["preread"], "2024-01-02T03:04:05.5Z");
  EXPECT_EQ(j["precpu_stats"]["cpu_usage"]["total_usage"], 5000);
  EXPECT_EQ(j["cpu_stats"]["cpu_usage"]["total_usage"], 9000);
  EXPECT_FALSE(j["cpu_stats"]["cpu_usage"].contains("percpu_usage"));
  EXPECT_FALSE(j["memory_stats"].contains("max_usage"));
  EXPECT_EQ(j["memory_stats"]["limit"], 512u << 20);
  EXPECT_EQ(j["memory_stats"]["stats"], json({{"anon", 1}, {"file", 2}}));
}

}  // namespace
}  // namespace berth::engine::stats
