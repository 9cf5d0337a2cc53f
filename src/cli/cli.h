// Cli: what a berth command runs with — its streams, the daemon address
// (-H, BERTH_HOST, default unix:///run/berth/berth.sock) and a lazily made
// API client — and Main, which parses the command line as docker does and
// returns the exit status:
//   0 success; 1 a failed command, an argument-count error or an unknown
//   command; 125 a flag error ("unknown flag: --x\nSee 'berth images
//   --help'.").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "client/client.h"

namespace berth::cli {

struct Streams {
  int in = 0, out = 1, err = 2;
};

struct Env {
  std::string berth_host;  // $BERTH_HOST
  int64_t now = 0;         // seconds since the epoch; 0: the clock (tests fix it)
};

class Cli {
 public:
  Cli(Streams io, Env env) : io_(io), env_(std::move(env)) {}

  void Out(std::string_view s);
  void Err(std::string_view s);
  int in_fd() const { return io_.in; }
  int out_fd() const { return io_.out; }
  bool OutIsTerminal() const;
  bool InIsTerminal() const;
  int64_t Now() const;

  // The daemon address in use.
  const std::string& host() const { return host_; }
  void set_host(std::string h) { host_ = std::move(h); }
  // The exit status when it is neither 0 nor 1 (run: the container's code,
  // 125/126/127); Main returns it once the command's objects are gone.
  void set_exit_code(int code) { exit_code_ = code; }
  int exit_code() const { return exit_code_; }

  // The API client (made on first use; connects on its first call).
  Result<client::Client*> Client();

 private:
  Streams io_;
  Env env_;
  std::string host_;
  int exit_code_ = 0;
  std::unique_ptr<client::Client> client_;
};

// Runs `berth args...` (args without the program name).
int Main(const std::vector<std::string>& args, Streams io, Env env);

// "Berth version 0.1.0, build abc1234"
std::string VersionLine();
extern const char* const kVersion;
extern const char* const kGitCommit;

}  // namespace berth::cli
