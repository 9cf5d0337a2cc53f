#include "discovery/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>

#include "base/fs.h"
#include "base/log.h"

namespace berth::discovery {

using nlohmann::json;

std::string DumpLine(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<std::unique_ptr<Journal>> Journal::Open(const Options& options, State* state) {
  BERTH_TRY(fs::MkdirAll(options.dir, 0700));
  std::unique_ptr<Journal> j(new Journal(options));
  BERTH_TRY_CTX(j->Load(state), "load discovery store " + options.dir);
  return j;
}

Status Journal::Load(State* state) {
  std::string snap_path = fs::Join(options_.dir, "snapshot.json");
  if (fs::Exists(snap_path)) {
    std::string text = BERTH_TRY(fs::ReadFile(snap_path));
    json snap = json::parse(text, nullptr, false);
    if (snap.is_discarded()) return Error::Internal("snapshot.json is not JSON");
    BERTH_TRY(state->Restore(snap));
  }
  std::string log_path = fs::Join(options_.dir, "log.jsonl");
  fd_ = BERTH_TRY(fs::Open(log_path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  std::string text = BERTH_TRY(fs::ReadFd(fd_.get()));
  size_t pos = 0, good_end = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line(text.data() + pos, (nl == std::string::npos ? text.size() : nl) - pos);
    json rec = json::parse(line, nullptr, false);
    bool last = nl == std::string::npos || nl + 1 == text.size();
    if (nl == std::string::npos || rec.is_discarded()) {
      if (!last) return Error::Internal("log.jsonl: damaged record at byte " + std::to_string(pos));
      break;  // torn tail
    }
    BERTH_TRY_CTX(state->Apply(rec, nullptr), "log.jsonl at byte " + std::to_string(pos));
    ++replayed_;
    pos = good_end = nl + 1;
  }
  if (good_end < text.size()) {
    log::Warn("discovery store: cutting a torn record off the end of {} ({} bytes)", log_path,
              text.size() - good_end);
    if (::ftruncate(fd_.get(), static_cast<off_t>(good_end)) != 0)
      return Error::Sys("truncate " + log_path);
    if (::fdatasync(fd_.get()) != 0) return Error::Sys("fdatasync " + log_path);
    truncated_tail_ = true;
  }
  log_bytes_ = good_end;
  return Ok();
}

Result<uint64_t> Journal::Append(const json& record) {
  std::string line = DumpLine(record);
  line += '\n';
  BERTH_TRY_CTX(fs::WriteAll(fd_.get(), line), "append to the discovery log");
  log_bytes_ += line.size();
  std::lock_guard<std::mutex> l(sync_mu_);
  return ++appended_;
}

Status Journal::Sync(uint64_t seq) {
  if (!options_.sync) return Ok();
  std::lock_guard<std::mutex> l(sync_mu_);
  if (synced_ >= seq) return Ok();
  uint64_t upto = appended_;
  if (::fdatasync(fd_.get()) != 0) return Error::Sys("fdatasync the discovery log");
  synced_ = upto;
  return Ok();
}

Status Journal::Snapshot(const State& state) {
  std::string snap_path = fs::Join(options_.dir, "snapshot.json");
  BERTH_TRY_CTX(fs::AtomicWrite(snap_path, DumpLine(state.Snapshot()), 0600, true),
                "write discovery snapshot");
  std::lock_guard<std::mutex> l(sync_mu_);
  if (::ftruncate(fd_.get(), 0) != 0) return Error::Sys("truncate the discovery log");
  if (::fdatasync(fd_.get()) != 0) return Error::Sys("fdatasync the discovery log");
  synced_ = appended_;
  log_bytes_ = 0;
  return Ok();
}

}  // namespace berth::discovery
