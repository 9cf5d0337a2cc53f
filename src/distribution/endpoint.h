// Where a repository lives: the registry host from a reference's domain,
// and whether it may be spoken to over plain HTTP.
//
// Rule: HTTPS with certificate checks, except for "insecure" registries:
// loopback hosts (localhost, 127.0.0.0/8, ::1) and those the daemon config
// lists (--insecure-registry / daemon.json "insecure-registries": host[:port]
// or an IPv4 CIDR). An insecure registry is tried over HTTPS without
// certificate checks first and then over plain HTTP, as dockerd does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::distribution {

struct Endpoint {
  std::string domain;   // as in the reference: "docker.io", "localhost:5000"
  std::string host;     // what is dialled: "registry-1.docker.io", "localhost:5000"
  bool insecure = false;
  // "https://host" (or "http://host" once an insecure registry answered in
  // plain HTTP).
  std::string base;
};

bool IsLoopbackHost(std::string_view host_port);
// True when domain is loopback or matches an entry of insecure.
bool IsInsecure(std::string_view domain, const std::vector<std::string>& insecure);
Endpoint ResolveEndpoint(std::string_view domain, const std::vector<std::string>& insecure);

}  // namespace berth::distribution
