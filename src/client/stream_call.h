// StreamCall: one request on a fresh connection whose response body is
// handed over piece by piece after its head was seen, so the caller learns
// the status before any body byte (http::Client::Stream reports the head
// only at the end). Used for save, load, import and events, where the body
// of a 200 goes to a file or a terminal but an error body must not.
#pragma once

#include <functional>
#include <string_view>

#include "base/error.h"
#include "http/client.h"
#include "http/socket.h"

namespace berth::client {

// Sends req (its body, or body_reader in chunks) and reads the head; then
// on_head(head) decides: an error stops there (the body is read into
// head.body first, up to 1 MiB, for the error message). Otherwise the body
// (Content-Length, chunked or until close) goes to on_data. Connection
// errors keep http's codes (kUnavailable, kPermissionDenied); *dialed
// tells whether the connection was made at all.
using HeadFn = std::function<Status(http::ClientResponse& head)>;
Status StreamCall(const http::Endpoint& endpoint, const http::ClientRequest& req,
                  const HeadFn& on_head, const http::Client::DataFn& on_data, bool* dialed);

}  // namespace berth::client
