// End-to-end tests of berth commands against a fake Engine API server on a
// temporary unix socket that answers canned JSON.
#include "cli/cli.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <map>
#include <mutex>

#include <gtest/gtest.h>

#include "base/strings.h"
#include "http/router.h"
#include "http/server.h"

namespace berth::cli {
namespace {

constexpr int64_t kNow = 1700000000;
const std::string kId = "sha256:beae173ccac6ad749f76713cf4440fe3d21d1043fe616dfbe30775815d1d0f6a";
const std::string kId2 = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

class FakeDaemon {
 public:
  FakeDaemon() : server_([this](http::Request& r, http::ResponseWriter& w) { return Handle(r, w); }) {
    char tmpl[] = "/tmp/berth-cli-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    sock_ = dir_ + "/d.sock";
    EXPECT_TRUE(server_.ListenUnix(sock_).ok());
    EXPECT_TRUE(server_.Start().ok());
  }
  ~FakeDaemon() {
    server_.Stop();
    ::unlink(sock_.c_str());
    ::rmdir(dir_.c_str());
  }
  std::string host() const { return "unix://" + sock_; }

  // Requests seen: "GET /v1.41/images/json?all=1".
  std::vector<std::string> seen;
  std::string last_body;
  std::mutex mu;

 private:
  Status Handle(http::Request& r, http::ResponseWriter& w) {
    std::string version, path;
    std::string raw = str::Cut(r.target, '?').first;
    if (!http::SplitVersion(raw, &version, &path)) path = raw;
    path = http::UrlDecode(path, false);
    {
      std::lock_guard<std::mutex> l(mu);
      seen.push_back(r.method + " " + r.target);
    }
    auto body = r.ReadBody();
    if (body.ok()) last_body = *body;
    if (path == "/_ping") {
      w.headers().Set("API-Version", "1.41");
      return w.Send(200, "OK", "text/plain");
    }
    if (path == "/version")
      return w.SendJson(200, R"({"Platform":{"Name":"Berth Engine"},"Version":"0.1.0","ApiVersion":"1.41",
        "MinAPIVersion":"1.24","GitCommit":"abc","Os":"linux","Arch":"amd64","BuildTime":"today",
        "Components":[{"Name":"Engine","Version":"0.1.0","Details":{"ApiVersion":"1.41","MinAPIVersion":"1.24",
        "GitCommit":"abc","Os":"linux","Arch":"amd64","BuildTime":"today","Experimental":"false"}}]})");
    if (path == "/images/json") {
      return w.SendJson(200, R"([
        {"Id":")" + kId + R"(","RepoTags":["busybox:latest","busybox:1.36"],
         "RepoDigests":["busybox@sha256:1111111111111111111111111111111111111111111111111111111111111111"],
         "Created":)" + std::to_string(kNow - 3 * 86400) + R"(,"Size":4261234,"SharedSize":-1,"VirtualSize":4261234,"Containers":-1,"Labels":null},
        {"Id":")" + kId2 + R"(","RepoTags":["<none>:<none>"],"RepoDigests":["<none>@<none>"],
         "Created":)" + std::to_string(kNow - 3600) + R"(,"Size":1240000,"SharedSize":-1,"VirtualSize":1240000,"Containers":-1}
      ])");
    }
    if (path == "/images/busybox/json")
      return w.SendJson(200, R"({"Id":")" + kId + R"(","RepoTags":["busybox:latest"],"Size":4261234,"Config":{"Env":["PATH=/bin"],"Labels":{}}})");
    if (path == "/images/busybox/history")
      return w.SendJson(200, R"([{"Id":")" + kId + R"(","Created":)" + std::to_string(kNow - 86400 * 30) +
                                R"(,"CreatedBy":"/bin/sh -c #(nop)  CMD [\"sh\"]","Size":0,"Comment":""},
        {"Id":"<missing>","Created":)" + std::to_string(kNow - 86400 * 30) +
                                R"(,"CreatedBy":"/bin/sh -c #(nop) ADD file:6db446a57cbd2b7f4cfde1f280177b458390ed5a6d1b54c6169522bc2c4d838e in / ","Size":4261234,"Comment":""}])");
    if (str::StartsWith(path, "/images/") && str::EndsWith(path, "/tag")) return w.Send(201, "", "text/plain");
    if (r.method == "DELETE" && path == "/images/busybox")
      return w.SendJson(200, R"([{"Untagged":"busybox:latest"},{"Deleted":")" + kId + R"("}])");
    if (r.method == "DELETE" && path == "/images/used")
      return w.SendError(409, "conflict: unable to remove repository reference \"used\" (must force) - container 0123 is using its referenced image beae173ccac6");
    if (path == "/images/prune")
      return w.SendJson(200, R"({"ImagesDeleted":[{"Untagged":"a:b"},{"Deleted":")" + kId2 + R"("}],"SpaceReclaimed":1240000})");
    if (path == "/images/get") {
      BERTH_TRY(w.Start(200, "application/x-tar"));
      BERTH_TRY(w.Write("TARDATA:" + r.query.Get("names")));
      return w.Flush();
    }
    if (path == "/images/load" || path == "/images/create") {
      BERTH_TRY(w.Start(200, "application/json"));
      if (path == "/images/load") BERTH_TRY(w.Write(R"({"stream":"Loaded image: busybox:latest\n"})" "\n"));
      else BERTH_TRY(w.Write(R"({"status":")" + kId2 + R"("})" "\n"));
      return w.Flush();
    }
    if (path == "/system/df")
      return w.SendJson(200, R"({"LayersSize":4261234,"Images":[{"Id":")" + kId + R"(","RepoTags":["busybox:latest"],
        "Created":1,"Size":4261234,"SharedSize":0,"VirtualSize":4261234,"Containers":0}],"Containers":[],"Volumes":[],"BuildCache":[]})");
    if (path == "/events") {
      BERTH_TRY(w.Start(200, "application/json"));
      BERTH_TRY(w.Write(R"({"Type":"image","Action":"tag","Actor":{"ID":")" + kId +
                        R"(","Attributes":{"name":"busybox:mine"}},"time":1700000000,"timeNano":1700000000000000001})" "\n"));
      BERTH_TRY(w.Write(R"({"Type":"image","Action":"delete","Actor":{"ID":"x","Attributes":{}},"time":1700000001,"timeNano":1700000001000000000})" "\n"));
      return w.Flush();
    }
    if (str::StartsWith(path, "/containers/")) return w.SendError(404, "No such container: x");
    if (str::StartsWith(path, "/images/")) {
      std::string name = path.substr(8);
      name = name.substr(0, name.rfind('/'));
      return w.SendError(404, "No such image: " + name);
    }
    return w.SendError(404, "page not found");
  }

  std::string dir_, sock_;
  http::Server server_;
};

