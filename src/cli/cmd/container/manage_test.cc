// Unit tests of the manage group's pure parts: ps rows, ports, command
// truncation, ages, logs time arguments, cp paths and the docker cp
// decision table, stats numbers, update values.
#include <gtest/gtest.h>

#include "cli/cmd/container/cp_path.h"
#include "cli/cmd/container/manage_commands.h"
#include "cli/cmd/container/manage_update.h"
#include "cli/cmd/container/ps_rows.h"
#include "cli/cmd/container/stats_calc.h"
#include "cli/units.h"

namespace berth::cli {
namespace {

using client::json;

constexpr int64_t kNow = 1700000000;

TEST(PsCommand, QuotesAndTruncates) {
  struct Case {
    std::string in;
    bool trunc;
    std::string want;
  } cases[] = {
      {"true", true, "\"true\""},
      {"sh -c 'while true; do echo hi; done'", true, "\"sh -c 'while true; …\""},
      {"sh -c 'while true; do echo hi; done'", false, "\"sh -c 'while true; do echo hi; done'\""},
      {"12345678901234567890", true, "\"12345678901234567890\""},
      {"123456789012345678901", true, "\"1234567890123456789…\""},
      {"echo \"a\"\tb", false, "\"echo \\\"a\\\"\\tb\""},
      {"echo héllo wörld ünïcode", true, "\"echo héllo wörld ün…\""},
      {"", true, "\"\""},
  };
  for (const auto& c : cases) EXPECT_EQ(PsCommand(c.in, c.trunc), c.want) << c.in;
}

TEST(DisplayablePorts, Table) {
  struct Case {
    const char* ports;
    const char* want;
  } cases[] = {
      {R"([])", ""},
      {R"([{"PrivatePort":80,"Type":"tcp"}])", "80/tcp"},
      {R"([{"IP":"0.0.0.0","PrivatePort":80,"PublicPort":8080,"Type":"tcp"}])", "0.0.0.0:8080->80/tcp"},
      {R"([{"IP":"0.0.0.0","PrivatePort":80,"PublicPort":80,"Type":"tcp"}])", "0.0.0.0:80->80/tcp"},
      {R"([{"IP":"::","PrivatePort":80,"PublicPort":8080,"Type":"tcp"}])", "[::]:8080->80/tcp"},
      {R"([{"PrivatePort":8002,"Type":"tcp"},{"PrivatePort":8000,"Type":"tcp"},{"PrivatePort":8001,"Type":"tcp"}])",
       "8000-8002/tcp"},
      {R"([{"IP":"0.0.0.0","PrivatePort":9000,"PublicPort":9000,"Type":"tcp"},
           {"IP":"0.0.0.0","PrivatePort":9001,"PublicPort":9001,"Type":"tcp"}])",
       "0.0.0.0:9000-9001->9000-9001/tcp"},
      {R"([{"PrivatePort":80,"Type":"tcp"},{"IP":"0.0.0.0","PrivatePort":80,"PublicPort":8080,"Type":"tcp"},
           {"PrivatePort":443,"Type":"tcp"}])",
       "80/tcp, 443/tcp, 0.0.0.0:8080->80/tcp"},
      {R"([{"PrivatePort":53,"Type":"udp"},{"PrivatePort":53,"Type":"tcp"}])", "53/tcp, 53/udp"},
      {R"([{"PrivatePort":1,"Type":"tcp"},{"PrivatePort":3,"Type":"tcp"},{"PrivatePort":4,"Type":"tcp"}])",
       "1/tcp, 3-4/tcp"},
  };
  for (const auto& c : cases) EXPECT_EQ(DisplayablePorts(json::parse(c.ports)), c.want) << c.ports;
}

