// Named network namespaces: a new namespace kept alive by a bind mount of
// its nsfs file at a path (as `ip netns add` does, under
// <exec-root>/netns/<id>), so the runtime joins it by path and berthd can
// configure it before and after the container runs.
#pragma once

#include <string>

#include "base/error.h"
#include "base/unique_fd.h"
#include "network/netlink.h"

namespace berth::network {

struct Netns {
  unique_fd fd;    // the namespace (for IFLA_NET_NS_FD, setns)
  Netlink nl;      // an rtnetlink socket inside it
};

// Creates a namespace bound at path (whose directory must exist). Done on a
// short-lived thread that unshares its own network namespace, so no other
// thread of the daemon changes namespace. Fails if path exists.
Result<Netns> CreateNetns(const std::string& path);

// The namespace bound at path (its fd) with an rtnetlink socket inside.
Result<Netns> OpenNetns(const std::string& path);

// Unmounts and removes path; the namespace (and its links) goes when its
// last process has gone. No error when path is absent.
Status RemoveNetns(const std::string& path);

}  // namespace berth::network
