#include "daemon/options.h"

#include <gtest/gtest.h>

namespace berth::daemon {
namespace {

TEST(OptionsTest, Defaults) {
  auto f = ParseFlags({});
  ASSERT_TRUE(f.ok());
  const Options& o = f->options;
  EXPECT_EQ(o.data_root, "/var/lib/berth");
  EXPECT_EQ(o.exec_root, "/run/berth");
  EXPECT_EQ(o.group, "berth");
  EXPECT_EQ(o.log_level, log::Level::kInfo);
  EXPECT_EQ(o.EffectiveHosts(), std::vector<std::string>{"unix:///run/berth/berth.sock"});
  EXPECT_EQ(o.EffectivePidfile(), "/run/berth/berthd.pid");
  EXPECT_TRUE(Validate(o).ok());
}

TEST(OptionsTest, FlagForms) {
  auto f = ParseFlags({"--data-root", "/d", "--exec-root=/e", "-H", "unix:///s1", "-Hunix:///s2",
                       "--host=tcp://127.0.0.1:2376", "--log-level", "debug", "--tlsverify",
                       "--insecure-tcp=false", "-p", "/p.pid", "-G", "wheel"});
  ASSERT_TRUE(f.ok()) << f.error().message();
  const Options& o = f->options;
  EXPECT_EQ(o.data_root, "/d");
  EXPECT_EQ(o.exec_root, "/e");
  EXPECT_EQ(o.hosts,
            (std::vector<std::string>{"unix:///s1", "unix:///s2", "tcp://127.0.0.1:2376"}));
  EXPECT_EQ(o.log_level, log::Level::kDebug);
  EXPECT_TRUE(o.tls_verify);
  EXPECT_FALSE(o.insecure_tcp);
  EXPECT_EQ(o.EffectivePidfile(), "/p.pid");
  EXPECT_EQ(o.group, "wheel");
  EXPECT_EQ(f->set_keys, (std::set<std::string>{"data-root", "exec-root", "hosts", "log-level",
                                                "tlsverify", "insecure-tcp", "pidfile", "group"}));
  EXPECT_EQ(Options{.exec_root = "/e"}.EffectiveHosts(),
            std::vector<std::string>{"unix:///e/berth.sock"});
}

TEST(OptionsTest, BadFlags) {
  EXPECT_EQ(ParseFlags({"--nope"}).error().message(), "unknown flag: --nope");
  EXPECT_FALSE(ParseFlags({"-x"}).ok());
  EXPECT_EQ(ParseFlags({"--data-root"}).error().message(), "flag needs an argument: --data-root");
  EXPECT_FALSE(ParseFlags({"stray"}).ok());
  EXPECT_FALSE(ParseFlags({"--log-level", "loud"}).ok());
  EXPECT_FALSE(ParseFlags({"--tlsverify=maybe"}).ok());
}

TEST(OptionsTest, ConfigFileFillsWhatFlagsLeave) {
  auto f = ParseFlags({"--data-root", "/d"});
  ASSERT_TRUE(f.ok());
  auto o = MergeConfig(*f, R"({"exec-root": "/e", "hosts": ["unix:///a", "unix:///b"],
                               "log-level": "warn", "group": "", "tlsverify": false})",
                       "/cfg.json");
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_EQ(o->data_root, "/d");
  EXPECT_EQ(o->exec_root, "/e");
  EXPECT_EQ(o->hosts, (std::vector<std::string>{"unix:///a", "unix:///b"}));
  EXPECT_EQ(o->log_level, log::Level::kWarn);
  EXPECT_EQ(o->group, "");
}

TEST(OptionsTest, ConfigConflictsAndUnknownKeys) {
  auto f = ParseFlags({"--data-root", "/d", "-H", "unix:///x"});
  ASSERT_TRUE(f.ok());
  auto o = MergeConfig(*f, R"({"data-root": "/other", "hosts": ["unix:///y"]})", "/cfg.json");
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().message(),
            "config file /cfg.json: the following directives are specified both as a flag and "
            "in the configuration file: data-root: (from flag: /d, from file: \"/other\"), "
            "hosts: (from flag: [unix:///x], from file: [\"unix:///y\"])");
  o = MergeConfig(*f, R"({"bogus": 1, "debugz": true})", "/cfg.json");
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().message(),
            "config file /cfg.json: the following directives don't match any configuration "
            "option: bogus, debugz");
  EXPECT_FALSE(MergeConfig(*f, R"({"exec-root": 5})", "/c").ok());
  EXPECT_FALSE(MergeConfig(*f, R"({"hosts": "unix:///x"})", "/c").ok());
  EXPECT_FALSE(MergeConfig(*f, "not json", "/c").ok());
  EXPECT_FALSE(MergeConfig(*f, R"({"config-file": "/x"})", "/c").ok());
}

TEST(OptionsTest, ValidateTcpNeedsTlsOrInsecure) {
  Options o;
  o.hosts = {"tcp://0.0.0.0:2375"};
  Status st = Validate(o);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("refusing to listen on tcp://0.0.0.0:2375 without TLS"),
            std::string::npos);
  o.insecure_tcp = true;
  EXPECT_TRUE(Validate(o).ok());
  o.insecure_tcp = false;
  o.tls_verify = true;
  EXPECT_FALSE(Validate(o).ok());  // no cert files named
  o.tls_ca_cert = "/ca.pem";
  o.tls_cert = "/cert.pem";
  o.tls_key = "/key.pem";
  EXPECT_TRUE(Validate(o).ok());
  o.hosts = {"ftp://x"};
  EXPECT_FALSE(Validate(o).ok());
  Options rel;
  rel.data_root = "relative";
  EXPECT_FALSE(Validate(rel).ok());
}

TEST(OptionsTest, LoadOptionsReadsExplicitConfigFile) {
  char tmpl[] = "/tmp/berthd-opt-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string path = std::string(tmpl) + "/daemon.json";
  FILE* f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs(R"({"data-root": "/srv/berth"})", f);
  fclose(f);
  auto o = LoadOptions({"--config-file", path});
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_EQ(o->data_root, "/srv/berth");
  auto missing = LoadOptions({"--config-file", std::string(tmpl) + "/none.json"});
  EXPECT_FALSE(missing.ok());
  unlink(path.c_str());
  rmdir(tmpl);
}

}  // namespace
}  // namespace berth::daemon
