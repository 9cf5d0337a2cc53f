// Moving tar streams between an HTTP body and a backend that works on file
// descriptors, through a pipe and one short-lived thread.
#pragma once

#include <functional>
#include <string_view>

#include "base/error.h"
#include "http/handler.h"

namespace berth::daemon {

// Runs consume(read_fd) on a helper thread while this thread copies body
// into the pipe; returns consume's status once both ends are done. When the
// body cannot be read (the client went away) the pipe is closed early, so
// consume sees a truncated stream, and the body's error is returned.
// SIGPIPE must be ignored (berthd does).
Status FeedFromBody(http::BodyReader& body, const std::function<Status(int read_fd)>& consume);

// Runs produce(write_fd) on a helper thread while this thread passes what
// it writes to sink, piece by piece. A failing sink closes the pipe (the
// producer then fails with EPIPE) and its error is returned; otherwise
// produce's status.
Status DrainToSink(const std::function<Status(int write_fd)>& produce,
                   const std::function<Status(std::string_view)>& sink);

}  // namespace berth::daemon
