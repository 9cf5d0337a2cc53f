#include "sys/proc.h"

#include "base/fs.h"
#include "base/strings.h"

namespace berth::sys {
namespace {

struct Stat {
  char state = '?';
  uint64_t start_time = 0;
};

Result<Stat> ReadStat(pid_t pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  auto s = fs::ReadFile(path);
  if (!s.ok()) return std::move(s).error();
  // The command name (field 2) may hold spaces and parens: parse after the
  // last ')'.
  size_t close = s->rfind(')');
  if (close == std::string::npos) return Error::Internal("parse " + path);
  auto fields = str::Split(std::string_view(*s).substr(close + 2), ' ');
  // fields[0] is field 3 (state); field 22 is fields[19].
  if (fields.size() < 20) return Error::Internal("parse " + path);
  Stat st;
  st.state = fields[0].empty() ? '?' : fields[0][0];
  auto t = str::ParseUint(fields[19]);
  if (!t) return Error::Internal("parse " + path + ": starttime");
  st.start_time = *t;
  return st;
}

}  // namespace

Result<uint64_t> ProcessStartTime(pid_t pid) {
  auto st = ReadStat(pid);
  if (!st.ok()) return std::move(st).error();
  return st->start_time;
}

bool ProcessAlive(pid_t pid, uint64_t start_time) {
  if (pid <= 0) return false;
  auto st = ReadStat(pid);
  if (!st.ok()) return false;
  if (st->state == 'Z' || st->state == 'X') return false;
  return start_time == 0 || st->start_time == start_time;
}

}  // namespace berth::sys
