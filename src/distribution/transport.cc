#include "distribution/transport.h"

#include <curl/curl.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <mutex>

#include "base/strings.h"

namespace berth::distribution {
namespace {

struct Call {
  const HttpRequest* req;
  HttpResponse* resp;
  Status data_error;
  bool data_failed = false;
};

size_t OnHeader(char* buf, size_t size, size_t n, void* p) {
  auto* c = static_cast<Call*>(p);
  std::string_view line(buf, size * n);
  if (str::StartsWith(line, "HTTP/")) {
    // A new response (after a redirect or 100 Continue): start over. The
    // status must be known before the body arrives (OnBody routes 2xx
    // bodies to on_data).
    c->resp->headers.clear();
    auto sp = line.find(' ');
    if (sp != std::string_view::npos) c->resp->status = std::atoi(std::string(line.substr(sp + 1, 3)).c_str());
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name = str::ToLower(str::Trim(line.substr(0, colon)));
  c->resp->headers.emplace(name, std::string(str::Trim(line.substr(colon + 1))));
  return size * n;
}

size_t OnBody(char* buf, size_t size, size_t n, void* p) {
  auto* c = static_cast<Call*>(p);
  std::string_view data(buf, size * n);
  long code = c->resp->status;
  if (c->req->on_data && c->req->range_from > 0 && code == 200) {
    // The whole blob again: the bytes before range_from were already used.
    c->data_error = Error(Code::kUnavailable, "registry ignored the Range request");
    c->data_failed = true;
    return 0;
  }
  if (c->req->on_data && code >= 200 && code < 300) {
    Status s = c->req->on_data(data);
    if (!s.ok()) {
      c->data_error = std::move(s);
      c->data_failed = true;
      return 0;  // aborts the transfer
    }
    return data.size();
  }
  if (c->resp->body.size() < (64u << 20)) c->resp->body.append(data);
  return data.size();
}

size_t OnRead(char* buf, size_t size, size_t n, void* p) {
  int fd = *static_cast<int*>(p);
  for (;;) {
    ssize_t r = ::read(fd, buf, size * n);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno != EINTR) return CURL_READFUNC_ABORT;
  }
}

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

std::string GoVerb(const std::string& m) {
  if (m.empty()) return m;
  return m.substr(0, 1) + str::ToLower(std::string_view(m).substr(1));
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string() : it->second;
}

std::vector<std::string> HttpResponse::Headers(std::string_view name) const {
  std::vector<std::string> out;
  auto [a, b] = headers.equal_range(std::string(name));
  for (auto it = a; it != b; ++it) out.push_back(it->second);
  return out;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Result<HttpResponse> Perform(const HttpRequest& req, const TransportOptions& opts) {
  GlobalInit();
  std::unique_ptr<CURL, EasyDeleter> h(curl_easy_init());
  if (!h) return Error::Internal("curl_easy_init failed");
  CURL* e = h.get();
  HttpResponse resp;
  Call call{&req, &resp, Status(), false};
  std::unique_ptr<curl_slist, ListDeleter> list;
  curl_slist* raw = nullptr;
  for (const std::string& hd : req.headers) raw = curl_slist_append(raw, hd.c_str());
  raw = curl_slist_append(raw, "Expect:");
  list.reset(raw);
  curl_easy_setopt(e, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, raw);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "berth/0.1 (registry client)");
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, req.timeout_connect_s);
  // A stalled transfer (less than 1 byte/s for 60 s) is an error, so an
  // interrupted download can be resumed instead of hanging.
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, req.follow_redirects ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, opts.verify_tls ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, opts.verify_tls ? 2L : 0L);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &call);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &call);
  curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 256L * 1024);
  std::string range;
  if (req.range_from >= 0) {
    range = std::to_string(req.range_from) + "-";
    curl_easy_setopt(e, CURLOPT_RANGE, range.c_str());
  }
  int fd = req.upload_fd;
  if (req.method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else if (req.method == "GET") {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else {
    if (req.method == "PUT" || req.method == "PATCH" || fd >= 0) {
      curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
      if (fd >= 0) {
        curl_easy_setopt(e, CURLOPT_READFUNCTION, OnRead);
        curl_easy_setopt(e, CURLOPT_READDATA, &fd);
        curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.upload_size));
      } else {
        std::string_view body = req.body_ref.empty() ? std::string_view(req.body) : req.body_ref;
        curl_easy_setopt(e, CURLOPT_READFUNCTION, nullptr);
        curl_easy_setopt(e, CURLOPT_UPLOAD, 0L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
      }
    } else {
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, req.body.data());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    }
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  CURLcode rc = curl_easy_perform(e);
  if (call.data_failed) return std::move(call.data_error).error();
  if (rc != CURLE_OK) {
    return Error(Code::kUnavailable,
                 GoVerb(req.method) + " \"" + req.url + "\": " + curl_easy_strerror(rc));
  }
  long code = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
  resp.status = static_cast<int>(code);
  return resp;
}

}  // namespace berth::distribution
