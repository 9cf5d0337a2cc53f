// Terminal and signal helpers for the attached container commands (run,
// start -a, attach, exec):
//   - RawTerminal puts a terminal in raw mode as the docker CLI does
//     (moby/term's MakeRaw, i.e. cfmakeraw: no echo, no canonical mode, no
//     signals from keys, no output processing, 8-bit) and restores the saved
//     mode once, from whichever path comes first (Restore, the destructor).
//   - SignalPipe turns signals into bytes on a pipe (the handler only
//     write(2)s the number), so a poll loop handles them outside signal
//     context; the previous dispositions come back on destruction.
//   - DetachKeys / EscapeDetector: docker's detach sequence ("ctrl-p,ctrl-q"
//     by default).
#pragma once

#include <signal.h>
#include <termios.h>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::cli {

class RawTerminal {
 public:
  // Saves fd's mode and makes it raw. An error when fd is not a terminal.
  static Result<std::unique_ptr<RawTerminal>> Make(int fd);
  ~RawTerminal() { Restore(); }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;
  // Puts the saved mode back; only the first call acts (thread-safe).
  void Restore();

 private:
  RawTerminal(int fd, const termios& saved) : fd_(fd), saved_(saved) {}
  int fd_;
  termios saved_;
  std::atomic<bool> restored_{false};
};

// The window size of a terminal; {0,0} when fd is not one.
struct WinSize {
  int height = 0, width = 0;
};
WinSize TerminalSize(int fd);

class SignalPipe {
 public:
  // Catches signals (SA_RESTART) into a non-blocking pipe. One SignalPipe
  // at a time per process.
  static Result<std::unique_ptr<SignalPipe>> Make(const std::vector<int>& signals);
  ~SignalPipe();
  SignalPipe(const SignalPipe&) = delete;
  SignalPipe& operator=(const SignalPipe&) = delete;
  // Readable when a signal arrived.
  int fd() const { return read_.get(); }
  // The next caught signal, or 0 when none is pending.
  int Next();
  // Gives sig its previous disposition back (before re-raising it).
  void Release(int sig);

 private:
  SignalPipe() = default;
  unique_fd read_, write_;
  std::vector<std::pair<int, struct sigaction>> old_;
};

// The signals `docker run` forwards to the container with --sig-proxy, and
// docker's name for a number ("INT", "TERM"; the number as text otherwise).
const std::vector<int>& ProxiedSignals();
std::string SignalName(int sig);

// moby/term's ToBytes: "ctrl-p,ctrl-q" → "\x10\x11". Keys are single
// characters or ctrl-<x> with x in a-z, @, [, \, ], ^, _.
Result<std::string> ParseDetachKeys(std::string_view keys);
// The bytes of keys, or of the default ctrl-p ctrl-q when keys is empty or
// invalid (as the docker CLI falls back).
std::string DetachKeysOrDefault(std::string_view keys);

// Finds the detach sequence in typed input. Bytes that might begin the
// sequence are held back until the next byte decides; everything else is
// passed through in order.
class EscapeDetector {
 public:
  explicit EscapeDetector(std::string keys) : keys_(std::move(keys)) {}
  // Appends to *forward the bytes to send on; true when the whole sequence
  // was typed (the bytes after it are dropped).
  bool Feed(std::string_view in, std::string* forward);
  // Bytes held back (a partial sequence), to send when input ends.
  std::string Pending() const { return keys_.substr(0, matched_); }

 private:
  std::string keys_;
  size_t matched_ = 0;
};

}  // namespace berth::cli
