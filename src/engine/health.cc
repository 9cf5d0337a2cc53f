// HEALTHCHECK: a probe run as an exec at each interval while the container
// runs; its results feed State.Health (Docker's rules: failures during the
// start period do not count; Retries consecutive failures make it
// unhealthy; the last 5 results are kept).
#include <fmt/format.h>

#include "base/clock.h"
#include "base/log.h"
#include "engine/engine_impl.h"
#include "monitor/monitor_client.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

namespace berth::engine {
namespace {

using namespace std::chrono;

struct Probe {
  std::vector<std::string> cmd;
  milliseconds interval{30000}, timeout{30000}, start_period{0};
  int retries = 3;
};

// Config.Healthcheck → a probe; nullopt for none / NONE.
std::optional<Probe> ParseProbe(const json& hc) {
  if (!hc.is_object()) return std::nullopt;
  const json& test = hc.value("Test", json());
  if (!test.is_array() || test.empty() || !test[0].is_string()) return std::nullopt;
  std::string kind = test[0].get<std::string>();
  Probe p;
  if (kind == "CMD") {
    for (size_t i = 1; i < test.size(); i++) p.cmd.push_back(test[i].get<std::string>());
  } else if (kind == "CMD-SHELL" && test.size() > 1) {
    p.cmd = {"/bin/sh", "-c", test[1].get<std::string>()};
  } else {
    return std::nullopt;  // NONE or malformed
  }
  if (p.cmd.empty()) return std::nullopt;
  auto dur = [&](const char* key, milliseconds def) {
    const json& v = hc.value(key, json());
    int64_t ns = v.is_number_integer() ? v.get<int64_t>() : 0;
    return ns > 0 ? duration_cast<milliseconds>(nanoseconds(ns)) : def;
  };
  p.interval = dur("Interval", p.interval);
  p.timeout = dur("Timeout", p.timeout);
  p.start_period = dur("StartPeriod", p.start_period);
  const json& r = hc.value("Retries", json());
  if (r.is_number_integer() && r.get<int>() > 0) p.retries = r.get<int>();
  return p;
}

// Reads the probe's framed output (up to 4 KiB kept) until the connection
// ends or the deadline passes; false on timeout.
bool ReadOutput(int fd, steady_clock::time_point deadline, std::string* out) {
  std::string raw;
  char buf[8192];
  for (;;) {
    auto left = duration_cast<milliseconds>(deadline - steady_clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return false;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (raw.size() < 64 * 1024) raw.append(buf, static_cast<size_t>(n));
  }
  // Strip the 8-byte frame headers.
  size_t pos = 0;
  while (raw.size() - pos >= 8) {
    auto* h = reinterpret_cast<const unsigned char*>(raw.data() + pos);
    size_t len = (size_t{h[4]} << 24) | (size_t{h[5]} << 16) | (size_t{h[6]} << 8) | h[7];
    out->append(raw, pos + 8, std::min(len, raw.size() - pos - 8));
    pos += 8 + len;
  }
  if (out->size() > 4096) out->resize(4096);
  return true;
}

}  // namespace

void Engine::Impl::StartHealthcheck(const ContainerPtr& c) {
  std::optional<Probe> probe;
  uint64_t gen;
  {
    std::lock_guard lock(c->mu);
    probe = ParseProbe(c->config.value("Healthcheck", json()));
    gen = c->start_generation;
  }
  if (!probe) return;
  Engine* self = owner;
  std::thread([this, self, c, gen, p = *probe] {
    auto started = steady_clock::now();
    for (;;) {
      {
        std::unique_lock lock(c->mu);
        auto ended = [&] {
          return stopping || c->removed || c->start_generation != gen ||
                 (c->state.status != ContainerStatus::kRunning &&
                  c->state.status != ContainerStatus::kPaused);
        };
        c->cv.wait_for(lock, p.interval, ended);
        if (ended()) return;
        if (c->state.status == ContainerStatus::kPaused) continue;
      }
      std::string begin = NowRfc3339Nano();
      ExecConfig ec;
      ec.cmd = p.cmd;
      ec.attach_stdout = ec.attach_stderr = true;
      int code = -1;
      std::string output;
      auto eid = self->ExecCreate(c->id, ec);
      if (eid.ok()) {
        auto conn = self->ExecStart(*eid, false, false);
        if (conn.ok()) {
          auto deadline = steady_clock::now() + p.timeout;
          if (!ReadOutput(conn->get(), deadline, &output)) {
            std::string dir;
            {
              std::lock_guard l(mu);
              if (auto it = execs.find(*eid); it != execs.end()) dir = it->second->dir;
            }
            if (!dir.empty()) (void)monitor::Signal(dir, SIGKILL);
            output = fmt::format("Health check exceeded timeout ({}ms)", p.timeout.count());
            code = -1;
          } else {
            // The exit code arrives through the exit watcher.
            for (int i = 0; i < 1000; i++) {
              std::lock_guard l(mu);
              auto it = execs.find(*eid);
              if (it == execs.end() || it->second->has_exit) {
                if (it != execs.end()) code = it->second->exit_code;
                break;
              }
              std::this_thread::sleep_for(milliseconds(10));  // bounded poll (10 s)
            }
          }
        } else {
          output = conn.error().message();
        }
        std::lock_guard l(mu);
        execs.erase(*eid);
      } else {
        output = eid.error().message();
      }
      std::lock_guard lock(c->mu);
      if (c->start_generation != gen || c->removed) return;
      RunState& s = c->state;
      s.health_log.push_back(
          {{"Start", begin}, {"End", NowRfc3339Nano()}, {"ExitCode", code}, {"Output", output}});
      while (s.health_log.size() > 5) s.health_log.erase(s.health_log.begin());
      std::string before = s.health_status;
      bool in_start_period = steady_clock::now() - started < p.start_period;
      if (code == 0) {
        s.health_status = "healthy";
        s.health_failing_streak = 0;
      } else if (!in_start_period) {
        s.health_failing_streak++;
        if (s.health_failing_streak >= p.retries) s.health_status = "unhealthy";
      }
      (void)Save(*c);
      if (s.health_status != before) Publish("health_status: " + s.health_status, *c);
    }
  }).detach();
}

}  // namespace berth::engine
