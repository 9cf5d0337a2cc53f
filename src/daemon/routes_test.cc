// The system and image routes over a fake ImageBackend, through a real
// http::Server on a temp unix socket.
#include "daemon/routes/routes.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "base/fs.h"
#include "http/client.h"
#include "http/server.h"

namespace berth::daemon {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kId =
    "sha256:1111111111111111111111111111111111111111111111111111111111111111";

// One image "busybox:latest" (kId); records what the routes asked for.
class FakeImages : public ImageBackend {
 public:
  image::ListOptions last_list;
  std::string last_tag_source, last_tag_target;
  bool last_force = false, last_prune = false, last_prune_all = false;
  image::Filters last_prune_filters;
  std::string loaded_bytes, imported_bytes, import_ref, import_message;
  std::vector<std::string> import_changes;
  std::vector<std::string> tags = {"busybox:latest"};

  Result<std::vector<image::ImageSummary>> Images(const image::ListOptions& o) override {
    last_list = o;
    for (const auto& [k, v] : o.filters)
      if (k != "dangling" && k != "reference" && k != "label")
        return Error::Invalid("invalid filter '" + k + "'");
    image::ImageSummary s;
    s.id = kId;
    s.repo_tags = tags;
    s.created = 1700000000;
    s.size = 4096;
    s.labels = {{"a", "b"}};
    return std::vector<image::ImageSummary>{s};
  }
  Result<ImageRef> ResolveImage(std::string_view name) override {
    if (name == "busybox" || name == "busybox:latest" || name == kId || name == "other:1" ||
        name == "alice/app:v1")
      return ImageRef{kId, {{"a", "b"}}};
    return Error::NotFound("No such image: " + std::string(name));
  }
  Result<json> InspectImage(std::string_view name) override {
    BERTH_TRY(ResolveImage(name));
    return json{{"Id", kId}, {"RepoTags", tags}, {"Name", std::string(name)}};
  }
  Result<std::vector<image::HistoryItem>> ImageHistory(std::string_view name) override {
    BERTH_TRY(ResolveImage(name));
    image::HistoryItem h;
    h.id = kId;
    h.created_by = "/bin/sh";
    h.tags = tags;
    return std::vector<image::HistoryItem>{h};
  }
  Status TagImage(std::string_view source, std::string_view target) override {
    BERTH_TRY(ResolveImage(source));
    last_tag_source = source;
    last_tag_target = target;
    return Ok();
  }
  Result<std::vector<image::DeleteItem>> DeleteImage(std::string_view name, bool force,
                                                     bool prune) override {
    BERTH_TRY(ResolveImage(name));
    last_force = force;
    last_prune = prune;
    if (!force && name == kId)
      return Error(Code::kConflict,
                   "conflict: unable to delete 111111111111 (must be forced) - image is "
                   "referenced in multiple repositories");
    return std::vector<image::DeleteItem>{{"busybox:latest", ""}, {"", kId}};
  }
  Result<image::PruneReport> PruneImages(bool all, const image::Filters& f) override {
    last_prune_all = all;
    last_prune_filters = f;
    image::PruneReport r;
    r.images_deleted = {{"", kId}};
    r.space_reclaimed = 42;
    return r;
  }
  Result<image::DiskUsage> ImagesDiskUsage() override {
    image::DiskUsage du;
    du.images = *Images({});
    du.layers_size = 4096;
    return du;
  }
  Result<std::vector<std::string>> LoadImages(int fd, const image::ProgressFn& p) override {
    loaded_bytes = BERTH_TRY(fs::ReadFd(fd));
    if (loaded_bytes == "bad") return Error::Invalid("invalid tar header");
    if (p) p({"abc", "Loading layer", 5, 10});
    return std::vector<std::string>{"Loaded image: busybox:latest"};
  }
  Status SaveImages(const std::vector<std::string>& names, int fd) override {
    for (const std::string& n : names) BERTH_TRY(fs::WriteAll(fd, "tar-of-" + n + ";"));
    return Ok();
  }
  Result<std::string> ImportImage(int fd, std::string_view ref,
                                  const std::vector<std::string>& changes,
                                  std::string_view message) override {
    imported_bytes = BERTH_TRY(fs::ReadFd(fd));
    import_ref = ref;
    import_changes = changes;
    import_message = message;
    return std::string(kId);
  }
};

class RoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signal(SIGPIPE, SIG_IGN);
    char tmpl[] = "/tmp/berthd-routes-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    host_.kernel_version = "6.1.0-test";
    host_.operating_system = "Test OS";
    host_.architecture = "x86_64";
    host_.go_arch = "amd64";
    host_.ncpu = 2;
    host_.mem_total = 1 << 30;
    host_.cgroup_version = "2";
    facts_.id = "engine-id";
    facts_.name = "testhost";
    facts_.data_root = "/var/lib/berth";
    facts_.git_commit = "abc123";
    AddSystemRoutes(router_, {&host_, &facts_, &bus_, &images_});
    AddImageRoutes(router_, &images_, &bus_);
    server_ = std::make_unique<http::Server>(WithCommonHeaders(router_, "0.1.0"));
    ASSERT_TRUE(server_->ListenUnix(dir_ + "/berth.sock").ok());
    ASSERT_TRUE(server_->Start().ok());
    http::Endpoint ep;
    ep.path = dir_ + "/berth.sock";
    client_ = std::make_unique<http::Client>(ep);
  }
  void TearDown() override {
    bus_.Close();
    server_->Stop(1s);
    (void)fs::RemoveAll(dir_);
  }

  http::ClientResponse Do(std::string method, std::string target, std::string body = "") {
    http::ClientRequest req;
    req.method = std::move(method);
    req.target = std::move(target);
    req.body = std::move(body);
    auto r = client_->Do(req);
    EXPECT_TRUE(r.ok()) << r.error().message();
    return r.ok() ? *r : http::ClientResponse{};
  }
  json Json(const http::ClientResponse& r) { return json::parse(r.body, nullptr, false); }
  std::string Message(const http::ClientResponse& r) {
    json j = Json(r);
    return j.is_object() && j.contains("message") ? j["message"].get<std::string>() : r.body;
  }
  std::vector<json> Lines(const std::string& body) {
    std::vector<json> out;
    size_t start = 0;
    while (start < body.size()) {
      size_t nl = body.find('\n', start);
      if (nl == std::string::npos) nl = body.size();
      if (nl > start) out.push_back(json::parse(body.substr(start, nl - start)));
      start = nl + 1;
    }
    return out;
  }

  std::string dir_;
  HostInfo host_;
  DaemonFacts facts_;
  EventBus bus_;
  FakeImages images_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<http::Client> client_;
};

