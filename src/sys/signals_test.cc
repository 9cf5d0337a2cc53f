#include "sys/signals.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace berth::sys {

TEST(Signals, ParsesNamesNumbersAndAliases) {
  EXPECT_EQ(*ParseSignal("KILL"), SIGKILL);
  EXPECT_EQ(*ParseSignal("SIGKILL"), SIGKILL);
  EXPECT_EQ(*ParseSignal("sigterm"), SIGTERM);
  EXPECT_EQ(*ParseSignal("9"), 9);
  EXPECT_EQ(*ParseSignal("IOT"), SIGABRT);
  EXPECT_EQ(*ParseSignal("RTMIN+3"), SIGRTMIN + 3);
  EXPECT_EQ(*ParseSignal("SIGRTMAX-1"), SIGRTMAX - 1);
}

TEST(Signals, RejectsGarbage) {
  EXPECT_FALSE(ParseSignal("FOO").ok());
  EXPECT_FALSE(ParseSignal("0").ok());
  EXPECT_FALSE(ParseSignal("-1").ok());
  EXPECT_FALSE(ParseSignal("999").ok());
  EXPECT_FALSE(ParseSignal("RTMIN+100").ok());
  EXPECT_NE(ParseSignal("FOO").error().message().find("FOO"), std::string::npos);
}

TEST(Signals, NamesRoundTrip) {
  for (int s = 1; s <= SIGRTMAX; ++s) {
    if (s == 32 || s == 33) continue;  // glibc-reserved
    auto back = ParseSignal(SignalName(s));
    ASSERT_TRUE(back.ok()) << SignalName(s);
    EXPECT_EQ(*back, s);
  }
}

}  // namespace berth::sys
