#include <gtest/gtest.h>
#include <unistd.h>

#include "engine/stats/stats_json.h"

namespace berth::engine::stats {
namespace {

using nlohmann::json;

const char* kPsEf =
    "UID          PID    PPID  C STIME TTY          TIME CMD\n"
    "root           1       0  0 10:00 ?        00:00:01 /sbin/init splash\n"
    "root         100       1  0 10:01 ?        00:00:00 sh -c sleep 1000\n"
    "root         101     100  0 10:01 ?        00:00:00 sleep 1000\n"
    "daemon       200       1  0 10:02 ?        00:00:00 other\n";

TEST(TopParse, KeepsTheContainersLinesAndJoinsTheCommand) {
  auto r = ParsePsOutput(kPsEf, {100, 101});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->titles, (std::vector<std::string>{"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"}));
  ASSERT_EQ(r->processes.size(), 2u);
  EXPECT_EQ(r->processes[0],
            (std::vector<std::string>{"root", "100", "1", "0", "10:01", "?", "00:00:00", "sh -c sleep 1000"}));
  EXPECT_EQ(r->processes[1][7], "sleep 1000");
  json j = ToJson(*r);
  EXPECT_EQ(j["Titles"][1], "PID");
  EXPECT_EQ(j["Processes"].size(), 2u);
}

TEST(TopParse, ThreadLinesFollowTheirProcess) {
  const char* text =
      "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n"
      "root         100  0.0  0.0   1000   100 ?        -    10:01   0:00 app\n"
      "root           -  0.0    -      -     - -        Ssl  10:01   0:00 -\n"
      "root         200  0.0  0.0   1000   100 ?        -    10:01   0:00 other\n"
      "root           -  0.0    -      -     - -        Ssl  10:01   0:00 -\n";
  auto r = ParsePsOutput(text, {100});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->processes.size(), 2u);
  EXPECT_EQ(r->processes[1][1], "-");
}

TEST(TopParse, Errors) {
  struct Case {
    const char* output;
    const char* message;
  } cases[] = {
      {"UID CMD\nroot sh\n", "Couldn't find PID field in ps output"},
      {"PID CMD\nabc sh\n", "Unexpected pid 'abc': strconv.Atoi: parsing \"abc\": invalid syntax"},
  };
  for (const Case& c : cases) {
    auto r = ParsePsOutput(c.output, {1});
    ASSERT_FALSE(r.ok()) << c.output;
    EXPECT_EQ(r.error().message(), c.message);
  }
  auto none = ParsePsOutput("PID CMD\n", {1});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(ToJson(*none)["Processes"].is_null());
}

TEST(TopArgs, RenamingAColumnToPidIsRefused) {
  EXPECT_TRUE(ValidatePsArgs("-ef").ok());
  EXPECT_TRUE(ValidatePsArgs("-o pid=PID,comm").ok());
  // The key is everything after the whitespace, as moby's pattern reads it.
  auto bad = ValidatePsArgs("-o pid,user=PID");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "specifying \"pid,user=PID\" is not allowed");
  bad = ValidatePsArgs("-o pid, user=PID");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.error().message(), "specifying \"user=PID\" is not allowed");
}

TEST(TopRun, RealPsSeesThisProcess) {
  pid_t me = ::getpid();
  auto r = Top({me}, "");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->processes.size(), 1u);
  EXPECT_EQ(r->processes[0][1], std::to_string(me));
  // Options that refuse -q are retried without it.
  auto aux = Top({me}, "aux");
  ASSERT_TRUE(aux.ok()) << aux.error().message();
  EXPECT_EQ(aux->processes.size(), 1u);
  auto bad = Top({me}, "--no-such-option");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message().rfind("ps: ", 0), 0u) << bad.error().message();
}

}  // namespace
}  // namespace berth::engine::stats
