// Rows for `ps` as docker's container formatter (formatter/container.go)
// presents GET /containers/json: one JSON object per container with the
// fields ID, Image, Command, CreatedAt, RunningFor, Ports, State, Status,
// Size, Names, Labels, Mounts, LocalVolumes, Networks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/format.h"
#include "client/client.h"

namespace berth::cli {

// docker's DisplayablePorts: "0.0.0.0:8080->80/tcp, 443/tcp", consecutive
// ports grouped into ranges ("8000-8002/tcp").
std::string DisplayablePorts(const client::json& ports);

// The COMMAND column: Go-quoted, cut to 20 code points with "…" when trunc.
std::string PsCommand(const std::string& command, bool trunc);

// The IMAGE column: with trunc, a digest is dropped and an image ID is cut.
std::string PsImage(const std::string& image, const std::string& image_id, bool trunc);

// The NAMES column: names without their leading "/"; with trunc only the
// first name that is not a link ("other/alias").
std::string PsNames(const client::json& names, bool trunc);

// "0B (virtual 1.2MB)", or "12B" without a root-fs size.
std::string PsSize(int64_t size_rw, int64_t size_root_fs);

// Go's strconv.Quote for UTF-8 text.
std::string GoQuote(std::string_view s);

// The rows, and each container's labels for `.Label "key"`.
struct ContainerRowSet {
  Rows rows;
  std::vector<tmpl::Value> labels;
};
ContainerRowSet ContainerRows(const client::json& containers, bool trunc, int64_t now);

// Renders rows with a ps format; `.Label "key"` is supported (as docker's
// method) by rewriting it to a function of the current row.
Result<std::string> RenderContainers(const std::string& format, const ContainerRowSet& set);

}  // namespace berth::cli