struct Outcome {
  int code = 0;
  std::string out, err;
};

std::string ReadAll(int fd) {
  std::string s;
  ::lseek(fd, 0, SEEK_SET);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
  return s;
}

Outcome Berth(const std::string& host, std::vector<std::string> args, const std::string& input = "") {
  int in = memfd_create("in", 0), out = memfd_create("out", 0), err = memfd_create("err", 0);
  if (!input.empty()) {
    EXPECT_EQ(::write(in, input.data(), input.size()), static_cast<ssize_t>(input.size()));
    ::lseek(in, 0, SEEK_SET);
  }
  Env env;
  env.berth_host = host;
  env.now = kNow;
  Outcome r;
  r.code = Main(args, Streams{in, out, err}, env);
  r.out = ReadAll(out);
  r.err = ReadAll(err);
  ::close(in);
  ::close(out);
  ::close(err);
  return r;
}

class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    setenv("TZ", "UTC", 1);
    tzset();
  }
  Outcome B(std::vector<std::string> args, const std::string& input = "") { return Berth(d.host(), std::move(args), input); }
  FakeDaemon d;
};

TEST_F(CliTest, Images) {
  auto r = B({"images"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
                "REPOSITORY   TAG       IMAGE ID       CREATED             SIZE\n"
                "busybox      latest    beae173ccac6   3 days ago          4.26MB\n"
                "busybox      1.36      beae173ccac6   3 days ago          4.26MB\n"
                "<none>       <none>    0123456789ab   About an hour ago   1.24MB\n");
  EXPECT_EQ(d.seen.back(), "GET /v1.41/images/json");
}

TEST_F(CliTest, ImagesQuietDigestsFilters) {
  auto r = B({"images", "-aq", "--filter", "dangling=true", "-f", "label=a=b"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "beae173ccac6\nbeae173ccac6\n0123456789ab\n");
  EXPECT_EQ(http::UrlDecode(d.seen.back(), true),
            R"(GET /v1.41/images/json?all=1&filters={"dangling":{"true":true},"label":{"a=b":true}})");
  r = B({"image", "ls", "--digests", "busybox"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("REPOSITORY   TAG       DIGEST"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sha256:1111111111111111111111111111111111111111111111111111111111111111   beae173ccac6"),
            std::string::npos)
      << r.out;
  EXPECT_NE(http::UrlDecode(d.seen.back(), true).find(R"("reference":{"busybox":true})"), std::string::npos);
  r = B({"images", "--no-trunc", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}"});
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), kId + " busybox:latest");
  r = B({"images", "--format", "table {{.Repository}}\\t{{.Size}}"});
  EXPECT_EQ(r.out.substr(0, r.out.find('\n', r.out.find('\n') + 1)), "REPOSITORY   SIZE\nbusybox      4.26MB");
  r = B({"images", "--format", "{{json .}}"});
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
            R"({"Containers":"N/A","CreatedAt":"2023-11-11 22:13:20 +0000 UTC","CreatedSince":"3 days ago","Digest":"<none>","ID":"beae173ccac6","Repository":"busybox","SharedSize":"N/A","Size":"4.26MB","Tag":"latest","UniqueSize":"N/A","VirtualSize":"4.26MB"})");
  r = B({"images", "--format", "{{.Nope}}"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "Template parsing error: template: :1:2: executing \"\" at <.Nope>: can't evaluate field Nope in "
            "type *formatter.imageContext\n");
  r = B({"images", "--filter", "nokey"});
  EXPECT_EQ(r.code, 125);
  EXPECT_EQ(r.err,
            "invalid argument \"nokey\" for \"-f, --filter\" flag: bad format of filter (expected name=value)\n"
            "See 'berth images --help'.\n");
}

TEST_F(CliTest, Inspect) {
  auto r = B({"image", "inspect", "busybox"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "[\n    {\n        \"Id\": \"" + kId +
                       "\",\n        \"RepoTags\": [\n            \"busybox:latest\"\n        ],\n"
                       "        \"Size\": 4261234,\n        \"Config\": {\n            \"Env\": [\n"
                       "                \"PATH=/bin\"\n            ],\n            \"Labels\": {}\n        }\n    }\n]\n");
  r = B({"image", "inspect", "-f", "{{.Size}} {{json .Config.Env}}", "busybox"});
  EXPECT_EQ(r.out, "4261234 [\"PATH=/bin\"]\n");
  r = B({"image", "inspect", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "[]\n");
  EXPECT_EQ(r.err, "Error: No such image: nope\n");
  r = B({"inspect", "--format", "{{.Id}}", "busybox", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, kId + "\n");
  EXPECT_EQ(r.err, "Error: No such object: nope\n");
}

TEST_F(CliTest, History) {
  auto r = B({"history", "busybox"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "IMAGE          CREATED       CREATED BY                                      SIZE      COMMENT\n"
            "beae173ccac6   4 weeks ago   /bin/sh -c #(nop)  CMD [\"sh\"]                   0B        \n"
            "<missing>      4 weeks ago   /bin/sh -c #(nop) ADD file:6db446a57cbd2b7f4…   4.26MB    \n");
  r = B({"history", "-q", "--no-trunc", "busybox"});
  EXPECT_EQ(r.out, kId + "\n<missing>\n");
  r = B({"history", "-H=false", "--format", "{{.CreatedSince}} {{.Size}}", "busybox"});
  EXPECT_EQ(r.out, "2023-10-15T22:13:20Z 0\n2023-10-15T22:13:20Z 4261234\n");
  r = B({"history", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error response from daemon: No such image: nope\n");
}

TEST_F(CliTest, TagAndRmi) {
  auto r = B({"tag", "busybox", "mine:1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(d.seen.back(), "POST /v1.41/images/busybox/tag?repo=mine&tag=1");
  r = B({"tag", "busybox", "Bad"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("Error parsing reference: \"Bad\" is not a valid repository/tag: invalid reference format"),
            std::string::npos)
      << r.err;
  r = B({"rmi", "busybox", "nope", "used"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "Untagged: busybox:latest\nDeleted: " + kId + "\n");
  EXPECT_EQ(r.err,
            "Error: No such image: nope\nError response from daemon: conflict: unable to remove repository "
            "reference \"used\" (must force) - container 0123 is using its referenced image beae173ccac6\n");
  r = B({"image", "rm", "-f", "nope"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.err, "Error: No such image: nope\n");
  EXPECT_EQ(d.seen.back(), "DELETE /v1.41/images/nope?force=1");
}

TEST_F(CliTest, Prune) {
  auto r = B({"image", "prune"}, "n\n");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out,
            "WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] "
            "Total reclaimed space: 0B\n");
  r = B({"image", "prune", "-a"}, "y\n");
  EXPECT_EQ(r.out,
            "WARNING! This will remove all images without at least one container associated to them.\n"
            "Are you sure you want to continue? [y/N] Deleted Images:\nuntagged: a:b\ndeleted: " +
                kId2 + "\n\nTotal reclaimed space: 1.24MB\n");
  EXPECT_EQ(http::UrlDecode(d.seen.back(), true), R"(POST /v1.41/images/prune?filters={"dangling":{"false":true}})");
  r = B({"image", "prune", "-f", "--filter", "until=24h"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(http::UrlDecode(d.seen.back(), true),
            R"(POST /v1.41/images/prune?filters={"dangling":{"true":true},"until":{"24h":true}})");
}

TEST_F(CliTest, SaveLoadImport) {
  auto r = B({"save", "busybox", "alpine"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "TARDATA:busybox");
  EXPECT_EQ(d.seen.back(), "GET /v1.41/images/get?names=busybox&names=alpine");
  char dir[] = "/tmp/berth-save-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string file = std::string(dir) + "/out.tar";
  r = B({"save", "-o", file, "busybox"});
  EXPECT_EQ(r.code, 0) << r.err;
  FILE* f = fopen(file.c_str(), "r");
  ASSERT_NE(f, nullptr);
  char buf[64] = {};
  EXPECT_EQ(fread(buf, 1, sizeof buf, f), 15u);
  fclose(f);
  r = B({"save", "-o", "/nonexistent/dir/x.tar", "busybox"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "failed to save image: invalid output path: directory \"/nonexistent/dir\" does not exist\n");

  r = B({"load", "-i", file});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Loaded image: busybox:latest\n");
  EXPECT_EQ(d.last_body, "TARDATA:busybox");
  EXPECT_EQ(d.seen.back(), "POST /v1.41/images/load?quiet=1");
  r = B({"load"}, "from-stdin");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(d.last_body, "from-stdin");
  r = B({"load", "-i", "/nonexistent.tar"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "open /nonexistent.tar: No such file or directory\n");

  r = B({"import", "-c", "CMD [\"sh\"]", "--change", "ENV A=b", "-m", "hi", file, "mine:1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, kId2 + "\n");
  EXPECT_EQ(http::UrlDecode(d.seen.back(), true),
            "POST /v1.41/images/create?fromSrc=-&repo=mine:1&tag=&message=hi&changes=CMD [\"sh\"]&changes=ENV A=b");
  r = B({"import", "-"}, "rootfs");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(d.last_body, "rootfs");
  r = B({"import", file, "Bad:x"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("invalid reference format"), std::string::npos) << r.err;
  ::unlink(file.c_str());
  ::rmdir(dir);
}

TEST_F(CliTest, VersionDfEvents) {
  auto r = B({"version"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Client:\n Version:           0.1.0\n API version:       1.41\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n\nServer: Berth Engine\n Engine:\n  Version:          0.1.0\n"
                       "  API version:      1.41 (minimum version 1.24)\n"),
            std::string::npos)
      << r.out;
  r = B({"version", "--format", "{{.Server.Version}}/{{.Client.APIVersion}}"});
  EXPECT_EQ(r.out, "0.1.0/1.41\n");
  r = B({"system", "df"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE\n"
            "Images          1         0         4.261MB   4.261MB (100%)\n"
            "Containers      0         0         0B        0B\n"
            "Local Volumes   0         0         0B        0B\n"
            "Build Cache     0         0         0B        0B\n");
  r = B({"events", "--since", "1h", "--filter", "type=image"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "2023-11-14T22:13:20.000000001Z image tag " + kId + " (name=busybox:mine)\n"
            "2023-11-14T22:13:21.000000000Z image delete x\n");
  EXPECT_EQ(http::UrlDecode(d.seen.back(), true),
            "GET /v1.41/events?since=1699996400.000000000&filters={\"type\":{\"image\":true}}");
  r = B({"events", "--format", "{{.Type}}:{{.Action}}"});
  EXPECT_EQ(r.out, "image:tag\nimage:delete\n");
}

TEST(CliNoDaemon, Errors) {
  auto r = Berth("unix:///nonexistent/berth.sock", {"images"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Cannot connect to the berth daemon at unix:///nonexistent/berth.sock. Is berthd running?\n");
  r = Berth("", {"-H", "unix:///nonexistent/x.sock", "-H", "unix:///other.sock", "version"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("Client:\n Version:"), std::string::npos);
  EXPECT_EQ(r.out.find("Server:"), std::string::npos);
  EXPECT_EQ(r.err, "Cannot connect to the berth daemon at unix:///nonexistent/x.sock. Is berthd running?\n");
  r = Berth("unix:///nonexistent/x.sock", {"info"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "Client:\n Context:    default\n Debug Mode: false\n\nServer:\n");
  r = Berth("", {"images", "--bogus"});
  EXPECT_EQ(r.code, 125);
  EXPECT_EQ(r.err, "unknown flag: --bogus\nSee 'berth images --help'.\n");
  r = Berth("", {"--bogus"});
  EXPECT_EQ(r.code, 125);
  r = Berth("", {"frob"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "berth: 'frob' is not a berth command.\nSee 'berth --help'\n");
  r = Berth("", {"history"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "\"berth history\" requires exactly 1 argument.\nSee 'berth history --help'.\n\n"
            "Usage:  berth history [OPTIONS] IMAGE\n\nShow the history of an image\n");
  r = Berth("", {"image", "ls", "--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("\nUsage:  berth image ls [OPTIONS] [REPOSITORY[:TAG]]\n\nList images\n\nAliases:\n  ls, images, list\n"),
            std::string::npos)
      << r.out;
  r = Berth("", {"--log-level", "loud", "images"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Unable to parse logging level: loud\n");
  r = Berth("", {"-v"});
  EXPECT_EQ(r.out.rfind("Berth version 0.1.0, build ", 0), 0u);
}

}  // namespace
}  // namespace berth::cli
