// The monitor's wire formats (docs/containers.md), shared by the monitor and
// its client: command lines on monitor.sock, Docker's 8-byte stream frames,
// exit.json, and the exit code a failed start gives.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "monitor/monitor_client.h"

namespace berth::monitor {

enum class CommandKind { kStart, kAttach, kResize, kWait, kSignal };

struct Command {
  CommandKind kind = CommandKind::kStart;
  bool in = false, out = false, err = false;  // attach
  int height = 0, width = 0;                  // resize
  int signal = 0;                             // signal
};

// One command line, without its "\n".
Result<Command> ParseCommand(std::string_view line);

// Docker's multiplexed stream: [stream, 0, 0, 0, length (big endian)] payload.
enum StreamId : uint8_t { kStdin = 0, kStdout = 1, kStderr = 2 };
void AppendFrame(std::string& out, StreamId stream, std::string_view payload);

std::string EncodeExit(const ExitStatus& s);
Result<ExitStatus> DecodeExit(std::string_view json);

// The exit code of a process whose start failed, from the runtime's message,
// as Docker decides it: 127 when the executable is missing, 126 when it
// cannot be run, else 128.
int ExitCodeForStartError(std::string_view message);

}  // namespace berth::monitor
