// berth build: sends the context (a tar, .dockerignore applied) to POST
// /build and prints the classic builder's output as it streams.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstdlib>
#include <thread>

#include "base/fs.h"
#include "base/random.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "cli/cli.h"
#include "cli/cmd/commands.h"
#include "cli/cmd/common.h"
#include "cli/cmd/image/build_context.h"
#include "cli/units.h"
#include "client/json_message.h"

namespace berth::cli {
namespace {

struct BuildFlags {
  std::vector<std::string> tags, build_args, labels, cache_from;
  std::string file, target, iidfile, network, platform;
  bool no_cache = false, quiet = false, rm = true, force_rm = false, pull = false;
};

// Reads the pipe the context tar is written to, counting what was sent.
class PipeReader : public http::BodyReader {
 public:
  explicit PipeReader(int fd) : fd_(fd) {}
  Result<size_t> Read(char* buf, size_t size) override {
    for (;;) {
      ssize_t n = ::read(fd_, buf, size);
      if (n >= 0) {
        sent += n;
        return static_cast<size_t>(n);
      }
      if (errno != EINTR) return Error::Sys("read build context");
    }
  }
  int64_t sent = 0;

 private:
  int fd_;
};

std::string RandomName() { return ".dockerfile." + rnd::Hex(8); }

// Where the context and the Dockerfile are.
Result<ContextSpec> Locate(Cli& cli, const BuildFlags& f, const std::string& arg) {
  ContextSpec spec;
  if (str::StartsWith(arg, "http://") || str::StartsWith(arg, "https://") ||
      str::StartsWith(arg, "git@") || str::StartsWith(arg, "github.com/"))
    return Error::Invalid(fmt::format(
        "unable to prepare context: remote contexts are not supported by berth (offline): {}", arg));
  if (arg == "-") {
    if (f.file == "-") return Error::Invalid("invalid argument: can't use stdin for both build context and dockerfile");
    // A Dockerfile on stdin (docker build - < Dockerfile): no context.
    std::string text = BERTH_TRY(fs::ReadFd(cli.in_fd()).Context("stdin"));
    if (text.size() > 262 && text.compare(257, 5, "ustar") == 0)
      return Error(Code::kNotImplemented, "a context tar on stdin is not supported yet: unpack it and pass the directory");
    spec.extra_dockerfile = text;
    spec.extra_name = "Dockerfile";
    return spec;
  }
  auto abs = fs::Absolute(arg);
  if (!abs.ok() || !fs::IsDir(*abs))
    return Error::Invalid(fmt::format("unable to prepare context: path \"{}\" not found", arg));
  spec.dir = fs::Clean(*abs);
  if (f.file == "-") {
    spec.extra_dockerfile = BERTH_TRY(fs::ReadFd(cli.in_fd()).Context("stdin"));
    spec.extra_name = RandomName();
    return spec;
  }
  std::string df = f.file.empty() ? spec.dir + "/Dockerfile" : fs::Clean(BERTH_TRY(fs::Absolute(f.file)));
  if (f.file.empty() && !fs::Exists(df) && fs::Exists(spec.dir + "/dockerfile")) df = spec.dir + "/dockerfile";
  struct stat st;
  if (::stat(df.c_str(), &st) != 0)
    return Error::Invalid(fmt::format(
        "unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat {}: no "
        "such file or directory",
        df));
  if (str::StartsWith(df, spec.dir + "/")) {
    spec.dockerfile_in_context = df.substr(spec.dir.size() + 1);
  } else {
    spec.extra_dockerfile = BERTH_TRY(fs::ReadFile(df));
    spec.extra_name = RandomName();
  }
  return spec;
}

Status RunBuild(Cli& cli, const BuildFlags& f, const std::string& arg) {
  ContextSpec spec = BERTH_TRY(Locate(cli, f, arg));
  client::Call call{.method = "POST", .path = "/build", .content_type = "application/x-tar"};
  for (const std::string& t : f.tags) call.query.Add("t", t);
  call.query.Add("dockerfile", spec.extra_dockerfile ? spec.extra_name : spec.dockerfile_in_context);
  client::json args = client::json::object();
  for (const std::string& a : f.build_args) {
    bool has = false;
    auto [k, v] = str::Cut(a, '=', &has);
    if (has) {
      args[k] = v;
    } else if (const char* env = std::getenv(k.c_str())) {
      args[k] = env;
    } else {
      args[k] = nullptr;
    }
  }
  call.query.Add("buildargs", args.dump());
  client::json labels = client::json::object();
  for (const std::string& l : f.labels) {
    auto [k, v] = str::Cut(l, '=');
    labels[k] = v;
  }
  call.query.Add("labels", labels.dump());
  if (!f.cache_from.empty()) call.query.Add("cachefrom", client::json(f.cache_from).dump());
  if (!f.target.empty()) call.query.Add("target", f.target);
  if (!f.network.empty()) call.query.Add("networkmode", f.network);
  if (!f.platform.empty()) call.query.Add("platform", f.platform);
  call.query.Add("nocache", f.no_cache ? "1" : "0");
  call.query.Add("q", f.quiet ? "1" : "0");
  call.query.Add("rm", f.rm ? "1" : "0");
  call.query.Add("forcerm", f.force_rm ? "1" : "0");
  if (f.pull) call.query.Add("pull", "1");

  auto* c = BERTH_TRY(cli.Client());
  spec.by_reference = BERTH_TRY(c->BuildSourcesByReference());

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error::Sys("pipe");
  unique_fd rd(fds[0]), wr(fds[1]);
  Status tar_status = Ok();
  std::atomic<uint64_t> referenced{0};
  std::thread writer([&] {
    tar_status = WriteContextTar(spec, wr.get(), &referenced);
    wr.reset();
  });
  PipeReader reader(rd.get());
  call.body_reader = &reader;

  std::string image_id;
  int code = 0;
  std::string error;
  bool announced = false;
  auto announce = [&] {
    if (announced || f.quiet) return;
    announced = true;
    cli.Out(fmt::format("Sending build context to Docker daemon  {}\n\n", HumanSize(static_cast<int64_t>(reader.sent + referenced.load()))));
  };
  client::JsonStreamDecoder dec([&](const client::json& m) -> Status {
    announce();
    int failed_code = 0;
    if (Status failed = client::JsonMessageError(m, &failed_code); !failed.ok()) {
      error = failed.error().message();
      code = failed_code;
      return Ok();
    }
    if (m.contains("aux") && m["aux"].is_object() && m["aux"].contains("ID"))
      image_id = m["aux"]["ID"].get<std::string>();
    if (!f.quiet) return DisplayJsonMessage(cli, m);
    return Ok();
  });
  Status s = c->Stream(call, [&](std::string_view d) { return dec.Feed(d); });
  rd.reset();  // unblocks a writer the daemon stopped reading
  writer.join();
  if (!tar_status.ok() && s.ok()) return tar_status;
  BERTH_TRY(std::move(s));
  BERTH_TRY(dec.Finish());
  if (!error.empty()) {
    if (code > 1) cli.set_exit_code(code);
    return Error::Internal(error);
  }
  if (f.quiet) cli.Out(image_id + "\n");
  if (!f.iidfile.empty()) BERTH_TRY(fs::AtomicWrite(f.iidfile, image_id, 0666, false));
  return Ok();
}

}  // namespace

std::unique_ptr<Command> NewBuildCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<BuildFlags>();
  cmd->use = "build [OPTIONS] PATH | URL | -";
  cmd->short_desc = "Build an image from a Dockerfile";
  cmd->min_args = 1;
  cmd->max_args = 1;
  auto& fl = cmd->flags;
  fl.List(&o->tags, "tag", 't', "Name and optionally a tag in the 'name:tag' format");
  fl.String(&o->file, "file", 'f', "", "Name of the Dockerfile (Default is 'PATH/Dockerfile')");
  fl.List(&o->build_args, "build-arg", 0, "Set build-time variables");
  fl.List(&o->labels, "label", 0, "Set metadata for an image");
  fl.List(&o->cache_from, "cache-from", 0, "Images to consider as cache sources", "strings");
  fl.String(&o->target, "target", 0, "", "Set the target build stage to build.");
  fl.String(&o->iidfile, "iidfile", 0, "", "Write the image ID to the file");
  fl.String(&o->network, "network", 0, "default",
            "Set the networking mode for the RUN instructions during build");
  fl.String(&o->platform, "platform", 0, "", "Set platform if server is multi-platform capable");
  fl.Bool(&o->no_cache, "no-cache", 0, false, "Do not use cache when building the image");
  fl.Bool(&o->quiet, "quiet", 'q', false, "Suppress the build output and print image ID on success");
  fl.Bool(&o->rm, "rm", 0, true, "Remove intermediate containers after a successful build");
  fl.Bool(&o->force_rm, "force-rm", 0, false, "Always remove intermediate containers");
  fl.Bool(&o->pull, "pull", 0, false, "Always attempt to pull a newer version of the image");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    BuildFlags f = *o;
    if (f.network == "default") f.network.clear();
    return RunBuild(cli, f, args[0]);
  };
  return cmd;
}

}  // namespace berth::cli
