#include <gtest/gtest.h>

#include "engine/spec/spec_builder.h"

namespace berth::engine {
namespace {

TEST(HostsFile, DefaultsExtraHostsAndOwnEntry) {
  std::string got = HostsFile("abc123", "10.1.0.2", {"db:10.1.0.9", "v6:fe80::1"});
  EXPECT_EQ(got,
            "127.0.0.1\tlocalhost\n"
            "::1\tlocalhost ip6-localhost ip6-loopback\n"
            "fe00::0\tip6-localnet\n"
            "ff00::0\tip6-mcastprefix\n"
            "ff02::1\tip6-allnodes\n"
            "ff02::2\tip6-allrouters\n"
            "10.1.0.9\tdb\n"
            "fe80::1\tv6\n"
            "10.1.0.2\tabc123\n");
  EXPECT_EQ(HostsFile("h", "", {}).find("\th\n"), std::string::npos);  // no address: no entry
}

struct ResolvCase {
  const char* name;
  const char* host;
  std::vector<std::string> dns, search, options;
  const char* want;
};

TEST(ResolvConf, Table) {
  const ResolvCase cases[] = {
      {"host file kept", "search example.com\nnameserver 10.0.0.1\noptions ndots:2\n", {}, {}, {},
       "search example.com\nnameserver 10.0.0.1\noptions ndots:2\n"},
      {"loopback dropped", "nameserver 127.0.0.53\nnameserver 10.0.0.1\n", {}, {}, {},
       "\nnameserver 10.0.0.1\n"},
      {"only loopback: google", "nameserver 127.0.0.53\noptions edns0\n", {}, {}, {},
       "\noptions edns0\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n"},
      {"::1 dropped", "nameserver ::1\nnameserver 2001:db8::1\n", {}, {}, {},
       "\nnameserver 2001:db8::1\n"},
      {"dns given", "search example.com\nnameserver 10.0.0.1\n", {"1.1.1.1"}, {}, {},
       "search example.com\nnameserver 1.1.1.1\n"},
      {"search and options given", "search example.com\nnameserver 10.0.0.1\noptions ndots:2\n",
       {}, {"a.test", "b.test"}, {"ndots:5", "rotate"},
       "search a.test b.test\nnameserver 10.0.0.1\noptions ndots:5 rotate\n"},
      {"search '.' clears", "search example.com\nnameserver 10.0.0.1\n", {}, {"."}, {},
       "nameserver 10.0.0.1\n"},
      {"given, host only loopback", "nameserver 127.0.0.1\n", {}, {"x.test"}, {},
       "search x.test\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(ResolvConf(c.host, c.dns, c.search, c.options), c.want) << c.name;
}

}  // namespace
}  // namespace berth::engine
