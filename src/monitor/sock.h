// Unix stream sockets by path, for monitor.sock. A path longer than
// sockaddr_un allows (exec dirs nest deep) is reached through its directory
// (/proc/self/fd/N/name).
#pragma once

#include <string>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::monitor {

// Binds and listens (mode 0600); an existing socket file is replaced.
Result<unique_fd> ListenUnix(const std::string& path);
// kUnavailable when nothing listens there.
Result<unique_fd> ConnectUnix(const std::string& path);

}  // namespace berth::monitor
