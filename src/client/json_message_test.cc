#include "client/json_message.h"

#include <gtest/gtest.h>

namespace berth::client {
namespace {

using nlohmann::json;

TEST(JsonMessageError, OrdinaryMessagesAreOk) {
  EXPECT_TRUE(JsonMessageError(json::parse(R"({"status":"Pulling fs layer","id":"abc"})")).ok());
  EXPECT_TRUE(JsonMessageError(json::parse(R"({"stream":"Step 1/2\n"})")).ok());
  EXPECT_TRUE(JsonMessageError(json::parse(R"({"error":""})")).ok());
  EXPECT_TRUE(JsonMessageError(json::parse(R"("just a string")")).ok());
}

TEST(JsonMessageError, DetailMessageAndCode) {
  int code = -1;
  Status s = JsonMessageError(
      json::parse(R"({"errorDetail":{"code":2,"message":"step failed"},"error":"legacy"})"), &code);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "step failed");
  EXPECT_EQ(code, 2);
}

TEST(JsonMessageError, OnlyError) {
  int code = -1;
  Status s = JsonMessageError(json::parse(R"({"error":"manifest unknown"})"), &code);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "manifest unknown");
  EXPECT_EQ(code, 0);
}

TEST(JsonMessageError, MessageNotAStringDoesNotThrow) {
  int code = -1;
  Status s = JsonMessageError(json::parse(R"({"errorDetail":{"message":42,"code":"x"},"error":"boom"})"), &code);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "boom");
  EXPECT_EQ(code, 0);
  s = JsonMessageError(json::parse(R"({"errorDetail":{"message":[1]}})"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("errorDetail"), std::string::npos) << s.error().message();
}

}  // namespace
}  // namespace berth::client
