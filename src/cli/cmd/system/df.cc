// berth system df
#include <fmt/format.h>

#include "base/reference.h"
#include "cli/cli.h"
#include "cli/cmd/commands.h"
#include "cli/cmd/image/image_rows.h"
#include "cli/format.h"
#include "cli/units.h"

namespace berth::cli {
namespace {

int64_t I(const client::json& j, const char* k, int64_t def = 0) {
  auto it = j.find(k);
  return it != j.end() && it->is_number() ? it->get<int64_t>() : def;
}

const client::json& Arr(const client::json& j, const char* k) {
  static const client::json empty = client::json::array();
  auto it = j.find(k);
  return it != j.end() && it->is_array() ? *it : empty;
}

tmpl::Value Row(const char* type, size_t total, int64_t active, int64_t size, int64_t reclaimable,
                bool percent) {
  std::string rec = HumanSize(static_cast<double>(reclaimable));
  if (percent && size > 0) rec += fmt::format(" ({}%)", reclaimable * 100 / size);
  return {{"Active", std::to_string(active)}, {"Reclaimable", rec},
          {"Size", HumanSize(static_cast<double>(size))}, {"TotalCount", std::to_string(total)},
          {"Type", type}};
}

Rows Summary(const client::json& df) {
  Rows rows;
  rows.type_name = "*formatter.diskUsageContext";
  rows.header = {{"Active", "ACTIVE"}, {"Reclaimable", "RECLAIMABLE"}, {"Size", "SIZE"},
                 {"TotalCount", "TOTAL"}, {"Type", "TYPE"}};
  // Images: the layers' size; what containers use is not reclaimable.
  const auto& images = Arr(df, "Images");
  int64_t active = 0, used = 0, total = I(df, "LayersSize");
  for (const auto& i : images) {
    if (I(i, "Containers") > 0) {
      ++active;
      int64_t vs = I(i, "VirtualSize", I(i, "Size")), ss = I(i, "SharedSize", -1);
      if (vs != -1 && ss != -1) used += vs - ss;
    }
  }
  rows.rows.push_back(Row("Images", images.size(), active, total, total - used, true));
  const auto& containers = Arr(df, "Containers");
  active = 0;
  int64_t size = 0, rec = 0;
  for (const auto& c : containers) {
    std::string state = c.value("State", "");
    int64_t rw = I(c, "SizeRw");
    size += rw;
    if (state == "running" || state == "paused" || state == "restarting") ++active;
    else rec += rw;
  }
  rows.rows.push_back(Row("Containers", containers.size(), active, size, rec, true));
  const auto& volumes = Arr(df, "Volumes");
  active = size = rec = 0;
  for (const auto& v : volumes) {
    auto u = v.value("UsageData", client::json::object());
    int64_t s = I(u, "Size", -1);
    if (I(u, "RefCount") > 0) ++active;
    if (s != -1) {
      size += s;
      if (I(u, "RefCount") == 0) rec += s;
    }
  }
  rows.rows.push_back(Row("Local Volumes", volumes.size(), active, size, rec, true));
  const auto& cache = Arr(df, "BuildCache");
  active = size = rec = 0;
  for (const auto& b : cache) {
    bool in_use = b.value("InUse", false), shared = b.value("Shared", false);
    if (in_use) ++active;
    if (!shared) {
      size += I(b, "Size");
      if (!in_use) rec += I(b, "Size");
    }
  }
  rows.rows.push_back(Row("Build Cache", cache.size(), active, size, rec, false));
  return rows;
}

Result<std::string> Verbose(const client::json& df, int64_t now) {
  std::string out = "Images space usage:\n\n";
  // One row per image, with its first tag (docker's df does not expand tags).
  client::json images = client::json::array();
  for (auto i : Arr(df, "Images")) {
    auto tags = i.value("RepoTags", client::json::array());
    if (tags.is_array() && tags.size() > 1) i["RepoTags"] = client::json::array({tags[0]});
    i["RepoDigests"] = client::json::array();
    images.push_back(i);
  }
  out += BERTH_TRY(Render(
      "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}",
      ImageRows(images, true, false, now)));
  out += "\nContainers space usage:\n\n";
  Rows c;
  c.header = {{"ID", "CONTAINER ID"}, {"Image", "IMAGE"}, {"Command", "COMMAND"},
              {"LocalVolumes", "LOCAL VOLUMES"}, {"Size", "SIZE"}, {"RunningFor", "CREATED"},
              {"Status", "STATUS"}, {"Names", "NAMES"}};
  for (const auto& ct : Arr(df, "Containers")) {
    std::string name;
    if (ct.contains("Names") && ct["Names"].is_array() && !ct["Names"].empty()) {
      name = ct["Names"][0].get<std::string>();
      if (!name.empty() && name[0] == '/') name.erase(0, 1);
    }
    std::string cmd = ct.value("Command", "");
    c.rows.push_back({{"ID", TruncateID(ct.value("Id", ""))},
                      {"Image", ct.value("Image", "")},
                      {"Command", "\"" + Ellipsis(cmd, 20) + "\""},
                      {"LocalVolumes", "0"},
                      {"Size", HumanSizeWithPrecision(static_cast<double>(I(ct, "SizeRw")), 3)},
                      {"RunningFor", Since(I(ct, "Created"), now)},
                      {"Status", ct.value("Status", "")},
                      {"Names", name}});
  }
  out += BERTH_TRY(Render("table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}", c));
  out += "\nLocal Volumes space usage:\n\n";
  Rows v;
  v.header = {{"Name", "VOLUME NAME"}, {"Links", "LINKS"}, {"Size", "SIZE"}};
  for (const auto& vol : Arr(df, "Volumes")) {
    auto u = vol.value("UsageData", client::json::object());
    int64_t s = I(u, "Size", -1);
    v.rows.push_back({{"Name", vol.value("Name", "")},
                      {"Links", std::to_string(I(u, "RefCount"))},
                      {"Size", s == -1 ? std::string("N/A") : HumanSize(static_cast<double>(s))}});
  }
  out += BERTH_TRY(Render("table {{.Name}}\t{{.Links}}\t{{.Size}}", v));
  int64_t cache = 0;
  for (const auto& b : Arr(df, "BuildCache"))
    if (!b.value("Shared", false)) cache += I(b, "Size");
  out += "\nBuild cache usage: " + HumanSize(static_cast<double>(cache)) + "\n\n";
  Rows b;
  b.header = {{"ID", "CACHE ID"}, {"CacheType", "CACHE TYPE"}, {"Size", "SIZE"}, {"CreatedSince", "CREATED"},
              {"LastUsedSince", "LAST USED"}, {"UsageCount", "USAGE"}, {"Shared", "SHARED"}};
  out += BERTH_TRY(Render("table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}", b));
  return out;
}

struct Options {
  bool verbose = false;
  std::string format;
};

}  // namespace

std::unique_ptr<Command> NewDfCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<Options>();
  cmd->use = "df [OPTIONS]";
  cmd->short_desc = "Show berth disk usage";
  cmd->max_args = 0;
  cmd->flags.Bool(&o->verbose, "verbose", 'v', false, "Show detailed information on space usage");
  cmd->flags.String(&o->format, "format", 0, "", "Pretty-print images using a Go template");
  cmd->run = [o](Cli& cli, const std::vector<std::string>&) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    auto df = BERTH_TRY(c->DiskUsage());
    std::string out;
    if (o->verbose && o->format.empty()) {
      out = BERTH_TRY(Verbose(df, cli.Now()));
    } else {
      std::string format = o->format.empty() ? "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}"
                                             : o->format;
      out = BERTH_TRY(Render(format, Summary(df)));
    }
    cli.Out(out);
    return Ok();
  };
  return cmd;
}

}  // namespace berth::cli
