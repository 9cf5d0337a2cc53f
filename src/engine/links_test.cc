#include <gtest/gtest.h>

#include "engine/engine_impl.h"

namespace berth::engine {
namespace {

TEST(LinkEnv, DockerVariables) {
  json exposed = {{"80/tcp", json::object()}, {"53/udp", json::object()},
                  {"53/tcp", json::object()}};
  auto env = LinkEnv("/web/my-db", "10.0.0.2", exposed, {"A=1", "PATH=/bin", "HOME=/root", "B=x=y"});
  std::vector<std::string> want = {
      "MY_DB_PORT=tcp://10.0.0.2:53",
      "MY_DB_PORT_53_TCP=tcp://10.0.0.2:53",
      "MY_DB_PORT_53_TCP_ADDR=10.0.0.2",
      "MY_DB_PORT_53_TCP_PORT=53",
      "MY_DB_PORT_53_TCP_PROTO=tcp",
      "MY_DB_PORT_53_UDP=udp://10.0.0.2:53",
      "MY_DB_PORT_53_UDP_ADDR=10.0.0.2",
      "MY_DB_PORT_53_UDP_PORT=53",
      "MY_DB_PORT_53_UDP_PROTO=udp",
      "MY_DB_PORT_80_TCP=tcp://10.0.0.2:80",
      "MY_DB_PORT_80_TCP_ADDR=10.0.0.2",
      "MY_DB_PORT_80_TCP_PORT=80",
      "MY_DB_PORT_80_TCP_PROTO=tcp",
      "MY_DB_NAME=/web/my-db",
      "MY_DB_ENV_A=1",
      "MY_DB_ENV_B=x=y",
  };
  EXPECT_EQ(env, want);
  // No ports: only the name and the env.
  EXPECT_EQ(LinkEnv("/w/db", "10.0.0.3", json(), {}), std::vector<std::string>{"DB_NAME=/w/db"});
}

TEST(EmbeddedResolvConf, Table) {
  struct Case {
    const char* name;
    std::string host;
    std::vector<std::string> search, options;
    std::string want;
  } cases[] = {
      {"bare host", "nameserver 10.0.0.1\n", {}, {}, "nameserver 127.0.0.11\noptions ndots:0\n"},
      {"host search and options kept", "search a.test b.test\nnameserver 1.1.1.1\noptions rotate\n",
       {}, {}, "search a.test b.test\nnameserver 127.0.0.11\noptions rotate ndots:0\n"},
      {"given replace the host's", "search a.test\noptions rotate\n", {"x.test"}, {"timeout:1"},
       "search x.test\nnameserver 127.0.0.11\noptions timeout:1 ndots:0\n"},
      {"an ndots given is kept", "", {}, {"ndots:2"}, "nameserver 127.0.0.11\noptions ndots:2\n"},
      {"search . means none", "", {"."}, {}, "nameserver 127.0.0.11\noptions ndots:0\n"},
  };
  for (const Case& c : cases)
    EXPECT_EQ(EmbeddedResolvConf(c.host, c.search, c.options), c.want) << c.name;
}

}  // namespace
}  // namespace berth::engine
