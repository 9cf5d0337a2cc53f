// AttachSession: one attached container or exec process as the docker CLI
// drives it once the hijacked connection is open — signal handling set up
// before the start (so no signal is lost), then raw mode for a tty, the
// initial size and SIGWINCH resizes, --sig-proxy forwarding, and the copy
// of the streams (StreamIo). The terminal is restored on every way out:
// the end of output, detach, errors, a fatal signal (restored, then the
// signal re-raised) and the destructor.
//
// Also the ending rules the run group shares: docker's "docker: …"
// reports and exit statuses other than 0 and 1.
#pragma once

#include <memory>
#include <string>

#include "base/error.h"
#include "cli/cli.h"
#include "cli/cmd/container/attach_io.h"
#include "cli/cmd/container/term.h"
#include "client/client.h"

namespace berth::cli {

struct SessionOptions {
  std::string container_id;  // signals and resize go to the container …
  std::string exec_id;       // … or resize goes to this exec
  bool tty = false;
  bool in = false, out = true, err = true;  // the attached streams
  std::string detach_keys;                  // docker's form; "" for the default
  bool sig_proxy = false;                   // forward signals (docker: not with a tty)
  // attach: first resize to one more row and column, so the process sees a
  // SIGWINCH and redraws even when the size did not change (as docker).
  bool nudge_size = false;
};

class AttachSession {
 public:
  // Checks the terminal and catches signals; conn is the hijacked stream.
  static Result<std::unique_ptr<AttachSession>> Make(Cli& cli, client::Client& c, SessionOptions o,
                                                     std::unique_ptr<http::Stream> conn);
  ~AttachSession();
  // After the start: raw mode, size, copy until the end (or detach).
  Result<IoEnd> Run();
  // Drops the connection (a failed start) and restores the terminal.
  void Abort();

 private:
  AttachSession(Cli& cli, client::Client& c, SessionOptions o, std::unique_ptr<http::Stream> conn)
      : cli_(cli), c_(c), o_(std::move(o)), conn_(std::move(conn)) {}
  void Resize();
  void OnSignals();

  Cli& cli_;
  client::Client& c_;
  SessionOptions o_;
  std::unique_ptr<http::Stream> conn_;
  std::unique_ptr<SignalPipe> signals_;
  std::unique_ptr<RawTerminal> raw_;
  bool resize_ = false;
};

// GET /containers/{id}/json ("Error: No such container: x" when missing)
// and POST /containers/{id}/kill?signal=, as the run group needs them.
Result<client::json> InspectContainer(client::Client& c, const std::string& id);
Status KillContainer(client::Client& c, const std::string& id, const std::string& signal);

// docker's reportError: "berth: <message>." (+ "\nSee 'berth <cmd> --help'.").
void ReportError(Cli& cli, const std::string& cmd, std::string message, bool with_help);
// runStartContainerErr: 127 for a missing executable or file, 126 for
// permission denied, 125 otherwise.
int StartErrorStatus(const std::string& message);
// Ends a command with an exit status: an error goes to Main (printed,
// status 1); a status becomes Main's exit code (Cli::set_exit_code).
Status FinishWith(Cli& cli, Result<int> status);

}  // namespace berth::cli