TEST(PsColumns, NamesImageSize) {
  EXPECT_EQ(PsNames(json::parse(R"(["/web"])"), true), "web");
  EXPECT_EQ(PsNames(json::parse(R"(["/other/alias","/web"])"), true), "web");
  EXPECT_EQ(PsNames(json::parse(R"(["/other/alias","/web"])"), false), "other/alias,web");
  std::string id = "sha256:76b467d137b45cf1fbf5c49d8f1d01a97fab11266e74f452379f8d967915b84c";
  EXPECT_EQ(PsImage("busybox", id, true), "busybox");
  EXPECT_EQ(PsImage("busybox:1.36", id, true), "busybox:1.36");
  EXPECT_EQ(PsImage(id, id, true), "76b467d137b4");
  EXPECT_EQ(PsImage(id, id, false), id);
  EXPECT_EQ(PsImage("busybox@sha256:" + std::string(64, 'a'), id, true), "busybox");
  EXPECT_EQ(PsImage("", id, true), "<no image>");
  EXPECT_EQ(PsSize(0, 1980000), "0B (virtual 1.98MB)");
  EXPECT_EQ(PsSize(12, 0), "12B");
  EXPECT_EQ(PsSize(1500, 2000000), "1.5kB (virtual 2MB)");
}

json Container() {
  return json::parse(R"({
    "Id":"fc5c246629aa4ad2c856f0d49ab0a43e7ff96670ae34473ce3745146cfd32e2f",
    "Names":["/web"], "Image":"busybox", "ImageID":"sha256:76b467d137b4",
    "Command":"sh -c 'while true; do echo; done'", "Created":1699999880,
    "Ports":[{"IP":"0.0.0.0","PrivatePort":80,"PublicPort":8080,"Type":"tcp"}],
    "Labels":{"c":"d","a":"b"}, "State":"running", "Status":"Up 2 minutes",
    "SizeRw":0, "SizeRootFs":1980000,
    "NetworkSettings":{"Networks":{"none":{},"bridge":{}}},
    "Mounts":[{"Name":"0123456789abcdef0123","Source":"/x","Driver":"local"},{"Source":"/host/dir"}]})");
}

TEST(ContainerRows, Fields) {
  json list = json::array({Container()});
  auto set = ContainerRows(list, true, kNow);
  ASSERT_EQ(set.rows.rows.size(), 1u);
  const auto& r = set.rows.rows[0];
  EXPECT_EQ(r["ID"], "fc5c246629aa");
  EXPECT_EQ(r["Names"], "web");
  EXPECT_EQ(r["RunningFor"], "2 minutes ago");
  EXPECT_EQ(r["Status"], "Up 2 minutes");
  EXPECT_EQ(r["Ports"], "0.0.0.0:8080->80/tcp");
  EXPECT_EQ(r["Labels"], "a=b,c=d");
  EXPECT_EQ(r["Networks"], "bridge,none");
  EXPECT_EQ(r["Mounts"], "0123456789abcd…,/host/dir");
  EXPECT_EQ(r["LocalVolumes"], "1");
  EXPECT_EQ(r["Size"], "0B (virtual 1.98MB)");
}

TEST(RenderContainers, TableLabelAndErrors) {
  json list = json::array({Container()});
  auto set = ContainerRows(list, true, kNow);
  auto out = RenderContainers("table {{.ID}}\\t{{.Status}}\\t{{.Names}}", set);
  ASSERT_TRUE(out.ok()) << out.error().message();
  EXPECT_EQ(*out,
            "CONTAINER ID   STATUS         NAMES\n"
            "fc5c246629aa   Up 2 minutes   web\n");
  out = RenderContainers("{{.Names}} {{.Label \"a\"}}|{{.Label \"zz\"}}|{{.Labels}}", set);
  ASSERT_TRUE(out.ok()) << out.error().message();
  EXPECT_EQ(*out, "web b||a=b,c=d\n");
  out = RenderContainers("table {{.Label \"a\"}}\t{{.Names}}", set);
  ASSERT_TRUE(out.ok()) << out.error().message();
  EXPECT_EQ(*out, "a         NAMES\nb         web\n");
  out = RenderContainers("{{.Foo}}", set);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().message(),
            "failed to execute template: template: :1:2: executing \"\" at <.Foo>: can't evaluate field Foo in "
            "type *formatter.ContainerContext");
  out = RenderContainers("{{.ID", set);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().message().rfind("failed to parse template: ", 0), 0u) << out.error().message();
}

