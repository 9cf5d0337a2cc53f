#include "cli/cmd/container/attach_session.h"

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "base/strings.h"

namespace berth::cli {
namespace {

// Without --sig-proxy these end the CLI; with a raw terminal they are
// caught so the terminal is restored first.
const std::vector<int>& FatalSignals() {
  static const std::vector<int> kSignals = {SIGHUP, SIGINT, SIGQUIT, SIGTERM};
  return kSignals;
}

}  // namespace

Result<std::unique_ptr<AttachSession>> AttachSession::Make(Cli& cli, client::Client& c,
                                                           SessionOptions o,
                                                           std::unique_ptr<http::Stream> conn) {
  std::unique_ptr<AttachSession> s(new AttachSession(cli, c, std::move(o), std::move(conn)));
  const SessionOptions& so = s->o_;
  s->resize_ = so.tty && cli.OutIsTerminal();
  std::vector<int> sigs;
  if (s->resize_) sigs.push_back(SIGWINCH);
  if (so.sig_proxy) {
    for (int sig : ProxiedSignals()) sigs.push_back(sig);
  } else if (so.tty && so.in && cli.InIsTerminal()) {
    for (int sig : FatalSignals()) sigs.push_back(sig);
  }
  if (!sigs.empty()) s->signals_ = BERTH_TRY(SignalPipe::Make(sigs));
  return s;
}

AttachSession::~AttachSession() {
  if (raw_) raw_->Restore();
}

void AttachSession::Abort() {
  if (conn_) ::shutdown(conn_->fd(), SHUT_RDWR);
  if (raw_) raw_->Restore();
}

void AttachSession::Resize() {
  WinSize ws = TerminalSize(cli_.out_fd());
  if (ws.height == 0 && ws.width == 0) return;
  if (!o_.exec_id.empty()) (void)client::ExecResize(c_, o_.exec_id, ws.height, ws.width);
  else (void)client::ContainerResize(c_, o_.container_id, ws.height, ws.width);
}

void AttachSession::OnSignals() {
  for (int sig; signals_ && (sig = signals_->Next()) != 0;) {
    if (sig == SIGWINCH) {
      Resize();
    } else if (o_.sig_proxy) {
      (void)KillContainer(c_, o_.container_id, SignalName(sig));
    } else {
      // A fatal signal: the terminal first, then the default action.
      if (raw_) raw_->Restore();
      signals_->Release(sig);
      ::raise(sig);
    }
  }
}

Result<IoEnd> AttachSession::Run() {
  if (o_.tty && o_.in && cli_.InIsTerminal()) raw_ = BERTH_TRY(RawTerminal::Make(cli_.in_fd()));
  if (resize_) {
    // The first resize may race the process start (docker retries 5 times,
    // 10 ms apart).
    WinSize ws = TerminalSize(cli_.out_fd());
    if (ws.height != 0 || ws.width != 0) {
      if (o_.nudge_size) (void)client::ContainerResize(c_, o_.container_id, ws.height + 1, ws.width + 1);
      auto once = [&]() -> Status {
        if (!o_.exec_id.empty()) return client::ExecResize(c_, o_.exec_id, ws.height, ws.width);
        return client::ContainerResize(c_, o_.container_id, ws.height, ws.width);
      };
      // A process that already ended cannot be resized; docker's message
      // for that comes from a goroutine the exit usually cuts short, so it
      // is not printed here.
      bool ok = once().ok();
      for (int i = 0; i < 5 && !ok; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        ok = once().ok();
      }
    }
  }
  IoOptions io;
  io.tty = o_.tty;
  io.in_fd = o_.in ? cli_.in_fd() : -1;
  io.out_fd = o_.out ? cli_.out_fd() : -1;
  io.err_fd = o_.err ? (o_.tty ? cli_.out_fd() : 2) : -1;
  io.detach_keys = DetachKeysOrDefault(o_.detach_keys);
  io.raw = raw_.get();
  if (signals_) {
    io.signal_fd = signals_->fd();
    io.on_signal = [this] { OnSignals(); };
  }
  auto end = StreamIo(*conn_, io);
  if (raw_) raw_->Restore();
  return end;
}

Result<client::json> InspectContainer(client::Client& c, const std::string& id) {
  auto resp = c.Do({.path = "/containers/" + id + "/json"});
  if (!resp.ok()) return client::WrapNotFound(std::move(resp).error(), "container", id);
  auto j = client::json::parse(resp->body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error::Internal("invalid JSON from the daemon");
  return j;
}

Status KillContainer(client::Client& c, const std::string& id, const std::string& signal) {
  client::Call call{.method = "POST", .path = "/containers/" + id + "/kill"};
  call.query.Add("signal", signal);
  BERTH_TRY(c.Do(call));
  return Ok();
}

void ReportError(Cli& cli, const std::string& cmd, std::string message, bool with_help) {
  while (!message.empty() && message.back() == '.') message.pop_back();
  message += ".";
  if (with_help) message += "\nSee 'berth " + cmd + " --help'.";
  cli.Err("berth: " + message + "\n");
}

int StartErrorStatus(const std::string& message) {
  std::string m = message;
  if (str::StartsWith(m, "Error response from daemon: ")) m = m.substr(28);
  if (m.find("executable file not found") != std::string::npos ||
      m.find("no such file or directory") != std::string::npos ||
      m.find("system cannot find the file specified") != std::string::npos)
    return 127;
  if (m.find("permission denied") != std::string::npos) return 126;
  return 125;
}

Status FinishWith(Cli& cli, Result<int> status) {
  if (!status.ok()) return std::move(status).error();
  cli.set_exit_code(*status);
  return Ok();
}

}  // namespace berth::cli
