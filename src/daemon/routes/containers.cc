// /containers/..., /exec/... and /commit: the container routes over the
// engine. Attach and exec start hijack the connection and proxy it to the
// process's monitor (docs/containers.md).
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "base/log.h"
#include "base/strings.h"
#include "daemon/filters.h"
#include "daemon/routes/pipes.h"
#include "daemon/routes/json_message.h"
#include "daemon/routes/routes.h"

namespace berth::daemon {
namespace {

using nlohmann::json;

Result<json> ParseBody(http::Request& req) {
  std::string body = BERTH_TRY(req.ReadBody());
  if (str::Trim(body).empty()) return json::object();
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return Error::Invalid("invalid JSON in request body");
  return j;
}

Result<std::map<std::string, std::vector<std::string>>> FilterMap(const http::Request& req) {
  Filters f = BERTH_TRY(Filters::Parse(req.query.Get("filters")));
  std::map<std::string, std::vector<std::string>> out;
  for (const std::string& k : f.Keys()) out[k] = f.Get(k);
  return out;
}

// Docker's detach keys: "ctrl-p,ctrl-q" → bytes.
Result<std::string> ParseDetachKeys(const std::string& spec) {
  if (spec.empty()) return std::string("\x10\x11");
  std::string out;
  for (const std::string& k : str::Split(spec, ',')) {
    std::string key = str::ToLower(k);
    if (key.size() == 1) {
      out += key[0];
    } else if (str::StartsWith(key, "ctrl-") && key.size() == 6) {
      char c = key[5];
      if (c >= 'a' && c <= 'z')
        out += static_cast<char>(c - 'a' + 1);
      else if (c == '@' || c == '[' || c == '\\' || c == ']' || c == '^' || c == '_')
        out += static_cast<char>(c - '@');
      else
        return Error::Invalid("Invalid detach keys (" + spec + ") provided");
    } else {
      return Error::Invalid("Invalid detach keys (" + spec + ") provided");
    }
  }
  return out;
}

// Copies between the hijacked client stream and the monitor connection until
// the monitor closes (the process ended) or the client detaches / goes.
// stdin: whether client bytes go to the process; keys: the detach sequence.
void Proxy(http::Stream& client, int mon, bool stdin_open, const std::string& keys) {
  std::thread in_thread;
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC) < 0) return;
  bool detached = false;
  in_thread = std::thread([&] {
    char buf[32 * 1024];
    size_t matched = 0;  // bytes of the detach sequence seen so far
    for (;;) {
      auto n = client.Read(buf, sizeof buf);
      if (!n.ok() || *n == 0) break;
      if (!stdin_open) continue;
      std::string out;
      for (size_t i = 0; i < *n; i++) {
        char ch = buf[i];
        if (!keys.empty() && ch == keys[matched]) {
          if (++matched == keys.size()) {
            detached = true;
            break;
          }
          continue;
        }
        if (matched) out.append(keys, 0, matched);
        matched = 0;
        out += ch;
      }
      if (!out.empty()) {
        const char* p = out.data();
        size_t left = out.size();
        while (left) {
          ssize_t w = ::write(mon, p, left);
          if (w < 0 && errno == EINTR) continue;
          if (w <= 0) {
            left = 0;
            break;
          }
          p += w;
          left -= static_cast<size_t>(w);
        }
      }
      if (detached) break;
    }
    if (detached) {
      char x = 1;
      (void)!::write(wake[1], &x, 1);
    } else {
      ::shutdown(mon, SHUT_WR);  // the client's stdin ended
    }
  });
  char buf[32 * 1024];
  for (;;) {
    // The client's socket is watched for a full close only (POLLHUP, also
    // when the server aborts the connection at shutdown): a client without
    // stdin half-closes at once and still reads the output.
    pollfd pf[3] = {{mon, POLLIN, 0}, {wake[0], POLLIN, 0}, {client.fd(), 0, 0}};
    if (::poll(pf, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (pf[1].revents) break;  // detached
    if ((pf[2].revents & (POLLHUP | POLLERR)) && !(pf[0].revents & POLLIN)) break;
    ssize_t n = ::read(mon, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (!client.Write(std::string_view(buf, static_cast<size_t>(n))).ok()) break;
  }
  // Ends the reader: the client's side is shut so Read returns.
  (void)client.CloseWrite();
  ::shutdown(client.fd(), SHUT_RDWR);
  in_thread.join();
  ::close(wake[0]);
  ::close(wake[1]);
}

bool PeerClosed(int fd) {
  pollfd p{fd, 0, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR));
}

class ContainerRoutes {
 public:
  ContainerRoutes(engine::Engine& e) : e_(e) {}

  Status Create(http::Request& req, http::ResponseWriter& w) {
    json body = BERTH_TRY(ParseBody(req));
    engine::CreateResult r = BERTH_TRY(e_.Create(body, req.query.Get("name")));
    json warnings = json::array();
    for (auto& s : r.warnings) warnings.push_back(s);
    return w.SendJson(201, Dump({{"Id", r.id}, {"Warnings", warnings}}));
  }

  Status List(http::Request& req, http::ResponseWriter& w) {
    engine::ListOptions o;
    o.all = req.query.Bool("all");
    o.size = req.query.Bool("size");
    o.limit = static_cast<int>(BERTH_TRY(req.query.Int("limit", -1)));
    o.filters = BERTH_TRY(FilterMap(req));
    json out = BERTH_TRY(e_.List(o));
    return w.SendJson(200, Dump(out));
  }

  Status Inspect(http::Request& req, http::ResponseWriter& w) {
    json j = BERTH_TRY(e_.Inspect(std::string(req.Param("id")), req.query.Bool("size")));
    return w.SendJson(200, Dump(j));
  }

  Status Start(http::Request& req, http::ResponseWriter& w) {
    auto st = e_.Start(std::string(req.Param("id")));
    if (!st.ok() && st.error().code() == Code::kAlreadyExists) return w.Send(304, "", "");
    BERTH_TRY(st);
    return w.Send(204, "", "");
  }

  Result<int> Timeout(http::Request& req) {
    if (!req.query.Has("t")) return -1;
    return static_cast<int>(BERTH_TRY(req.query.Int("t", -1)));
  }

  Status Stop(http::Request& req, http::ResponseWriter& w) {
    int t = BERTH_TRY(Timeout(req));
    auto st = e_.Stop(std::string(req.Param("id")), t);
    if (!st.ok() && st.error().code() == Code::kAlreadyExists) return w.Send(304, "", "");
    BERTH_TRY(st);
    return w.Send(204, "", "");
  }

  Status Restart(http::Request& req, http::ResponseWriter& w) {
    int t = BERTH_TRY(Timeout(req));
    BERTH_TRY(e_.Restart(std::string(req.Param("id")), t));
    return w.Send(204, "", "");
  }

  Status Kill(http::Request& req, http::ResponseWriter& w) {
    BERTH_TRY(e_.Kill(std::string(req.Param("id")), req.query.Get("signal")));
    return w.Send(204, "", "");
  }

  Status Wait(http::Request& req, http::ResponseWriter& w) {
    std::string cond = req.query.Get("condition");
    engine::WaitCondition c = engine::WaitCondition::kNotRunning;
    if (cond == "next-exit")
      c = engine::WaitCondition::kNextExit;
    else if (cond == "removed")
      c = engine::WaitCondition::kRemoved;
    else if (!cond.empty() && cond != "not-running")
      return Error::Invalid("invalid condition: \"" + cond + "\"");
    // The head goes out once the waiter is registered, so a client that
    // starts the container after this call returns cannot miss the exit.
    auto code = e_.Wait(
        std::string(req.Param("id")), c, [&] { return w.ClientGone(); },
        [&] {
          if (w.Start(200, "application/json").ok()) (void)w.Flush();
        });
    if (!code.ok()) {
      if (!w.started()) return std::move(code).error();
      return w.Write(Dump({{"StatusCode", -1}, {"Error", {{"Message", code.error().message()}}}}) +
                     "\n");
    }
    BERTH_TRY(w.Write(Dump({{"StatusCode", *code}, {"Error", nullptr}}) + "\n"));
    return w.Flush();
  }

  Status Delete(http::Request& req, http::ResponseWriter& w) {
    if (req.query.Bool("link")) {
      BERTH_TRY(e_.RemoveLink(std::string(req.Param("id"))));
      return w.Send(204, "", "");
    }
    BERTH_TRY(e_.Remove(std::string(req.Param("id")), req.query.Bool("force"), req.query.Bool("v")));
    return w.Send(204, "", "");
  }

  Status Rename(http::Request& req, http::ResponseWriter& w) {
    BERTH_TRY(e_.Rename(std::string(req.Param("id")), req.query.Get("name")));
    return w.Send(204, "", "");
  }
  Status Pause(http::Request& req, http::ResponseWriter& w) {
    BERTH_TRY(e_.Pause(std::string(req.Param("id"))));
    return w.Send(204, "", "");
  }
  Status Unpause(http::Request& req, http::ResponseWriter& w) {
    BERTH_TRY(e_.Unpause(std::string(req.Param("id"))));
    return w.Send(204, "", "");
  }
  Status Update(http::Request& req, http::ResponseWriter& w) {
    json body = BERTH_TRY(ParseBody(req));
    auto warnings = BERTH_TRY(e_.Update(std::string(req.Param("id")), body));
    return w.SendJson(200, Dump({{"Warnings", warnings}}));
  }
  Status Prune(http::Request& req, http::ResponseWriter& w) {
    auto f = BERTH_TRY(FilterMap(req));
    json r = BERTH_TRY(e_.Prune(f));
    return w.SendJson(200, Dump(r));
  }
  Status Top(http::Request& req, http::ResponseWriter& w) {
    json r = BERTH_TRY(e_.Top(std::string(req.Param("id")), req.query.Get("ps_args")));
    return w.SendJson(200, Dump(r));
  }
  Status Changes(http::Request& req, http::ResponseWriter& w) {
    json r = BERTH_TRY(e_.Changes(std::string(req.Param("id"))));
    if (r.is_array() && r.empty()) r = nullptr;
    return w.SendJson(200, Dump(r));
  }

  Status Attach(http::Request& req, http::ResponseWriter& w) {
    std::string id(req.Param("id"));
    bool in = req.query.Bool("stdin"), out = req.query.Bool("stdout"),
         err = req.query.Bool("stderr");
    bool tty = BERTH_TRY(e_.IsTty(id));
    std::string keys = BERTH_TRY(ParseDetachKeys(req.query.Get("detachKeys")));
    if (!req.query.Bool("stream") && !req.query.Bool("logs"))
      return Error::Invalid("at least one of stream or logs must be set");
    http::Stream* s = BERTH_TRY(w.Hijack(tty ? "application/vnd.docker.raw-stream"
                                             : "application/vnd.docker.multiplexed-stream"));
    if (req.query.Bool("logs")) {
      engine::LogsOptions lo;
      lo.stdout = out;
      lo.stderr = err;
      (void)e_.Logs(id, lo, nullptr, [&](std::string_view d) { return s->Write(d); }, nullptr);
    }
    if (!req.query.Bool("stream")) return Ok();
    // A client without stdin half-closes at once (docker does): only a full
    // close (POLLHUP) cancels the wait for the start.
    auto conn = e_.Attach(id, in, out, err, [s] { return PeerClosed(s->fd()); });
    if (!conn.ok()) {
      log::Debug("attach {}: {}", id, conn.error().message());
      return Ok();
    }
    Proxy(*s, conn->get(), in, keys);
    return Ok();
  }

  Status Resize(http::Request& req, http::ResponseWriter& w) {
    int h = static_cast<int>(BERTH_TRY(req.query.Int("h", 0)));
    int wd = static_cast<int>(BERTH_TRY(req.query.Int("w", 0)));
    BERTH_TRY(e_.Resize(std::string(req.Param("id")), h, wd));
    return w.Send(200, "", "text/plain");
  }

  Status Logs(http::Request& req, http::ResponseWriter& w) {
    engine::LogsOptions o;
    o.follow = req.query.Bool("follow");
    o.stdout = req.query.Bool("stdout");
    o.stderr = req.query.Bool("stderr");
    if (!o.stdout && !o.stderr)
      return Error::Invalid("Bad parameters: you must choose at least one stream");
    o.timestamps = req.query.Bool("timestamps");
    o.details = req.query.Bool("details");
    std::string tail = req.query.Get("tail");
    if (!tail.empty() && tail != "all") {
      auto n = str::ParseInt(tail);
      o.tail = n && *n >= 0 ? *n : -1;
    }
    auto parse_time = [](const std::string& v) -> int64_t {
      if (v.empty()) return 0;
      // Docker sends seconds[.nanoseconds].
      auto [secs, frac] = str::Cut(v, '.');
      auto s = str::ParseInt(secs);
      if (!s) return 0;
      int64_t ns = 0;
      if (!frac.empty()) {
        std::string f = frac.substr(0, 9);
        while (f.size() < 9) f += '0';
        ns = str::ParseInt(f).value_or(0);
      }
      return *s * 1000000000LL + ns;
    };
    o.since_nano = parse_time(req.query.Get("since"));
    o.until_nano = parse_time(req.query.Get("until"));
    std::string id(req.Param("id"));
    bool tty = BERTH_TRY(e_.IsTty(id));
    auto st = e_.Logs(
        id, o,
        [&]() -> Status {
          BERTH_TRY(w.Start(200, tty ? "application/vnd.docker.raw-stream"
                                     : "application/vnd.docker.multiplexed-stream"));
          return w.Flush();
        },
        [&](std::string_view d) -> Status {
          BERTH_TRY(w.Write(d));
          return o.follow ? w.Flush() : Ok();
        },
        [&] { return w.ClientGone(); });
    if (!st.ok()) {
      if (!w.started()) return st;
      log::Debug("logs {}: {}", id, st.error().message());
    }
    return w.Flush();
  }

  Status Export(http::Request& req, http::ResponseWriter& w) {
    std::string id(req.Param("id"));
    return DrainToSink([&](int fd) { return e_.Export(id, fd); },
                       [&](std::string_view d) -> Status {
                         if (!w.started()) BERTH_TRY(w.Start(200, "application/x-tar"));
                         return w.Write(d);
                       });
  }

  Status ArchiveHead(http::Request& req, http::ResponseWriter& w) {
    std::string path = req.query.Get("path");
    if (path.empty()) return Error::Invalid("path cannot be empty");
    std::string h = BERTH_TRY(e_.ArchiveStat(std::string(req.Param("id")), path));
    w.headers().Set("X-Docker-Container-Path-Stat", h);
    return w.Send(200, "", "text/plain");
  }

  Status ArchiveGet(http::Request& req, http::ResponseWriter& w) {
    std::string id(req.Param("id"));
    std::string path = req.query.Get("path");
    if (path.empty()) return Error::Invalid("path cannot be empty");
    std::string h = BERTH_TRY(e_.ArchiveStat(id, path));
    w.headers().Set("X-Docker-Container-Path-Stat", h);
    return DrainToSink([&](int fd) { return e_.ArchiveGet(id, path, fd, nullptr); },
                       [&](std::string_view d) -> Status {
                         if (!w.started()) BERTH_TRY(w.Start(200, "application/x-tar"));
                         return w.Write(d);
                       });
  }

  Status ArchivePut(http::Request& req, http::ResponseWriter& w) {
    std::string id(req.Param("id"));
    std::string path = req.query.Get("path");
    if (path.empty()) return Error::Invalid("path cannot be empty");
    bool no_overwrite = req.query.Bool("noOverwriteDirNonDir");
    bool copy_uid_gid = req.query.Bool("copyUIDGID");
    BERTH_TRY(FeedFromBody(*req.body, [&](int fd) {
      return e_.ArchivePut(id, path, fd, no_overwrite, copy_uid_gid);
    }));
    return w.Send(200, "", "text/plain");
  }

  Status Stats(http::Request& req, http::ResponseWriter& w) {
    std::string id(req.Param("id"));
    bool stream = req.query.BoolOr("stream", true) && !req.query.Bool("one-shot");
    return e_.Stats(
        id, stream,
        [&](const json& j) -> Status {
          if (!stream) return w.SendJson(200, Dump(j) + "\n");
          if (!w.started()) BERTH_TRY(w.Start(200, "application/json"));
          BERTH_TRY(w.Write(Dump(j) + "\n"));
          return w.Flush();
        },
        [&] { return w.ClientGone(); });
  }

  Status Commit(http::Request& req, http::ResponseWriter& w) {
    std::string container = req.query.Get("container");
    if (container.empty()) return Error::Invalid("No such container: ");
    std::string repo = req.query.Get("repo"), tag = req.query.Get("tag");
    std::string ref = repo.empty() ? "" : (tag.empty() ? repo : repo + ":" + tag);
    json body = BERTH_TRY(ParseBody(req));
    std::vector<std::string> changes = req.query.GetAll("changes");
    std::string id = BERTH_TRY(e_.Commit(container, ref, req.query.Get("comment"),
                                         req.query.Get("author"), changes,
                                         req.query.BoolOr("pause", true),
                                         body.empty() ? nullptr : &body));
    return w.SendJson(201, Dump({{"Id", id}}));
  }

  // Exec.
  Status ExecCreate(http::Request& req, http::ResponseWriter& w) {
    json b = BERTH_TRY(ParseBody(req));
    engine::ExecConfig c;
    auto strings = [](const json& v) {
      std::vector<std::string> out;
      if (v.is_array())
        for (auto& s : v)
          if (s.is_string()) out.push_back(s.get<std::string>());
      return out;
    };
    c.cmd = strings(b.value("Cmd", json()));
    c.env = strings(b.value("Env", json()));
    c.user = b.value("User", "");
    c.working_dir = b.value("WorkingDir", "");
    c.tty = b.value("Tty", false);
    c.attach_stdin = b.value("AttachStdin", false);
    c.attach_stdout = b.value("AttachStdout", false);
    c.attach_stderr = b.value("AttachStderr", false);
    c.privileged = b.value("Privileged", false);
    c.detach_keys = b.value("DetachKeys", "");
    std::string id = BERTH_TRY(e_.ExecCreate(std::string(req.Param("id")), c));
    return w.SendJson(201, Dump({{"Id", id}}));
  }

  Status ExecStart(http::Request& req, http::ResponseWriter& w) {
    json b = BERTH_TRY(ParseBody(req));
    std::string id(req.Param("id"));
    bool detach = b.value("Detach", false);
    bool tty = b.value("Tty", false);
    json info = BERTH_TRY(e_.ExecInspect(id));
    if (detach) {
      BERTH_TRY(e_.ExecStart(id, true, tty));
      return w.Send(200, "", "application/json");
    }
    bool exec_tty = tty || info["ProcessConfig"].value("tty", false);
    std::string keys = BERTH_TRY(ParseDetachKeys(info.value("DetachKeys", "")));
    http::Stream* s = BERTH_TRY(w.Hijack(exec_tty ? "application/vnd.docker.raw-stream"
                                                  : "application/vnd.docker.multiplexed-stream"));
    auto conn = e_.ExecStart(id, false, tty);
    if (!conn.ok()) {
      // Docker writes the error into the stream; the exit code comes from
      // exec inspect.
      std::string msg = conn.error().message() + "\r\n";
      if (!exec_tty) {
        uint32_t n = static_cast<uint32_t>(msg.size());
        std::string frame = {1, 0, 0, 0, static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                             static_cast<char>(n >> 8), static_cast<char>(n)};
        msg = frame + msg;
      }
      (void)s->Write(msg);
      return Ok();
    }
    Proxy(*s, conn->get(), info.value("OpenStdin", false), keys);
    return Ok();
  }

  Status ExecResize(http::Request& req, http::ResponseWriter& w) {
    int h = static_cast<int>(BERTH_TRY(req.query.Int("h", 0)));
    int wd = static_cast<int>(BERTH_TRY(req.query.Int("w", 0)));
    BERTH_TRY(e_.ExecResize(std::string(req.Param("id")), h, wd));
    return w.Send(201, "", "text/plain");
  }

  Status ExecInspect(http::Request& req, http::ResponseWriter& w) {
    json j = BERTH_TRY(e_.ExecInspect(std::string(req.Param("id"))));
    return w.SendJson(200, Dump(j));
  }

 private:
  engine::Engine& e_;
};

}  // namespace

void AddContainerRoutes(http::Router& r, engine::Engine* engine) {
  auto h = std::make_shared<ContainerRoutes>(*engine);
  auto bind = [h](Status (ContainerRoutes::*fn)(http::Request&, http::ResponseWriter&)) {
    return [h, fn](http::Request& req, http::ResponseWriter& w) { return ((*h).*fn)(req, w); };
  };
  r.Post("/containers/create", bind(&ContainerRoutes::Create));
  r.Get("/containers/json", bind(&ContainerRoutes::List));
  r.Post("/containers/prune", bind(&ContainerRoutes::Prune));
  // {id:.*} as moby: a name with slashes (an image reference, when `inspect`
  // tries containers first) is a 404 here, not a 405 from the DELETE route.
  r.Get("/containers/{id:.*}/json", bind(&ContainerRoutes::Inspect));
  r.Post("/containers/{id}/start", bind(&ContainerRoutes::Start));
  r.Post("/containers/{id}/stop", bind(&ContainerRoutes::Stop));
  r.Post("/containers/{id}/restart", bind(&ContainerRoutes::Restart));
  r.Post("/containers/{id}/kill", bind(&ContainerRoutes::Kill));
  r.Post("/containers/{id}/wait", bind(&ContainerRoutes::Wait));
  r.Delete("/containers/{id:.*}", bind(&ContainerRoutes::Delete));  // rm --link /web/alias
  r.Post("/containers/{id}/rename", bind(&ContainerRoutes::Rename));
  r.Post("/containers/{id}/pause", bind(&ContainerRoutes::Pause));
  r.Post("/containers/{id}/unpause", bind(&ContainerRoutes::Unpause));
  r.Post("/containers/{id}/update", bind(&ContainerRoutes::Update));
  r.Get("/containers/{id}/top", bind(&ContainerRoutes::Top));
  r.Get("/containers/{id}/changes", bind(&ContainerRoutes::Changes));
  r.Post("/containers/{id}/attach", bind(&ContainerRoutes::Attach));
  r.Post("/containers/{id}/resize", bind(&ContainerRoutes::Resize));
  r.Get("/containers/{id}/logs", bind(&ContainerRoutes::Logs));
  r.Get("/containers/{id}/export", bind(&ContainerRoutes::Export));
  r.Head("/containers/{id}/archive", bind(&ContainerRoutes::ArchiveHead));
  r.Get("/containers/{id}/archive", bind(&ContainerRoutes::ArchiveGet));
  r.Put("/containers/{id}/archive", bind(&ContainerRoutes::ArchivePut));
  r.Get("/containers/{id}/stats", bind(&ContainerRoutes::Stats));
  r.Post("/containers/{id}/exec", bind(&ContainerRoutes::ExecCreate));
  r.Post("/exec/{id}/start", bind(&ContainerRoutes::ExecStart));
  r.Post("/exec/{id}/resize", bind(&ContainerRoutes::ExecResize));
  r.Get("/exec/{id}/json", bind(&ContainerRoutes::ExecInspect));
  r.Post("/commit", bind(&ContainerRoutes::Commit));
}

}  // namespace berth::daemon
