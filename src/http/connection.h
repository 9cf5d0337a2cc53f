// Internal: serving the requests of one connection, in order, on the calling
// thread. The Server supplies the hooks that tie the connection to its
// shutdown.
#pragma once

#include "http/handler.h"
#include "http/server.h"
#include "http/transport.h"

namespace berth::http::internal {

class ConnHooks {
 public:
  virtual ~ConnHooks() = default;
  // Called once a request head has arrived; false drops the connection
  // (the server is stopping).
  virtual bool BeginRequest() = 0;
  // Called after the response; false ends keep-alive.
  virtual bool EndRequest() = 0;
  // True once the server is stopping (responses then say Connection: close).
  virtual bool Stopping() = 0;
};

// Reads requests from t and answers them with handler until the peer closes,
// an error occurs or hooks end it.
void ServeConnection(Transport& t, const Handler& handler, const Server::Options& options,
                     ConnHooks& hooks);

}  // namespace berth::http::internal
