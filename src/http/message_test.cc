#include "http/message.h"

#include <gtest/gtest.h>

#include "http/socket.h"

namespace berth::http {
namespace {

TEST(QueryTest, ParsesDecodesAndRepeats) {
  Query q = Query::Parse("all=1&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D&t=x+y&t=z&empty=&bare");
  EXPECT_EQ(q.Get("all"), "1");
  EXPECT_EQ(q.Get("filters"), R"({"label":["a=b"]})");
  EXPECT_EQ(q.GetAll("t"), (std::vector<std::string>{"x y", "z"}));
  EXPECT_TRUE(q.Has("empty"));
  EXPECT_TRUE(q.Has("bare"));
  EXPECT_FALSE(q.Has("nope"));
  EXPECT_EQ(q.Get("nope"), "");
}

TEST(QueryTest, DockerBools) {
  Query q = Query::Parse("a=1&b=true&c=True&d=0&e=false&f=no&g=none&h=&i=%20FALSE%20&j=yes");
  for (const char* k : {"a", "b", "c", "j"}) EXPECT_TRUE(q.Bool(k)) << k;
  for (const char* k : {"d", "e", "f", "g", "h", "i", "missing"}) EXPECT_FALSE(q.Bool(k)) << k;
  EXPECT_TRUE(q.BoolOr("missing", true));
  EXPECT_FALSE(q.BoolOr("h", true));
}

TEST(QueryTest, Ints) {
  Query q = Query::Parse("n=42&neg=-3&bad=4x&empty=");
  EXPECT_EQ(*q.Int("n"), 42);
  EXPECT_EQ(*q.Int("neg"), -3);
  EXPECT_EQ(*q.Int("empty", 7), 7);
  EXPECT_EQ(*q.Int("missing", 9), 9);
  EXPECT_EQ(q.Int("bad").error().code(), Code::kInvalidArgument);
}

TEST(QueryTest, EncodeRoundTrip) {
  Query q;
  q.Add("filters", R"({"a":["b c"]})");
  q.Add("x", "1&2");
  Query back = Query::Parse(q.Encode());
  EXPECT_EQ(back.pairs(), q.pairs());
}

TEST(UrlDecodeTest, MalformedEscapesStay) {
  EXPECT_EQ(UrlDecode("a%2Fb%zz%4", false), "a/b%zz%4");
  EXPECT_EQ(UrlDecode("a+b", false), "a+b");
}

TEST(HeadersTest, CaseInsensitive) {
  Headers h;
  h.Add("Content-Type", "application/json");
  h.Add("X-A", "1");
  h.Add("x-a", "2");
  EXPECT_EQ(*h.Get("content-type"), "application/json");
  EXPECT_EQ(*h.Get("X-a"), "1");
  h.Set("X-A", "3");
  EXPECT_EQ(h.fields().size(), 2u);
  EXPECT_EQ(*h.Get("x-a"), "3");
}

TEST(ErrorsTest, BodiesAndStatuses) {
  EXPECT_EQ(ErrorBody("No such container: \"x\""), "{\"message\":\"No such container: \\\"x\\\"\"}\n");
  EXPECT_EQ(ErrorMessageFromBody("{\"message\":\"boom\"}\n"), "boom");
  EXPECT_EQ(ErrorMessageFromBody("plain text\n"), "plain text");
  EXPECT_EQ(StatusForCode(Code::kNotFound), 404);
  EXPECT_EQ(StatusForCode(Code::kConflict), 409);
  EXPECT_EQ(StatusForCode(Code::kInvalidArgument), 400);
  EXPECT_EQ(StatusForCode(Code::kInternal), 500);
}

TEST(EndpointTest, Parse) {
  auto u = ParseEndpoint("unix:///run/berth/berth.sock");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->kind, Endpoint::Kind::kUnix);
  EXPECT_EQ(u->path, "/run/berth/berth.sock");
  EXPECT_EQ(u->ToString(), "unix:///run/berth/berth.sock");
  auto t = ParseEndpoint("tcp://127.0.0.1:2376");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, 2376);
  auto v6 = ParseEndpoint("tcp://[::1]:99");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->ToString(), "tcp://[::1]:99");
  EXPECT_EQ(ParseEndpoint("tcp://host")->port, 2375);
  EXPECT_FALSE(ParseEndpoint("unix://relative").ok());
  EXPECT_FALSE(ParseEndpoint("http://x").ok());
  EXPECT_FALSE(ParseEndpoint("tcp://h:99999").ok());
}

TEST(EndpointTest, DialErrorsAreRecognisable) {
  Endpoint ep;
  ep.path = "/nonexistent-berth-dir/berth.sock";
  auto r = Dial(ep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kUnavailable);
}

}  // namespace
}  // namespace berth::http
