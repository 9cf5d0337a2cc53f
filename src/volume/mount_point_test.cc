#include "volume/mount_point.h"

#include <gtest/gtest.h>

namespace berth::volume {
namespace {

using nlohmann::json;

TEST(ParseBind, NamedVolume) {
  auto m = ParseBind("data:/srv/data");
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->type, "volume");
  EXPECT_EQ(m->name, "data");
  EXPECT_TRUE(m->named);
  EXPECT_EQ(m->mode, "z");  // as dockerd 20.10 shows it
  EXPECT_TRUE(m->rw);
  m = ParseBind("data:/srv/:ro,nocopy");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->destination, "/srv");
  EXPECT_FALSE(m->rw);
  EXPECT_FALSE(m->copy_data);
  EXPECT_EQ(m->mode, "ro,nocopy");
}

TEST(ParseBind, BindAndAnonymous) {
  auto m = ParseBind("/host//dir/:/c:ro,Z");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->type, "bind");
  EXPECT_EQ(m->source, "/host/dir");
  EXPECT_EQ(m->propagation, "rprivate");
  EXPECT_FALSE(m->rw);
  m = ParseBind("/h:/c:rshared");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->propagation, "rshared");
  EXPECT_EQ(m->mode, "rshared");
  m = ParseBind("/anon");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->type, "volume");
  EXPECT_TRUE(m->name.empty());
  EXPECT_FALSE(m->named);
  EXPECT_EQ(m->mode, "");
}

TEST(ParseBind, Errors) {
  EXPECT_EQ(ParseBind("a:b:c:d").error().message(), "invalid volume specification: 'a:b:c:d'");
  EXPECT_EQ(ParseBind(":/x").error().message(), "invalid volume specification: ':/x'");
  EXPECT_EQ(ParseBind("/h:/c:xx").error().message(), "invalid mode: xx");
  EXPECT_EQ(ParseBind("/h:/c:ro,rw").error().message(), "invalid mode: ro,rw");
  EXPECT_EQ(ParseBind("v1:/c:rshared").error().message(), "invalid mode: rshared");
  EXPECT_EQ(ParseBind("/h:/c:nocopy").error().message(), "invalid mode: nocopy");
  EXPECT_EQ(ParseBind("/h:rel").error().message(),
            "invalid volume specification: '/h:rel': invalid mount config for type \"bind\": "
            "invalid mount path: 'rel' mount path must be absolute");
  EXPECT_EQ(ParseBind("v1:/").error().message(),
            "invalid volume specification: 'v1:/': invalid specification: destination can't be '/'");
  EXPECT_NE(ParseBind("a/b:/c").error().message().find("includes invalid characters"),
            std::string::npos);
}

TEST(ParseMount, Types) {
  json vol = json::parse(R"({"Type":"volume","Source":"v6","Target":"/m","ReadOnly":true,
      "VolumeOptions":{"NoCopy":true,"DriverConfig":{"Options":{"type":"tmpfs","device":"tmpfs"}}}})");
  auto m = ParseMount(vol);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->name, "v6");
  EXPECT_EQ(m->mode, "z");
  EXPECT_FALSE(m->rw);
  EXPECT_FALSE(m->copy_data);
  EXPECT_EQ(m->volume_options.at("type"), "tmpfs");
  m = ParseMount(json{{"Type", "volume"}, {"Target", "/anon"}});
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->named);
  m = ParseMount(json{{"Type", "bind"}, {"Source", "/tmp"}, {"Target", "/b"},
                      {"BindOptions", {{"Propagation", "rslave"}}}});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->propagation, "rslave");
  EXPECT_EQ(ParseMount(json{{"Type", "bind"}, {"Source", "/does/not/exist"}, {"Target", "/b"}})
                .error()
                .message(),
            "invalid mount config for type \"bind\": bind source path does not exist: "
            "/does/not/exist");
  EXPECT_EQ(ParseMount(json{{"Type", "volume"}, {"Target", "/b"}, {"BindOptions", json::object()}})
                .error()
                .message(),
            "invalid mount config for type \"volume\": field BindOptions must not be specified");
  EXPECT_EQ(ParseMount(json{{"Type", "foo"}, {"Target", "/b"}}).error().message(),
            "invalid mount config for type \"foo\": mount type unknown");
  EXPECT_TRUE(ParseMount(json{{"Type", "tmpfs"}, {"Target", "/t"}}).ok());
}

TEST(MountPoint, RecordRoundTripAndInspect) {
  MountPoint m = *ParseBind("v1:/data:ro");
  m.source = "/var/lib/berth/volumes/v1/_data";
  MountPoint back = FromRecord(ToRecord(m));
  EXPECT_EQ(back.name, "v1");
  EXPECT_TRUE(back.named);
  EXPECT_FALSE(back.rw);
  json i = ToInspect(m);
  EXPECT_EQ(i.dump(),
            R"({"Destination":"/data","Driver":"local","Mode":"ro","Name":"v1","Propagation":"","RW":false,"Source":"/var/lib/berth/volumes/v1/_data","Type":"volume"})");
  EXPECT_FALSE(ToInspect(*ParseBind("/h:/c")).contains("Name"));
}

TEST(VolumesFrom, Modes) {
  auto v = ParseVolumesFrom("c1:ro");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->first, "c1");
  EXPECT_EQ(v->second, "ro");
  EXPECT_EQ(ParseVolumesFrom("c1")->second, "");
  EXPECT_FALSE(ParseVolumesFrom("c1:xx").ok());
}

}  // namespace
}  // namespace berth::volume
