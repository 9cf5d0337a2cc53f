// berth stats: one streaming GET /containers/{id}/stats per container, each
// in its own thread with its own connection; the main thread prints the
// table once (--no-stream) or every second, clearing a terminal first.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "base/strings.h"
#include "cli/cmd/container/manage_commands.h"
#include "cli/cmd/container/stats_calc.h"

namespace berth::cli {
namespace {

struct Options {
  bool all = false, no_stream = false, no_trunc = false;
  std::string format;
};

constexpr const char* kTable =
    "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";

// What one collector thread shares with the printer.
struct Shared {
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, StatsEntry> entries;  // guarded by mu
  std::map<std::string, std::string> errors;  // guarded by mu
  std::map<std::string, bool> first;          // guarded by mu: a sample or an error came
};

void Collect(std::shared_ptr<Shared> sh, std::string host, std::string name, bool stream) {
  auto c = client::Client::New(host);
  Status st = c.ok() ? Ok() : Status(std::move(c).error());
  if (st.ok()) {
    st = client::ContainerStats(**c, name, stream, [&](const client::json& sample) -> Status {
      std::lock_guard<std::mutex> l(sh->mu);
      ApplySample(sample, &sh->entries[name]);
      sh->first[name] = true;
      sh->cv.notify_all();
      return Ok();
    });
  }
  std::lock_guard<std::mutex> l(sh->mu);
  if (!st.ok()) {
    sh->errors[name] = st.error().message();
    sh->entries[name].invalid = true;
  }
  sh->first[name] = true;
  sh->cv.notify_all();
}

class Stats {
 public:
  Stats(Cli& cli, const Options& o) : cli_(cli), o_(o), sh_(std::make_shared<Shared>()) {}

  void Start(const std::string& name, const std::string& id = "") {
    {
      std::lock_guard<std::mutex> l(sh_->mu);
      if (sh_->entries.count(name)) return;
      StatsEntry& e = sh_->entries[name];
      e.container = name;
      e.id = id;
      order_.push_back(name);
    }
    std::thread(Collect, sh_, cli_.host(), name, !o_.no_stream).detach();
  }

  // Waits until every container sent a sample or failed (or timeout).
  void WaitFirst(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> l(sh_->mu);
    sh_->cv.wait_for(l, timeout, [&] {
      for (const auto& n : order_)
        if (!sh_->first[n]) return false;
      return true;
    });
  }

  std::vector<std::string> Errors() {
    std::lock_guard<std::mutex> l(sh_->mu);
    std::vector<std::string> errs;
    for (const auto& n : order_)
      if (sh_->errors.count(n)) errs.push_back(sh_->errors[n]);
    return errs;
  }

  // Keeps only the named containers (the -a/running list of this tick).
  void Retain(const std::vector<std::string>& names) {
    std::lock_guard<std::mutex> l(sh_->mu);
    std::vector<std::string> keep;
    for (const auto& n : order_) {
      if (std::find(names.begin(), names.end(), n) != names.end()) keep.push_back(n);
      else sh_->entries.erase(n);
    }
    order_ = keep;
  }

  Status Print(const std::string& format) {
    std::vector<StatsEntry> entries;
    {
      std::lock_guard<std::mutex> l(sh_->mu);
      for (const auto& n : order_) entries.push_back(sh_->entries[n]);
    }
    auto out = BERTH_TRY(Render(format, StatsRows(entries, !o_.no_trunc)));
    if (!o_.no_stream && cli_.OutIsTerminal()) out = "\033[2J\033[H" + out;
    cli_.Out(out);
    return Ok();
  }

 private:
  Cli& cli_;
  const Options& o_;
  std::shared_ptr<Shared> sh_;
  std::vector<std::string> order_;
};

Result<std::vector<std::string>> ListIds(Cli& cli, bool all) {
  auto* c = BERTH_TRY(cli.Client());
  client::ContainerListOptions opts;
  opts.all = all;
  auto list = BERTH_TRY(client::ContainerList(*c, opts));
  std::vector<std::string> ids;
  if (list.is_array())
    for (const auto& e : list) ids.push_back(e.value("Id", ""));
  return ids;
}

Status Run(Cli& cli, const Options& o, const std::vector<std::string>& args) {
  std::string format = o.format.empty() || o.format == "table" ? kTable : o.format;
  Stats stats(cli, o);
  bool show_all = args.empty();
  if (show_all) {
    // As docker: listed containers are named by their short ID.
    for (const auto& id : BERTH_TRY(ListIds(cli, o.all))) stats.Start(id.substr(0, 12), id);
  } else {
    BERTH_TRY(cli.Client());  // a bad -H fails here, once
    for (const auto& name : args) stats.Start(name);
  }
  stats.WaitFirst(std::chrono::milliseconds(o.no_stream ? 30000 : 2500));
  if (!show_all) {
    auto errs = stats.Errors();
    if (!errs.empty()) return Error::Internal(str::Join(errs, "\n"));
  }
  for (;;) {
    BERTH_TRY(stats.Print(format));
    if (o.no_stream) return Ok();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    if (show_all) {
      auto ids = ListIds(cli, o.all);
      if (ids.ok()) {
        std::vector<std::string> names;
        for (const auto& id : *ids) names.push_back(id.substr(0, 12));
        stats.Retain(names);
        for (const auto& id : *ids) stats.Start(id.substr(0, 12), id);
      }
    }
  }
}

}  // namespace

std::unique_ptr<Command> NewStatsCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<Options>();
  cmd->use = "stats [OPTIONS] [CONTAINER...]";
  cmd->short_desc = "Display a live stream of container(s) resource usage statistics";
  auto& f = cmd->flags;
  f.Bool(&o->all, "all", 'a', false, "Show all containers (default shows just running)");
  f.String(&o->format, "format", 0, "", "Pretty-print images using a Go template");
  f.Bool(&o->no_stream, "no-stream", 0, false, "Disable streaming stats and only pull the first result");
  f.Bool(&o->no_trunc, "no-trunc", 0, false, "Do not truncate output");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) { return Run(cli, *o, args); };
  return cmd;
}

}  // namespace berth::cli
