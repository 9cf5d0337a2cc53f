// StreamIo: copies between the CLI's stdio and a hijacked attach or
// exec-start connection, as the docker CLI's hijackedIOStreamer does:
//   - output: raw bytes to stdout with a tty; otherwise docker's 8-byte
//     frames split into stdout and stderr (StdDemux);
//   - input: the CLI's stdin to the connection; at its end the write side
//     is half-closed (shutdown SHUT_WR) so the container reads EOF; with a
//     tty the detach sequence is watched for (and not sent);
//   - signals: while it runs, a readable signal_fd calls on_signal on the
//     calling thread (resize, --sig-proxy), never in signal context.
// It returns when the output ended (the container's streams closed), when
// input ended and no output is attached, or on the detach sequence.
#pragma once

#include <functional>
#include <string>

#include "base/error.h"
#include "http/stream.h"

namespace berth::cli {

class RawTerminal;

struct IoOptions {
  int in_fd = -1;   // stdin to copy; -1: stdin is not attached
  int out_fd = -1;  // -1: stdout is not attached
  int err_fd = -1;  // -1: stderr is not attached (with a tty: unused)
  bool tty = false;
  std::string detach_keys;  // bytes (ParseDetachKeys); watched with tty and stdin
  RawTerminal* raw = nullptr;  // restored as soon as the output ends
  int signal_fd = -1;
  std::function<void()> on_signal;
};

enum class IoEnd { kDone, kDetached };

Result<IoEnd> StreamIo(http::Stream& conn, const IoOptions& o);

}  // namespace berth::cli
