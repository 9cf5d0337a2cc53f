#include "sys/signals.h"

#include <signal.h>

#include <array>
#include <utility>

#include "base/strings.h"

namespace berth::sys {
namespace {

constexpr std::array<std::pair<const char*, int>, 31> kSignals{{
    {"HUP", SIGHUP},       {"INT", SIGINT},     {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},   {"BUS", SIGBUS},       {"FPE", SIGFPE},
    {"KILL", SIGKILL},     {"USR1", SIGUSR1},   {"SEGV", SIGSEGV},     {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},   {"TERM", SIGTERM},     {"STKFLT", SIGSTKFLT},
    {"CHLD", SIGCHLD},     {"CONT", SIGCONT},   {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},   {"URG", SIGURG},       {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},   {"WINCH", SIGWINCH},
    {"IO", SIGIO},         {"PWR", SIGPWR},     {"SYS", SIGSYS},
}};

}  // namespace

Result<int> ParseSignal(std::string_view input) {
  auto bad = [&] { return Error::Invalid("invalid signal \"" + std::string(input) + "\""); };
  if (auto n = str::ParseInt(input)) {
    if (*n <= 0 || *n > SIGRTMAX) return bad();
    return static_cast<int>(*n);
  }
  std::string name = str::ToLower(input);
  for (char& c : name) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  if (str::StartsWith(name, "SIG")) name = name.substr(3);
  if (name == "IOT") return SIGABRT;
  if (name == "CLD") return SIGCHLD;
  if (name == "POLL") return SIGIO;
  for (const auto& [n, v] : kSignals)
    if (name == n) return v;
  auto rt = [&](std::string_view base, int origin, int dir) -> Result<int> {
    std::string_view rest = std::string_view(name).substr(base.size());
    if (rest.empty()) return origin;
    if (rest.size() < 2 || (rest[0] != '+' && rest[0] != '-')) return bad();
    auto off = str::ParseInt(rest.substr(1));
    if (!off) return bad();
    int sig = origin + static_cast<int>(rest[0] == '+' ? *off : -*off);
    (void)dir;
    if (sig < SIGRTMIN || sig > SIGRTMAX) return bad();
    return sig;
  };
  if (str::StartsWith(name, "RTMIN")) return rt("RTMIN", SIGRTMIN, 1);
  if (str::StartsWith(name, "RTMAX")) return rt("RTMAX", SIGRTMAX, -1);
  return bad();
}

std::string SignalName(int sig) {
  for (const auto& [n, v] : kSignals)
    if (v == sig) return std::string("SIG") + n;
  if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
    if (sig == SIGRTMIN) return "SIGRTMIN";
    if (sig == SIGRTMAX) return "SIGRTMAX";
    return "SIGRTMIN+" + std::to_string(sig - SIGRTMIN);
  }
  return "SIG" + std::to_string(sig);
}

}  // namespace berth::sys
