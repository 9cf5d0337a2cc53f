// Docker's jsonmessage display (DisplayJSONMessagesStream) for pull and
// push progress. On a terminal, each message with an ID and progress
// (every per-layer status carries "progressDetail") owns one line, redrawn
// in place with cursor movements, and Downloading/Pushing show a bar sized
// to the terminal; otherwise plain "ID: status" lines, with the bar
// updates left out.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace berth::cli {

class ProgressDisplay {
 public:
  ProgressDisplay(std::function<void(std::string_view)> out, bool terminal, int width = 80)
      : out_(std::move(out)), terminal_(terminal), width_(width) {}
  // Shows one message; an error message becomes the returned error.
  Status Show(const nlohmann::json& m);

 private:
  std::function<void(std::string_view)> out_;
  bool terminal_;
  int width_;
  std::map<std::string, int> lines_;  // ID -> its line, counted from the top
};

}  // namespace berth::cli