TEST_F(RoutesTest, Ping) {
  auto r = Do("GET", "/_ping");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "OK");
  EXPECT_EQ(r.headers.Get("API-Version"), "1.41");
  EXPECT_EQ(r.headers.Get("Docker-Experimental"), "false");
  EXPECT_EQ(r.headers.Get("OSType"), "linux");
  EXPECT_EQ(r.headers.Get("Builder-Version"), "1");
  EXPECT_NE(r.headers.Get("Cache-Control")->find("no-cache"), std::string::npos);
  r = Do("HEAD", "/v1.41/_ping");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.headers.Get("API-Version"), "1.41");
  EXPECT_EQ(Do("GET", "/v1.99/_ping").status, 400);
}

TEST_F(RoutesTest, Version) {
  auto r = Do("GET", "/v1.24/version");
  ASSERT_EQ(r.status, 200);
  json j = Json(r);
  EXPECT_EQ(j["Version"], "0.1.0");
  EXPECT_EQ(j["ApiVersion"], "1.41");
  EXPECT_EQ(j["MinAPIVersion"], "1.24");
  EXPECT_EQ(j["GoVersion"], "n/a");
  EXPECT_EQ(j["Os"], "linux");
  EXPECT_EQ(j["Arch"], "amd64");
  EXPECT_EQ(j["KernelVersion"], "6.1.0-test");
  EXPECT_EQ(j["GitCommit"], "abc123");
  EXPECT_TRUE(j["Platform"]["Name"].is_string());
  EXPECT_EQ(j["Components"][0]["Name"], "Engine");
  EXPECT_EQ(j["Components"][0]["Details"]["ApiVersion"], "1.41");
  EXPECT_EQ(r.headers.Get("Api-Version"), "1.41");
}

TEST_F(RoutesTest, Info) {
  auto r = Do("GET", "/v1.41/info");
  ASSERT_EQ(r.status, 200);
  json j = Json(r);
  EXPECT_EQ(j["ID"], "engine-id");
  EXPECT_EQ(j["Images"], 1);
  EXPECT_EQ(j["Containers"], 0);
  EXPECT_EQ(j["Driver"], "overlay2");
  EXPECT_EQ(j["CgroupDriver"], "cgroupfs");
  EXPECT_EQ(j["CgroupVersion"], "2");
  EXPECT_EQ(j["DefaultRuntime"], "berth");
  EXPECT_TRUE(j["Runtimes"].contains("berth"));
  EXPECT_EQ(j["SecurityOptions"][0], "name=seccomp,profile=default");
  EXPECT_EQ(j["NCPU"], 2);
  EXPECT_EQ(j["MemTotal"], 1 << 30);
  EXPECT_EQ(j["OSType"], "linux");
  EXPECT_EQ(j["Architecture"], "x86_64");
  EXPECT_EQ(j["DockerRootDir"], "/var/lib/berth");
  EXPECT_EQ(j["Name"], "testhost");
  EXPECT_EQ(j["ServerVersion"], "0.1.0");
  EXPECT_TRUE(j["Warnings"].is_null());
}

