// Transport: one HTTP(S) request to a registry, through libcurl.
//
// Why libcurl and not src/http's client: registries outside loopback speak
// HTTPS with certificate checks against the system's CAs, blob GETs are
// often redirected to object storage on another host, and proxies come
// from the environment; libcurl does all of that (and HTTP/2), src/http's
// client speaks plain HTTP/1.1 on one socket. One easy handle per request:
// no state shared between the parallel layer downloads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::distribution {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent when upload_fd < 0 ...
  std::string_view body_ref;         // ... or these bytes, when not empty (not owned)
  int upload_fd = -1;                // ... or the contents of this fd
  int64_t upload_size = -1;          // its size (required with upload_fd)
  int64_t range_from = -1;           // "Range: bytes=N-" when >= 0
  bool follow_redirects = true;
  // When set, the body of a 2xx response goes here as it arrives (not into
  // HttpResponse::body); an error stops the transfer and is returned.
  std::function<Status(std::string_view)> on_data;
  long timeout_connect_s = 30;
};

struct HttpResponse {
  int status = 0;
  // Lower-case names; repeated headers (WWW-Authenticate) kept in order.
  std::multimap<std::string, std::string> headers;
  std::string body;
  std::string Header(std::string_view name) const;  // first value or ""
  std::vector<std::string> Headers(std::string_view name) const;
};

struct TransportOptions {
  bool verify_tls = true;
};

// Performs req. Connection failures are kUnavailable with curl's text
// ("Get \"http://127.0.0.1:5000/v2/\": dial tcp ...: connection refused" in
// Docker's words). An error returned by on_data comes back as it was.
Result<HttpResponse> Perform(const HttpRequest& req, const TransportOptions& opts);

// Once per process, before any thread uses the transport.
void GlobalInit();

}  // namespace berth::distribution
