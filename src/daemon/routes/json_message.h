// JSON bodies and Docker's JSON message streams (jsonmessage) as the routes
// write them. A stream is one JSON object per line, each line ended by
// "\r\n" (moby's streamformatter) and flushed at once: {"status","id",
// "progressDetail"}, {"stream"}, {"aux"}, and on failure {"errorDetail":
// {"code"?,"message"},"error"}.
#pragma once

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "base/error.h"
#include "http/handler.h"

namespace berth::daemon {

// j as compact JSON text; invalid UTF-8 is replaced, never thrown.
std::string Dump(const nlohmann::json& j);

// Writes a message stream on w. Thread-safe (messages from several threads
// come out whole, one per line). The response (200, application/json)
// starts with the first message. Once a write fails (the client went away)
// later messages are dropped and the failure is kept for Finish.
class JsonMessageWriter {
 public:
  explicit JsonMessageWriter(http::ResponseWriter& w) : w_(w) {}

  Status Send(const nlohmann::json& message);
  // Ends the stream with the outcome of the operation s. An error goes into
  // the stream as errorDetail (with "code" when code != 0, e.g. a failed
  // RUN's exit status) and Finish returns Ok; only an error without a code
  // before any output is returned as is, for the route to answer as an HTTP
  // error. A success with no output yet starts an empty 200 response.
  Status Finish(Status s, int code = 0);
  // True once a message went out.
  bool started() const;

 private:
  Status WriteLocked(const nlohmann::json& message);

  http::ResponseWriter& w_;
  mutable std::mutex mu_;
  Status write_status_;  // guarded by mu_
};

}  // namespace berth::daemon