TEST_F(RoutesTest, SystemDf) {
  auto r = Do("GET", "/system/df");
  ASSERT_EQ(r.status, 200);
  json j = Json(r);
  EXPECT_EQ(j["LayersSize"], 4096);
  EXPECT_EQ(j["Images"][0]["Id"], kId);
  EXPECT_TRUE(j["Containers"].is_array());
  EXPECT_TRUE(j["Volumes"].is_array());
}

TEST_F(RoutesTest, ImageListAndFilters) {
  auto r = Do("GET", "/v1.41/images/json?all=1&filters=" +
                         http::QueryEscape(R"({"dangling":{"true":true},"label":["a=b"]})"));
  ASSERT_EQ(r.status, 200) << r.body;
  json j = Json(r);
  ASSERT_TRUE(j.is_array());
  EXPECT_EQ(j[0]["Id"], kId);
  EXPECT_EQ(j[0]["RepoTags"][0], "busybox:latest");
  EXPECT_TRUE(images_.last_list.all);
  EXPECT_EQ(images_.last_list.filters["dangling"], std::vector<std::string>{"true"});
  EXPECT_EQ(images_.last_list.filters["label"], std::vector<std::string>{"a=b"});

  r = Do("GET", "/images/json?filter=busy*");
  EXPECT_EQ(images_.last_list.filters["reference"], std::vector<std::string>{"busy*"});
  EXPECT_FALSE(images_.last_list.all);

  r = Do("GET", "/images/json?filters=" + http::QueryEscape(R"({"bogus":{"x":true}})"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Message(r), "invalid filter 'bogus'");
  r = Do("GET", "/images/json?filters=%7Bnot-json");
  EXPECT_EQ(r.status, 400);
}

TEST_F(RoutesTest, InspectAndHistoryWithSlashes) {
  auto r = Do("GET", "/v1.41/images/alice/app:v1/json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["Name"], "alice/app:v1");
  r = Do("GET", "/images/nope/json");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Message(r), "No such image: nope");
  r = Do("GET", "/images/busybox/history");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Json(r)[0]["CreatedBy"], "/bin/sh");
}

TEST_F(RoutesTest, TagPublishesEvent) {
  std::vector<Event> past;
  auto cursor = bus_.Subscribe(0, &past);
  auto r = Do("POST", "/images/busybox/tag?repo=other&tag=1");
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(images_.last_tag_source, "busybox");
  EXPECT_EQ(images_.last_tag_target, "other:1");
  bool closed;
  auto events = cursor->Wait(1s, &closed);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].action, "tag");
  EXPECT_EQ(events[0].actor_id, kId);
  EXPECT_EQ(events[0].attributes["name"], "other:1");
  EXPECT_EQ(events[0].attributes["a"], "b");

  EXPECT_EQ(Do("POST", "/images/busybox/tag?repo=Bad").status, 400);
  EXPECT_EQ(Do("POST", "/images/busybox/tag").status, 400);
  EXPECT_EQ(Do("POST", "/images/nope/tag?repo=x").status, 404);
}

TEST_F(RoutesTest, DeleteAndConflict) {
  auto r = Do("DELETE", "/images/busybox?force=1&noprune=1");
  ASSERT_EQ(r.status, 200) << r.body;
  json j = Json(r);
  EXPECT_EQ(j[0]["Untagged"], "busybox:latest");
  EXPECT_EQ(j[1]["Deleted"], kId);
  EXPECT_TRUE(images_.last_force);
  EXPECT_FALSE(images_.last_prune);
  r = Do("DELETE", std::string("/images/") + kId);
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(Message(r).find("must be forced"), std::string::npos);
  EXPECT_EQ(Do("DELETE", "/images/nope").status, 404);
}

TEST_F(RoutesTest, Prune) {
  auto r = Do("POST", "/images/prune?filters=" +
                          http::QueryEscape(R"({"dangling":{"false":true},"until":{"24h":true}})"));
  ASSERT_EQ(r.status, 200) << r.body;
  json j = Json(r);
  EXPECT_EQ(j["SpaceReclaimed"], 42);
  EXPECT_EQ(j["ImagesDeleted"][0]["Deleted"], kId);
  EXPECT_TRUE(images_.last_prune_all);
  EXPECT_EQ(images_.last_prune_filters.count("dangling"), 0u);
  EXPECT_EQ(images_.last_prune_filters["until"], std::vector<std::string>{"24h"});
  Do("POST", "/images/prune");
  EXPECT_FALSE(images_.last_prune_all);
}

