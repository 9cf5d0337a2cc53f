// Router: method + path pattern → Handler, with Docker's API versioning.
//
// Patterns are split at '/': a literal segment matches itself, "{name}"
// matches one non-empty segment, "{name:.*}" one or more segments (image
// names contain '/'). Routes are tried in the order they were added; the
// first whose pattern and method match wins. A path that matches some
// pattern but no method gets 405, no pattern at all 404 {"message":"page
// not found"}.
//
// Versions: "/v1.41/containers/json" and "/containers/json" reach the same
// handler, with Request::api_version "1.41" (or the default for the
// unversioned path). Versions above the maximum or below the minimum get
// Docker's 400 errors ("client version 1.99 is too new. Maximum supported
// API version is 1.41").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/handler.h"

namespace berth::http {

// Compares dotted versions numerically ("1.9" < "1.41"): <0, 0, >0.
int CompareVersions(std::string_view a, std::string_view b);

class Router {
 public:
  struct Options {
    std::string min_version = "1.24";
    std::string max_version = "1.41";
    std::string default_version = "1.41";
  };

  Router() : Router(Options{}) {}
  explicit Router(Options options) : options_(std::move(options)) {}

  void Add(std::string_view method, std::string_view pattern, Handler handler);
  void Get(std::string_view pattern, Handler h) { Add("GET", pattern, std::move(h)); }
  void Post(std::string_view pattern, Handler h) { Add("POST", pattern, std::move(h)); }
  void Put(std::string_view pattern, Handler h) { Add("PUT", pattern, std::move(h)); }
  void Delete(std::string_view pattern, Handler h) { Add("DELETE", pattern, std::move(h)); }
  void Head(std::string_view pattern, Handler h) { Add("HEAD", pattern, std::move(h)); }

  // Routes req (its path and method; fills path, api_version and params)
  // and runs the handler, or answers 400/404/405 itself.
  Status Serve(Request& req, ResponseWriter& w) const;
  // Serve as a Handler for Server. The router must outlive it.
  Handler AsHandler() const;

  enum class MatchKind { kFound, kNoPath, kNoMethod };
  struct Match {
    MatchKind kind = MatchKind::kNoPath;
    const Handler* handler = nullptr;
    std::vector<std::pair<std::string, std::string>> params;
    std::string allow;  // kNoMethod: "GET, POST"
  };
  // Matches an unversioned, decoded path.
  Match Find(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
  };

  Options options_;
  std::vector<Route> routes_;
};

// Splits "/v1.41/x/y" into version "1.41" and path "/x/y". False when the
// path has no version prefix (then path is returned whole).
bool SplitVersion(std::string_view path, std::string* version, std::string* rest);

}  // namespace berth::http
