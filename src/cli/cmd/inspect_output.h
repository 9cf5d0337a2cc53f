// docker's inspect output: without a format, the raw JSON objects as one
// array indented by 4 spaces ("[]" when none was found); with --format, the
// template once per object. Errors for single names are collected and
// returned together after the output, joined by newlines.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/error.h"
#include "cli/cli.h"

namespace berth::cli {

using RawGetter = std::function<Result<std::string>(const std::string& name)>;
Status InspectAll(Cli& cli, const std::string& format, const std::vector<std::string>& names,
                  const RawGetter& get);

}  // namespace berth::cli
