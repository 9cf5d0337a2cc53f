#include "http/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>

namespace berth::http::internal {

class TlsContext {
 public:
  explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
  ~TlsContext() { SSL_CTX_free(ctx_); }
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  SSL_CTX* get() const { return ctx_; }

 private:
  SSL_CTX* ctx_;
};

namespace {

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

class TlsTransport : public Transport {
 public:
  TlsTransport(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}
  ~TlsTransport() override {
    SSL_shutdown(ssl_);
    SSL_free(ssl_);
  }

  Result<size_t> Read(char* buf, size_t size) override {
    size_t n = 0;
    if (SSL_read_ex(ssl_, buf, size, &n) == 1) return n;
    int err = SSL_get_error(ssl_, 0);
    if (err == SSL_ERROR_ZERO_RETURN) return size_t{0};
    if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) return size_t{0};  // EOF without close_notify
    return Error(Code::kUnavailable, "TLS read: " + OpenSslError());
  }

  Status Write(std::string_view data) override {
    while (!data.empty()) {
      size_t n = 0;
      if (SSL_write_ex(ssl_, data.data(), data.size(), &n) != 1)
        return Error(Code::kUnavailable, "TLS write: " + OpenSslError());
      data.remove_prefix(n);
    }
    return Ok();
  }

  int fd() const override { return fd_; }
  bool is_tls() const override { return true; }

 private:
  int fd_;
  SSL* ssl_;
};

}  // namespace

Result<std::shared_ptr<TlsContext>> MakeServerTlsContext(const TlsOptions& o) {
  SSL_CTX* raw = SSL_CTX_new(TLS_server_method());
  if (!raw) return Error::Internal("TLS context: " + OpenSslError());
  auto ctx = std::make_shared<TlsContext>(raw);
  SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(raw, o.cert_file.c_str()) != 1)
    return Error::Invalid("load TLS certificate " + o.cert_file + ": " + OpenSslError());
  if (SSL_CTX_use_PrivateKey_file(raw, o.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    return Error::Invalid("load TLS key " + o.key_file + ": " + OpenSslError());
  if (SSL_CTX_check_private_key(raw) != 1)
    return Error::Invalid("TLS key " + o.key_file + " does not match " + o.cert_file);
  if (!o.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(raw, o.ca_file.c_str(), nullptr) != 1)
      return Error::Invalid("load TLS CA " + o.ca_file + ": " + OpenSslError());
  } else if (o.verify_client) {
    return Error::Invalid("TLS client verification needs a CA file");
  }
  if (o.verify_client)
    SSL_CTX_set_verify(raw, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  return ctx;
}

Result<std::unique_ptr<Transport>> TlsAccept(int fd, TlsContext& ctx) {
  SSL* ssl = SSL_new(ctx.get());
  if (!ssl) return Error::Internal("TLS session: " + OpenSslError());
  SSL_set_fd(ssl, fd);
  // A client that connects and never handshakes must not hold a thread.
  timeval limit{10, 0}, none{0, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  int ok = SSL_accept(ssl);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof none);
  if (ok != 1) {
    std::string why = OpenSslError();
    SSL_free(ssl);
    return Error(Code::kUnauthorized, "TLS handshake: " + why);
  }
  return std::unique_ptr<Transport>(std::make_unique<TlsTransport>(fd, ssl));
}

}  // namespace berth::http::internal
