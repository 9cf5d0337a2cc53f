#include "http/router.h"

#include <gtest/gtest.h>

namespace berth::http {
namespace {

// Records what a handler or the router sent.
class FakeWriter : public ResponseWriter {
 public:
  Headers& headers() override { return headers_; }
  Status Send(int s, std::string_view b, std::string_view) override {
    status = s;
    body = std::string(b);
    return Ok();
  }
  Status Start(int s, std::string_view) override {
    status = s;
    return Ok();
  }
  Status Write(std::string_view d) override {
    body += d;
    return Ok();
  }
  Status Flush() override { return Ok(); }
  bool ClientGone() override { return false; }
  Result<Stream*> Hijack(std::string_view) override { return Error::Internal("no"); }
  bool started() const override { return status != 0; }

  int status = 0;
  std::string body;
  Headers headers_;
};

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto record = [this](std::string name) {
      return [this, name](Request& req, ResponseWriter& w) {
        hit = name;
        seen = req;
        seen.body = nullptr;
        return w.Send(200, "ok");
      };
    };
    router.Get("/_ping", record("ping"));
    router.Head("/_ping", record("ping-head"));
    router.Get("/containers/json", record("list"));
    router.Post("/containers/{id}/start", record("start"));
    router.Get("/containers/{id}/json", record("inspect"));
    router.Get("/images/{name:.*}/json", record("image-inspect"));
    router.Post("/images/{name:.*}/tag", record("image-tag"));
    router.Delete("/images/{name:.*}", record("image-delete"));
  }

  FakeWriter Serve(std::string method, std::string path) {
    Request req;
    req.method = std::move(method);
    req.path = std::move(path);
    FakeWriter w;
    hit.clear();
    EXPECT_TRUE(router.Serve(req, w).ok());
    return w;
  }

  Router router;
  std::string hit;
  Request seen;
};

TEST_F(RouterTest, LiteralAndParams) {
  EXPECT_EQ(Serve("GET", "/containers/json").status, 200);
  EXPECT_EQ(hit, "list");
  Serve("POST", "/containers/abc123/start");
  EXPECT_EQ(hit, "start");
  EXPECT_EQ(seen.Param("id"), "abc123");
  EXPECT_EQ(seen.Param("missing"), "");
}

TEST_F(RouterTest, GreedyParamsTakeSlashes) {
  Serve("GET", "/images/docker.io/library/busybox:latest/json");
  EXPECT_EQ(hit, "image-inspect");
  EXPECT_EQ(seen.Param("name"), "docker.io/library/busybox:latest");
  Serve("POST", "/images/busybox/tag");
  EXPECT_EQ(hit, "image-tag");
  EXPECT_EQ(seen.Param("name"), "busybox");
  Serve("DELETE", "/images/localhost:5000/a/b");
  EXPECT_EQ(hit, "image-delete");
  EXPECT_EQ(seen.Param("name"), "localhost:5000/a/b");
}

TEST_F(RouterTest, VersionsMapToTheSameHandler) {
  for (std::string v : {"1.24", "1.30", "1.40", "1.41"}) {
    Serve("GET", "/v" + v + "/containers/json");
    EXPECT_EQ(hit, "list") << v;
    EXPECT_EQ(seen.api_version, v);
    EXPECT_EQ(seen.path, "/containers/json");
  }
  Serve("GET", "/containers/json");
  EXPECT_EQ(hit, "list");
  EXPECT_EQ(seen.api_version, "1.41");
}

TEST_F(RouterTest, VersionErrors) {
  FakeWriter w = Serve("GET", "/v1.99/containers/json");
  EXPECT_EQ(w.status, 400);
  EXPECT_EQ(w.body,
            "{\"message\":\"client version 1.99 is too new. Maximum supported API version is "
            "1.41\"}\n");
  EXPECT_EQ(hit, "");
  w = Serve("GET", "/v1.12/containers/json");
  EXPECT_EQ(w.status, 400);
  EXPECT_NE(w.body.find("client version 1.12 is too old. Minimum supported API version is 1.24"),
            std::string::npos);
}

TEST_F(RouterTest, NotFoundAndMethodNotAllowed) {
  FakeWriter w = Serve("GET", "/nope");
  EXPECT_EQ(w.status, 404);
  EXPECT_EQ(w.body, "{\"message\":\"page not found\"}\n");
  w = Serve("GET", "/v1.41/containers/abc/start");
  EXPECT_EQ(w.status, 405);
  EXPECT_EQ(*w.headers_.Get("Allow"), "POST");
  w = Serve("POST", "/_ping");
  EXPECT_EQ(w.status, 405);
  EXPECT_EQ(*w.headers_.Get("Allow"), "GET, HEAD");
  EXPECT_EQ(Serve("GET", "/containers//start").status, 404);
}

TEST(VersionTest, CompareAndSplit) {
  EXPECT_LT(CompareVersions("1.9", "1.41"), 0);
  EXPECT_GT(CompareVersions("1.41.1", "1.41"), 0);
  EXPECT_EQ(CompareVersions("1.41", "1.41.0"), 0);
  std::string v, rest;
  EXPECT_TRUE(SplitVersion("/v1.41/info", &v, &rest));
  EXPECT_EQ(v, "1.41");
  EXPECT_EQ(rest, "/info");
  EXPECT_FALSE(SplitVersion("/volumes/x", &v, &rest));
  EXPECT_EQ(rest, "/volumes/x");
  EXPECT_FALSE(SplitVersion("/version", &v, &rest));
}

}  // namespace
}  // namespace berth::http
