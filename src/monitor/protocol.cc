#include "monitor/protocol.h"

#include <nlohmann/json.hpp>


namespace berth::monitor {
namespace {

bool ParseInt(std::string_view s, int& v) {
  if (s.empty() || s.size() > 9) return false;
  v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  return true;
}

bool ParseFlag(std::string_view s, bool& v) {
  if (s != "0" && s != "1") return false;
  v = s == "1";
  return true;
}

}  // namespace

Result<Command> ParseCommand(std::string_view line) {
  std::vector<std::string_view> w;
  size_t start = 0;
  while (start <= line.size()) {
    size_t sp = line.find(' ', start);
    if (sp == std::string_view::npos) sp = line.size();
    if (sp > start) w.push_back(line.substr(start, sp - start));
    start = sp + 1;
  }
  auto bad = [&] { return Error::Invalid("bad command \"" + std::string(line) + "\""); };
  if (w.empty()) return bad();
  Command c;
  if (w[0] == "start" && w.size() == 1) {
    c.kind = CommandKind::kStart;
  } else if (w[0] == "wait" && w.size() == 1) {
    c.kind = CommandKind::kWait;
  } else if (w[0] == "attach" && w.size() == 4) {
    c.kind = CommandKind::kAttach;
    if (!ParseFlag(w[1], c.in) || !ParseFlag(w[2], c.out) || !ParseFlag(w[3], c.err)) return bad();
  } else if (w[0] == "resize" && w.size() == 3) {
    c.kind = CommandKind::kResize;
    if (!ParseInt(w[1], c.height) || !ParseInt(w[2], c.width) || c.height > 65535 ||
        c.width > 65535)
      return bad();
  } else if (w[0] == "signal" && w.size() == 2) {
    c.kind = CommandKind::kSignal;
    if (!ParseInt(w[1], c.signal) || c.signal < 1 || c.signal > 64) return bad();
  } else {
    return bad();
  }
  return c;
}

void AppendFrame(std::string& out, StreamId stream, std::string_view payload) {
  uint32_t n = static_cast<uint32_t>(payload.size());
  char h[8] = {static_cast<char>(stream), 0, 0, 0, static_cast<char>(n >> 24),
               static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
  out.append(h, sizeof h);
  out.append(payload);
}

std::string EncodeExit(const ExitStatus& s) {
  nlohmann::ordered_json j;
  j["exit_code"] = s.exit_code;
  j["oom_killed"] = s.oom_killed;
  j["pid"] = s.pid;
  j["started_at"] = s.started_at;
  j["finished_at"] = s.finished_at;
  j["error"] = s.error;
  // Invalid UTF-8 in an error message becomes U+FFFD rather than failing.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Result<ExitStatus> DecodeExit(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error::Invalid("exit.json: invalid JSON");
  ExitStatus s;
  try {
    s.exit_code = j.value("exit_code", 0);
    s.oom_killed = j.value("oom_killed", false);
    s.pid = j.value("pid", 0);
    s.started_at = j.value("started_at", "");
    s.finished_at = j.value("finished_at", "");
    s.error = j.value("error", "");
  } catch (const nlohmann::json::exception& e) {
    return Error::Invalid(std::string("exit.json: ") + e.what());
  }
  return s;
}

int ExitCodeForStartError(std::string_view m) {
  auto has = [&](std::string_view s) { return m.find(s) != std::string_view::npos; };
  if (has("executable file not found") || has("no such file or directory") ||
      has("No such file or directory"))
    return 127;
  if (has("permission denied") || has("Permission denied") || has("is a directory") ||
      has("Is a directory") || has("not executable") || has("Exec format error"))
    return 126;
  return 128;
}

}  // namespace berth::monitor
