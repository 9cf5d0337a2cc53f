// berth search
#include "cli/cli.h"
#include "cli/cmd/commands.h"
#include "cli/cmd/common.h"
#include "cli/cmd/registry/common.h"
#include "cli/config_file.h"
#include "cli/format.h"
#include "cli/units.h"

namespace berth::cli {
namespace {

struct Options {
  int64_t limit = 25;
  std::vector<std::string> filters;
  bool no_trunc = false;
  std::string format;
};

Status Run(Cli& cli, const Options& o, const std::string& term) {
  auto filters = ParseFilters(o.filters);
  auto* c = BERTH_TRY(cli.Client());
  // The registry part of the term decides whose credentials go along.
  std::string server = "docker.io";
  if (auto slash = term.find('/'); slash != std::string::npos) {
    std::string first = term.substr(0, slash);
    if (first.find_first_of(".:") != std::string::npos || first == "localhost") server = first;
  }
  auto results = BERTH_TRY(client::ImageSearch(*c, term, static_cast<int>(o.limit), filters,
                                               RegistryAuthFor(ServerKey(server))));
  Rows rows;
  rows.type_name = "formatter.searchContext";
  rows.header = {{"Name", "NAME"},
                 {"Description", "DESCRIPTION"},
                 {"StarCount", "STARS"},
                 {"IsOfficial", "OFFICIAL"},
                 {"IsAutomated", "AUTOMATED"}};
  if (results.is_array()) {
    for (const auto& r : results) {
      std::string desc = r.value("description", "");
      for (char& ch : desc)
        if (ch == '\n' || ch == '\r') ch = ' ';
      if (!o.no_trunc) desc = Ellipsis(desc, 45);
      tmpl::Value row = {{"Name", r.value("name", "")},
                         {"Description", desc},
                         {"StarCount", std::to_string(r.value("star_count", 0))},
                         {"IsOfficial", r.value("is_official", false) ? "[OK]" : ""},
                         {"IsAutomated", r.value("is_automated", false) ? "[OK]" : ""}};
      rows.rows.push_back(row);
    }
  }
  std::string format = o.format;
  if (format.empty() || format == "table")
    format = "table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}\t{{.IsAutomated}}";
  cli.Out(BERTH_TRY(Render(format, rows)));
  return Ok();
}

}  // namespace

std::unique_ptr<Command> NewSearchCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<Options>();
  cmd->use = "search [OPTIONS] TERM";
  cmd->short_desc = "Search the Docker Hub for images";
  cmd->min_args = 1;
  cmd->max_args = 1;
  auto& f = cmd->flags;
  AddFilterFlag(f, &o->filters, "Filter output based on conditions provided");
  f.String(&o->format, "format", 0, "", "Pretty-print search using a Go template");
  f.Int(&o->limit, "limit", 0, 25, "Max number of search results");
  f.Bool(&o->no_trunc, "no-trunc", 0, false, "Don't truncate output");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) { return Run(cli, *o, args[0]); };
  return cmd;
}

}  // namespace berth::cli
