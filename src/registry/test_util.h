// Helpers for the registry unit tests: a temporary root and string bodies.
#pragma once

#include <stdlib.h>

#include <string>

#include "base/fs.h"
#include "http/handler.h"

namespace berth::registry::testing {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/berth-registry-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { (void)fs::RemoveAll(path); }
};

// A request body from a string, optionally failing after `fail_after` bytes.
class StringBody : public http::BodyReader {
 public:
  explicit StringBody(std::string s, size_t fail_after = std::string::npos)
      : s_(std::move(s)), fail_after_(fail_after) {}
  Result<size_t> Read(char* buf, size_t size) override {
    if (pos_ >= fail_after_) return Error(Code::kUnavailable, "connection reset");
    size_t n = std::min({size, s_.size() - pos_, fail_after_ - pos_});
    s_.copy(buf, n, pos_);
    pos_ += n;
    return n;
  }

 private:
  std::string s_;
  size_t pos_ = 0;
  size_t fail_after_;
};

}  // namespace berth::registry::testing

namespace berth::registry::testing {

// A ResponseWriter that records one complete response.
class FakeWriter : public http::ResponseWriter {
 public:
  http::Headers& headers() override { return headers_; }
  Status Send(int status, std::string_view body, std::string_view ct) override {
    status_ = status;
    body_ = body;
    content_type_ = ct;
    started_ = true;
    return Ok();
  }
  Status Start(int status, std::string_view ct) override {
    status_ = status;
    content_type_ = ct;
    started_ = true;
    return Ok();
  }
  Status Write(std::string_view data) override {
    body_ += data;
    return Ok();
  }
  Status Flush() override { return Ok(); }
  bool ClientGone() override { return false; }
  Result<http::Stream*> Hijack(std::string_view) override { return Error::Internal("no"); }
  bool started() const override { return started_; }

  int status_ = 0;
  std::string body_, content_type_;
  http::Headers headers_;
  bool started_ = false;
};

}  // namespace berth::registry::testing
