// Internal: TLS on server connections with OpenSSL (mutual auth optional).
#pragma once

#include <memory>

#include "http/server.h"
#include "http/transport.h"

namespace berth::http::internal {

class TlsContext;

// Loads certificate, key and CA; kInvalidArgument naming the file on failure.
Result<std::shared_ptr<TlsContext>> MakeServerTlsContext(const TlsOptions& options);
// Runs the server side of the handshake on fd (blocking).
Result<std::unique_ptr<Transport>> TlsAccept(int fd, TlsContext& ctx);

}  // namespace berth::http::internal