TEST(Ago, HumanDurations) {
  struct Case {
    int64_t secs;
    const char* want;
  } cases[] = {
      {0, "Less than a second ago"}, {1, "1 second ago"},        {59, "59 seconds ago"},
      {60, "About a minute ago"},    {119, "About a minute ago"}, {120, "2 minutes ago"},
      {3599, "59 minutes ago"},      {3600, "About an hour ago"}, {2 * 3600, "2 hours ago"},
      {47 * 3600, "47 hours ago"},   {49 * 3600, "2 days ago"},   {14 * 86400, "2 weeks ago"},
      {70 * 86400, "2 months ago"},  {800 * 86400, "2 years ago"},
  };
  for (const auto& c : cases) EXPECT_EQ(Since(kNow - c.secs, kNow), c.want) << c.secs;
}

TEST(LogsTime, GetTimestamp) {
  struct Case {
    const char* in;
    const char* want;
  } cases[] = {
      {"", ""},
      {"1700000000", "1700000000"},
      {"1700000000.5", "1700000000.5"},
      {"10m", "1699999400.000000000"},
      {"1h30m", "1699994600.000000000"},
      {"1.5s", "1699999998.500000000"},
      {"2023-11-14T22:13:20Z", "1700000000.000000000"},
      {"2023-11-14T22:13:20.25Z", "1700000000.250000000"},
  };
  for (const auto& c : cases) {
    auto r = GetTimestamp(c.in, kNow);
    ASSERT_TRUE(r.ok()) << c.in << ": " << r.error().message();
    EXPECT_EQ(*r, c.want) << c.in;
  }
  auto bad = GetTimestamp("xx", kNow);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "failed to parse value as time or duration: \"xx\"");
}

TEST(CpPath, SplitArg) {
  struct Case {
    const char* arg;
    const char* ctr;
    const char* path;
  } cases[] = {
      {"web:/etc/hosts", "web", "/etc/hosts"}, {"web:", "web", ""},          {"/abs/a:b", "", "/abs/a:b"},
      {"./file:name", "", "./file:name"},      {"file", "", "file"},         {"-", "", "-"},
      {"web:rel/path", "web", "rel/path"},     {"../x:y", "", "../x:y"},
  };
  for (const auto& c : cases) {
    auto a = cp::SplitCpArg(c.arg);
    EXPECT_EQ(a.container, c.ctr) << c.arg;
    EXPECT_EQ(a.path, c.path) << c.arg;
  }
}

TEST(CpPath, SplitAndResolve) {
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(cp::SplitPathDirEntry("/a/b"), P("/a", "b"));
  EXPECT_EQ(cp::SplitPathDirEntry("/a/b/"), P("/a", "b"));
  EXPECT_EQ(cp::SplitPathDirEntry("/a/b/."), P("/a/b", "."));
  EXPECT_EQ(cp::SplitPathDirEntry("/"), P("/", "/"));
  EXPECT_EQ(cp::SplitPathDirEntry("b"), P(".", "b"));
  EXPECT_EQ(cp::ResolveLocalPath("dir/.", "/home/u"), "/home/u/dir/.");
  EXPECT_EQ(cp::ResolveLocalPath("../x/", "/home/u"), "/home/x/");
  EXPECT_EQ(cp::ResolveLocalPath("/tmp//f", "/home/u"), "/tmp/f");
  EXPECT_EQ(cp::GetRebaseName("/a/link/", "/a/target"), P("/a/target/", "link"));
  EXPECT_EQ(cp::GetRebaseName("/a/link/.", "/a/target"), P("/a/target/.", ""));
  EXPECT_EQ(cp::GetRebaseName("/a/link", "/a/b/link"), P("/a/b/link", ""));
  EXPECT_TRUE(cp::AssertsDirectory("/x/"));
  EXPECT_TRUE(cp::AssertsDirectory("/x/."));
  EXPECT_FALSE(cp::AssertsDirectory("/x"));
}

