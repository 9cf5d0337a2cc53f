#include "cli/cmd/container/term.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace berth::cli {

Result<std::unique_ptr<RawTerminal>> RawTerminal::Make(int fd) {
  termios saved{};
  if (::tcgetattr(fd, &saved) < 0) return Error::Sys("tcgetattr");
  termios raw = saved;
  raw.c_iflag &= ~static_cast<tcflag_t>(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  raw.c_oflag &= ~static_cast<tcflag_t>(OPOST);
  raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  raw.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB);
  raw.c_cflag |= CS8;
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  if (::tcsetattr(fd, TCSANOW, &raw) < 0) return Error::Sys("tcsetattr");
  return std::unique_ptr<RawTerminal>(new RawTerminal(fd, saved));
}

void RawTerminal::Restore() {
  if (restored_.exchange(true)) return;
  (void)::tcsetattr(fd_, TCSANOW, &saved_);
}

WinSize TerminalSize(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) < 0) return {};
  return {ws.ws_row, ws.ws_col};
}

namespace {

std::atomic<int> g_signal_write_fd{-1};

void OnSignal(int sig) {
  int saved = errno;
  int fd = g_signal_write_fd.load();
  if (fd >= 0) {
    unsigned char b = static_cast<unsigned char>(sig);
    (void)!::write(fd, &b, 1);
  }
  errno = saved;
}

}  // namespace

Result<std::unique_ptr<SignalPipe>> SignalPipe::Make(const std::vector<int>& signals) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) return Error::Sys("pipe");
  std::unique_ptr<SignalPipe> p(new SignalPipe());
  p->read_.reset(fds[0]);
  p->write_.reset(fds[1]);
  g_signal_write_fd.store(fds[1]);
  for (int sig : signals) {
    struct sigaction sa {};
    sa.sa_handler = OnSignal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    struct sigaction old {};
    if (::sigaction(sig, &sa, &old) < 0) return Error::Sys("sigaction");
    p->old_.emplace_back(sig, old);
  }
  return p;
}

SignalPipe::~SignalPipe() {
  for (auto& [sig, old] : old_) ::sigaction(sig, &old, nullptr);
  g_signal_write_fd.store(-1);
}

int SignalPipe::Next() {
  unsigned char b;
  ssize_t n = ::read(read_.get(), &b, 1);
  return n == 1 ? b : 0;
}

void SignalPipe::Release(int sig) {
  for (auto it = old_.begin(); it != old_.end(); ++it) {
    if (it->first != sig) continue;
    ::sigaction(sig, &it->second, nullptr);
    old_.erase(it);
    return;
  }
}

const std::vector<int>& ProxiedSignals() {
  static const std::vector<int> kSignals = {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM, SIGALRM};
  return kSignals;
}

std::string SignalName(int sig) {
  switch (sig) {
    case SIGHUP: return "HUP";
    case SIGINT: return "INT";
    case SIGQUIT: return "QUIT";
    case SIGUSR1: return "USR1";
    case SIGUSR2: return "USR2";
    case SIGTERM: return "TERM";
    case SIGALRM: return "ALRM";
    default: return std::to_string(sig);
  }
}

Result<std::string> ParseDetachKeys(std::string_view keys) {
  static constexpr std::string_view kCtrl = "@abcdefghijklmnopqrstuvwxyz[\\]^_";
  std::string out;
  size_t start = 0;
  for (;;) {
    size_t comma = keys.find(',', start);
    std::string_view key = keys.substr(start, comma == std::string_view::npos ? keys.npos : comma - start);
    if (key.size() == 1) {
      out.push_back(key[0]);
    } else if (key.size() == 6 && key.substr(0, 5) == "ctrl-" && kCtrl.find(key[5]) != kCtrl.npos) {
      out.push_back(static_cast<char>(kCtrl.find(key[5])));
    } else {
      return Error::Invalid(fmt::format("Unknown character: '{}'", key));
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string DetachKeysOrDefault(std::string_view keys) {
  if (!keys.empty()) {
    auto parsed = ParseDetachKeys(keys);
    if (parsed.ok()) return *parsed;
  }
  return std::string("\x10\x11");
}

bool EscapeDetector::Feed(std::string_view in, std::string* forward) {
  if (keys_.empty()) {
    forward->append(in);
    return false;
  }
  for (char c : in) {
    if (c == keys_[matched_]) {
      if (++matched_ == keys_.size()) {
        matched_ = 0;
        return true;
      }
      continue;
    }
    // A mismatch: the first held byte was ordinary input; the rest (and c)
    // may still start the sequence, so they are scanned again.
    std::string held(keys_, 0, matched_);
    held.push_back(c);
    matched_ = 0;
    forward->push_back(held[0]);
    if (Feed(std::string_view(held).substr(1), forward)) return true;
  }
  return false;
}

}  // namespace berth::cli
