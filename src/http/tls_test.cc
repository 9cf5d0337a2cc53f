// TLS listener with mutual authentication; certificates made with the
// openssl command in a temp dir (the test is skipped without it).
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <gtest/gtest.h>

#include <cstdlib>

#include "base/fs.h"
#include "http/router.h"
#include "http/server.h"
#include "http/socket.h"

namespace berth::http {
namespace {

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("command -v openssl >/dev/null 2>&1") != 0) GTEST_SKIP() << "no openssl";
    char tmpl[] = "/tmp/berth-tls-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::string d = dir_;
    std::string script =
        "cd " + d + " && exec >/dev/null 2>&1 && "
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 1 -subj /CN=ca && "
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr -subj /CN=localhost && "
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 && "
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout client.key -out client.csr -subj /CN=client && "
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 1";
    ASSERT_EQ(std::system(script.c_str()), 0);
    router_.Get("/_ping", [](Request&, ResponseWriter& w) { return w.Send(200, "OK", "text/plain"); });
    server_ = std::make_unique<Server>(router_.AsHandler());
    TlsOptions tls{d + "/ca.pem", d + "/server.pem", d + "/server.key", true};
    auto port = server_->ListenTcp("127.0.0.1", 0, &tls);
    ASSERT_TRUE(port.ok()) << port.error().message();
    port_ = *port;
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    if (server_) server_->Stop(std::chrono::seconds(1));
    if (!dir_.empty()) (void)fs::RemoveAll(dir_);
  }

  // One GET /_ping over TLS; "" when the handshake or the exchange failed.
  std::string Ping(bool with_client_cert) {
    Endpoint ep;
    ep.kind = Endpoint::Kind::kTcp;
    ep.host = "127.0.0.1";
    ep.port = port_;
    auto fd = Dial(ep);
    if (!fd.ok()) return "";
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx, (dir_ + "/ca.pem").c_str(), nullptr);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (with_client_cert) {
      SSL_CTX_use_certificate_file(ctx, (dir_ + "/client.pem").c_str(), SSL_FILETYPE_PEM);
      SSL_CTX_use_PrivateKey_file(ctx, (dir_ + "/client.key").c_str(), SSL_FILETYPE_PEM);
    }
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd->get());
    std::string got;
    const char req[] = "GET /v1.41/_ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    if (SSL_connect(ssl) == 1 && SSL_write(ssl, req, sizeof req - 1) > 0) {
      char buf[4096];
      int n;
      while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) got.append(buf, static_cast<size_t>(n));
    }
    ERR_clear_error();
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return got;
  }

  std::string dir_;
  Router router_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

TEST_F(TlsTest, MutualAuthAcceptsClientCertificate) {
  std::string got = Ping(true);
  EXPECT_EQ(got.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << got;
  EXPECT_NE(got.find("\r\n\r\nOK"), std::string::npos) << got;
}

TEST_F(TlsTest, MutualAuthRefusesClientWithoutCertificate) {
  EXPECT_EQ(Ping(false), "");
}

TEST(TlsOptionsTest, BadFilesAreNamed) {
  Server s([](Request&, ResponseWriter& w) { return w.Send(200, ""); });
  TlsOptions tls{"/nonexistent/ca.pem", "/nonexistent/cert.pem", "/nonexistent/key.pem", true};
  auto r = s.ListenTcp("127.0.0.1", 0, &tls);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("/nonexistent/cert.pem"), std::string::npos)
      << r.error().message();
}

}  // namespace
}  // namespace berth::http