TEST_F(RoutesTest, SaveStreamsTar) {
  auto r = Do("GET", "/images/get?names=busybox&names=other:1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.Get("Content-Type"), "application/x-tar");
  EXPECT_EQ(r.body, "tar-of-busybox;tar-of-other:1;");
  r = Do("GET", "/images/busybox/get");
  EXPECT_EQ(r.body, "tar-of-busybox;");
  r = Do("GET", "/images/get?names=busybox&names=nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Message(r), "No such image: nope");
}

TEST_F(RoutesTest, LoadStreamsBodyAndAnswersJsonMessages) {
  std::string tar(3 << 20, 'x');  // bigger than a pipe
  auto r = Do("POST", "/images/load?quiet=0", tar);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(images_.loaded_bytes.size(), tar.size());
  EXPECT_EQ(r.headers.Get("Content-Type"), "application/json");
  auto lines = Lines(r.body);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["status"], "Loading layer");
  EXPECT_EQ(lines[0]["id"], "abc");
  EXPECT_EQ(lines[1]["stream"], "Loaded image: busybox:latest\n");

  r = Do("POST", "/images/load?quiet=1", "tarbytes");
  lines = Lines(r.body);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["stream"], "Loaded image: busybox:latest\n");

  r = Do("POST", "/images/load", "bad");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Message(r), "invalid tar header");
}

TEST_F(RoutesTest, CreateImportsOrRefuses) {
  auto r = Do(
      "POST",
      "/images/create?fromSrc=-&repo=mine&tag=v2&message=hi&changes=CMD%20sh&changes=ENV%20A%3D1",
      "rootfs");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(images_.imported_bytes, "rootfs");
  EXPECT_EQ(images_.import_ref, "mine:v2");
  EXPECT_EQ(images_.import_message, "hi");
  EXPECT_EQ(images_.import_changes, (std::vector<std::string>{"CMD sh", "ENV A=1"}));
  auto lines = Lines(r.body);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["status"], kId);

  r = Do("POST", "/images/create?fromSrc=http://example.com/x.tar");
  EXPECT_EQ(r.status, 501);
  EXPECT_NE(Message(r).find("offline"), std::string::npos);
  // Without a registry client (no distribution service here), pull is refused.
  r = Do("POST", "/images/create?fromImage=busybox&tag=latest");
  EXPECT_EQ(r.status, 501);
  EXPECT_NE(Message(r).find("pulling images is not available"), std::string::npos);
  EXPECT_EQ(Do("POST", "/images/create").status, 400);
}

TEST_F(RoutesTest, EventsStreamFiltersAndUntil) {
  // Past events replayed with since, bounded by until.
  Event old;
  old.type = "image";
  old.action = "pull";
  old.actor_id = "busybox:latest";
  bus_.Publish(old);
  auto r = Do("GET", "/events?since=0&until=" + std::to_string(time(nullptr) + 1) +
                         "&filters=" + http::QueryEscape(R"({"type":["image"]})"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto lines = Lines(r.body);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["Action"], "pull");
  EXPECT_EQ(lines[0]["status"], "pull");

  EXPECT_EQ(Do("GET", "/events?filters=" + http::QueryEscape(R"({"bogus":["x"]})")).status, 400);
  EXPECT_EQ(Do("GET", "/events?since=20&until=10").status, 400);
  EXPECT_EQ(Do("GET", "/events?since=yesterday").status, 400);

  // Live: a tag made while the stream is open arrives on it.
  http::Client streamer(client_->endpoint());
  std::string got;
  std::thread t([&] {
    http::ClientRequest req;
    req.target = "/events?filters=" + http::QueryEscape(R"({"event":["tag"]})");
    (void)streamer.Stream(req, [&](std::string_view d) -> Status {
      got.append(d);
      if (got.find('\n') != std::string::npos) return Error::Internal("done");
      return Ok();
    });
  });
  for (int i = 0; i < 200 && bus_.Listeners() == 0; ++i) std::this_thread::sleep_for(5ms);
  Do("DELETE", "/images/busybox");  // untag: filtered out
  Do("POST", "/images/busybox/tag?repo=other&tag=1");
  t.join();
  auto ev = Lines(got);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0]["Action"], "tag");
  EXPECT_EQ(ev[0]["Actor"]["Attributes"]["name"], "other:1");
}

TEST_F(RoutesTest, UnknownPath) {
  auto r = Do("GET", "/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Message(r), "page not found");
}

}  // namespace
}  // namespace berth::daemon