// docker cp's decision table: where the archive goes and how its top entry
// is renamed, for each kind of source and destination.
TEST(CpPath, DecisionTable) {
  struct Case {
    const char* what;
    cp::CopyInfo src, dst;
    bool ok;
    const char* dst_dir;
    const char* old_base;
    const char* new_base;
    const char* error;
  } cases[] = {
      {"file into existing dir", {"/s/f", true, false, ""}, {"/d", true, true, ""}, true, "/d", "", "", ""},
      {"dir into existing dir", {"/s/dir", true, true, ""}, {"/d", true, true, ""}, true, "/d", "", "", ""},
      {"dir contents into existing dir", {"/s/dir/.", true, true, ""}, {"/d", true, true, ""}, true, "/d", "", "", ""},
      {"file over existing file", {"/s/f", true, false, ""}, {"/d/g", true, false, ""}, true, "/d", "f", "g", ""},
      {"dir over existing file", {"/s/dir", true, true, ""}, {"/d/g", true, false, ""}, false, "", "", "", "cannot copy directory"},
      {"dir to new path", {"/s/dir", true, true, ""}, {"/d/new", false, false, ""}, true, "/d", "dir", "new", ""},
      {"dir contents to new path", {"/s/dir/.", true, true, ""}, {"/d/new", false, false, ""}, true, "/d", ".", "new", ""},
      {"dir to new path with slash", {"/s/dir", true, true, ""}, {"/d/new/", false, false, ""}, true, "/d", "dir", "new", ""},
      {"file to new path with slash", {"/s/f", true, false, ""}, {"/d/new/", false, false, ""}, false, "", "", "", "no such directory"},
      {"file to new path with /.", {"/s/f", true, false, ""}, {"/d/new/.", false, false, ""}, false, "", "", "", "no such directory"},
      {"file to new path", {"/s/f", true, false, ""}, {"/d/new", false, false, ""}, true, "/d", "f", "new", ""},
      {"rebased file over file", {"/s/target", true, false, "link"}, {"/d/g", true, false, ""}, true, "/d", "link", "g", ""},
      {"file to the root", {"/s/f", true, false, ""}, {"/", true, true, ""}, true, "/", "", "", ""},
  };
  for (const auto& c : cases) {
    auto plan = cp::PrepareArchiveCopy(c.src, c.dst);
    ASSERT_EQ(plan.ok(), c.ok) << c.what;
    if (!c.ok) {
      EXPECT_EQ(plan.error().message(), c.error) << c.what;
      continue;
    }
    EXPECT_EQ(plan->dst_dir, c.dst_dir) << c.what;
    EXPECT_EQ(plan->old_base, c.old_base) << c.what;
    EXPECT_EQ(plan->new_base, c.new_base) << c.what;
  }
}

TEST(CpPath, RebaseEntry) {
  EXPECT_EQ(cp::RebaseEntry("dir/a", "dir", "new"), "new/a");
  EXPECT_EQ(cp::RebaseEntry("dir/", "dir", "new"), "new/");
  EXPECT_EQ(cp::RebaseEntry("./a", ".", "new"), "new/a");
  EXPECT_EQ(cp::RebaseEntry("./", ".", "new"), "new/");
  EXPECT_EQ(cp::RebaseEntry("f", "f", "g"), "g");
  EXPECT_EQ(cp::RebaseEntry("a", "/", "x"), "xa");
  EXPECT_EQ(cp::RebaseEntry("x", "", "y"), "x");
}

json Sample() {
  return json::parse(R"({
    "name":"/web","id":"fc5c246629aa4ad2c856f0d49ab0a43e7ff96670ae34473ce3745146cfd32e2f",
    "cpu_stats":{"cpu_usage":{"total_usage":2000000000,"percpu_usage":[1,1]},"system_cpu_usage":20000000000,"online_cpus":4},
    "precpu_stats":{"cpu_usage":{"total_usage":1000000000},"system_cpu_usage":10000000000},
    "memory_stats":{"usage":104857600,"limit":1073741824,"stats":{"total_inactive_file":10485760}},
    "blkio_stats":{"io_service_bytes_recursive":[{"op":"Read","value":1000},{"op":"Write","value":2000},
                   {"op":"read","value":500},{"op":"Total","value":3500},{"op":"","value":9}]},
    "networks":{"eth0":{"rx_bytes":1024,"tx_bytes":0},"eth1":{"rx_bytes":1000,"tx_bytes":10}},
    "pids_stats":{"current":3}})");
}

