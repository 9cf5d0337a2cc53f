#include "daemon/routes/pipes.h"

#include <fcntl.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "base/fs.h"
#include "base/unique_fd.h"

namespace berth::daemon {
namespace {

constexpr size_t kChunk = 128 * 1024;

Status MakePipe(unique_fd* r, unique_fd* w) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error::Sys("pipe");
  r->reset(fds[0]);
  w->reset(fds[1]);
  // A bigger pipe means fewer context switches on big layers; best effort.
  (void)::fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
  return Ok();
}

}  // namespace

Status FeedFromBody(http::BodyReader& body, const std::function<Status(int)>& consume) {
  unique_fd r, w;
  BERTH_TRY(MakePipe(&r, &w));
  Status consumed;
  std::thread worker([&consumed, &consume, rfd = std::move(r)]() mutable {
    consumed = consume(rfd.get());
    rfd.reset();  // a writer still copying gets EPIPE and stops
  });
  Status fed;
  std::vector<char> buf(kChunk);
  for (;;) {
    Result<size_t> n = body.Read(buf.data(), buf.size());
    if (!n.ok()) {
      fed = std::move(n).error().Context("read request body");
      break;
    }
    if (*n == 0) break;
    if (!fs::WriteAll(w.get(), std::string_view(buf.data(), *n)).ok()) break;  // consumer done
  }
  w.reset();
  worker.join();
  if (!fed.ok()) return fed;
  return consumed;
}

Status DrainToSink(const std::function<Status(int)>& produce,
                   const std::function<Status(std::string_view)>& sink) {
  unique_fd r, w;
  BERTH_TRY(MakePipe(&r, &w));
  Status produced;
  std::thread worker([&produced, &produce, wfd = std::move(w)]() mutable {
    produced = produce(wfd.get());
    wfd.reset();
  });
  Status sunk;
  std::vector<char> buf(kChunk);
  for (;;) {
    ssize_t n = ::read(r.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      sunk = Error::Sys("read pipe");
      break;
    }
    if (n == 0) break;
    sunk = sink(std::string_view(buf.data(), static_cast<size_t>(n)));
    if (!sunk.ok()) break;
  }
  r.reset();
  worker.join();
  if (!sunk.ok()) return sunk;
  return produced;
}

}  // namespace berth::daemon
