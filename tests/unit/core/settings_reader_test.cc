// SettingsReader: typed values from the registry's canonical text, and a status naming the key
// when a component asks for a key it did not define or as the wrong type.
#include "core/settings_reader.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ringcast::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SettingsReaderTest : public ::testing::Test {
 protected:
  SettingsReaderTest() {
    registry_.Define({.name = "t.flag", .type = TunableType::kBool, .default_value = "1"});
    registry_.Define({.name = "t.count",
                      .type = TunableType::kInt,
                      .default_value = "7",
                      .min = -10,
                      .max = 100});
    registry_.Define({.name = "t.wait_ms",
                      .type = TunableType::kDuration,
                      .default_value = "1500",
                      .min = 0,
                      .max = 100000});
    registry_.Define({.name = "t.name", .type = TunableType::kString, .default_value = "x"});
    registry_.Define({.name = "t.listen", .type = TunableType::kAddress, .default_value = ":80"});
    registry_.Define({.name = "t.mode",
                      .type = TunableType::kEnum,
                      .default_value = "b",
                      .choices = {"a", "b"}});
    registry_.Define({.name = "t.list",
                      .type = TunableType::kList,
                      .default_value = "tcp,udp",
                      .choices = {"tcp", "udp"}});
    registry_.DefinePathKey(
        {.name = "k", .type = TunableType::kInt, .default_value = "3", .max = 9});
    EXPECT_TRUE(registry_.ApplyConfig({}, true).ok());
  }
  Registry registry_;
};

TEST_F(SettingsReaderTest, ReadsEachTypeFromItsCanonicalText) {
  ASSERT_TRUE(registry_.Set("t.wait_ms", "2.5s").ok());
  ASSERT_TRUE(registry_.Set("t.count", "-3").ok());
  ASSERT_TRUE(registry_.Set("t.flag", "off").ok());
  ASSERT_TRUE(registry_.Set("path.cam.k", "8").ok());
  SettingsReader read(registry_);
  EXPECT_FALSE(read.Bool("t.flag"));
  EXPECT_EQ(read.Int("t.count"), -3);
  EXPECT_EQ(read.Int("t.wait_ms"), 2500);  // a duration read as its milliseconds
  EXPECT_EQ(read.DurationNs("t.wait_ms"), 2'500'000'000);
  EXPECT_EQ(read.String("t.name"), "x");
  EXPECT_EQ(read.String("t.listen"), ":80");
  EXPECT_EQ(read.String("t.mode"), "b");
  EXPECT_THAT(read.List("t.list"), ElementsAre("tcp", "udp"));
  EXPECT_EQ(read.Int("path.cam.k"), 8);
  EXPECT_TRUE(read.status().ok()) << read.status();
}

TEST_F(SettingsReaderTest, CommaSeparatedStringsAreTrimmedAndSkipEmptyItems) {
  ASSERT_TRUE(registry_.Set("t.name", " 10.0.0.1, ,192.0.2.7 ,").ok());
  SettingsReader read(registry_);
  EXPECT_THAT(read.CommaSeparated("t.name"), ElementsAre("10.0.0.1", "192.0.2.7"));
  EXPECT_TRUE(read.status().ok());
}

TEST_F(SettingsReaderTest, AnUnknownKeyIsAnErrorNamingIt) {
  SettingsReader read(registry_);
  EXPECT_EQ(read.Int("t.nope"), 0);
  EXPECT_TRUE(read.Bool("t.flag"));  // later reads still work
  EXPECT_FALSE(read.status().ok());
  EXPECT_THAT(std::string(read.status().message()), HasSubstr("t.nope"));
}

TEST_F(SettingsReaderTest, ReadingAsTheWrongTypeIsAnErrorNamingKeyAndTypes) {
  SettingsReader read(registry_);
  EXPECT_FALSE(read.Bool("t.count"));
  EXPECT_EQ(read.DurationNs("t.count"), 0);  // an int is not a duration
  EXPECT_THAT(std::string(read.status().message()), HasSubstr("t.count"));
  EXPECT_THAT(std::string(read.status().message()), HasSubstr("bool"));
}

TEST_F(SettingsReaderTest, TheFirstErrorIsKept) {
  SettingsReader read(registry_);
  (void)read.String("t.first");
  (void)read.String("t.second");
  EXPECT_THAT(std::string(read.status().message()), HasSubstr("t.first"));
}

}  // namespace
}  // namespace ringcast::core