TEST(Stats, Computations) {
  json s = Sample();
  EXPECT_DOUBLE_EQ(CpuPercent(s), 40.0);
  s["cpu_stats"]["online_cpus"] = 0;
  EXPECT_DOUBLE_EQ(CpuPercent(s), 20.0);  // percpu_usage has 2 entries
  s["cpu_stats"]["system_cpu_usage"] = 10000000000;
  EXPECT_DOUBLE_EQ(CpuPercent(s), 0.0);  // no system delta
  EXPECT_DOUBLE_EQ(MemUsageNoCache(json::parse(R"({"usage":100,"stats":{"total_inactive_file":10}})")), 90);
  EXPECT_DOUBLE_EQ(MemUsageNoCache(json::parse(R"({"usage":100,"stats":{"inactive_file":30}})")), 70);
  EXPECT_DOUBLE_EQ(MemUsageNoCache(json::parse(R"({"usage":100,"stats":{"inactive_file":300}})")), 100);
  EXPECT_DOUBLE_EQ(MemUsageNoCache(json::parse(R"({"usage":100})")), 100);
  StatsEntry e;
  ApplySample(Sample(), &e);
  EXPECT_DOUBLE_EQ(e.block_read, 1500);
  EXPECT_DOUBLE_EQ(e.block_write, 2000);
  EXPECT_DOUBLE_EQ(e.net_rx, 2024);
  EXPECT_DOUBLE_EQ(e.net_tx, 10);
  EXPECT_EQ(e.pids, 3u);
  EXPECT_EQ(e.name, "/web");
}

TEST(Stats, Rows) {
  StatsEntry e;
  e.container = "web";
  ApplySample(Sample(), &e);
  StatsEntry bad;
  bad.container = "gone";
  bad.invalid = true;
  auto rows = StatsRows({e, bad}, true);
  ASSERT_EQ(rows.rows.size(), 2u);
  const auto& r = rows.rows[0];
  EXPECT_EQ(r["ID"], "fc5c246629aa");
  EXPECT_EQ(r["Name"], "web");
  EXPECT_EQ(r["CPUPerc"], "40.00%");
  EXPECT_EQ(r["MemUsage"], "90MiB / 1GiB");
  EXPECT_EQ(r["MemPerc"], "8.79%");
  EXPECT_EQ(r["NetIO"], "2.02kB / 10B");
  EXPECT_EQ(r["BlockIO"], "1.5kB / 2kB");
  EXPECT_EQ(r["PIDs"], "3");
  const auto& b = rows.rows[1];
  EXPECT_EQ(b["Name"], "--");
  EXPECT_EQ(b["CPUPerc"], "--");
  EXPECT_EQ(b["MemUsage"], "-- / --");
  EXPECT_EQ(b["PIDs"], "--");
  auto out = Render("table {{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}", rows);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out,
            "NAME      CPU %     MEM USAGE / LIMIT\n"
            "web       40.00%    90MiB / 1GiB\n"
            "--        --        -- / --\n");
}

TEST(Update, Values) {
  EXPECT_EQ(*RamInBytes("512m"), 536870912);
  EXPECT_EQ(*RamInBytes("1g"), 1073741824);
  EXPECT_EQ(*RamInBytes("1GiB"), 1073741824);
  EXPECT_EQ(*RamInBytes("1.5k"), 1536);
  EXPECT_EQ(*RamInBytes("10"), 10);
  EXPECT_EQ(*RamInBytes("10 MB"), 10485760);
  EXPECT_EQ(RamInBytes("abc").error().message(), "invalid size: 'abc'");
  EXPECT_FALSE(RamInBytes("1x").ok());
  EXPECT_EQ(*ParseNanoCpus("1.5"), 1500000000);
  EXPECT_EQ(*ParseNanoCpus("2"), 2000000000);
  EXPECT_EQ(*ParseNanoCpus(".5"), 500000000);
  EXPECT_EQ(*ParseNanoCpus("0.000000001"), 1);
  EXPECT_EQ(ParseNanoCpus("0.0000000001").error().message(), "value is too precise");
  EXPECT_EQ(ParseNanoCpus("abc").error().message(), "failed to parse abc as a rational number");
  EXPECT_EQ(*ParseRestartPolicy("on-failure:3"), json::parse(R"({"Name":"on-failure","MaximumRetryCount":3})"));
  EXPECT_EQ(*ParseRestartPolicy("always"), json::parse(R"({"Name":"always","MaximumRetryCount":0})"));
  EXPECT_EQ(ParseRestartPolicy("a:b:c").error().message(), "invalid restart policy format");
  EXPECT_EQ(ParseRestartPolicy("on-failure:x").error().message(), "maximum retry count must be an integer");
}

}  // namespace
}  // namespace berth::cli
