// Tunables: NormalizeValue for every type, DescribeSpec, MatchesPrefix, FormatStatValue, and the
// Registry with the real core and path tunables (core/settings.h): Get/Set and their error
// codes, path creation and removal, List/Describe with stats, watchers, and ApplyConfig at
// start-up and on reload.
#include "core/tunables.h"

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/log.h"
#include "core/settings.h"
#include "core/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rtp/hub/path_settings.h"

namespace ringcast::core {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

// --- NormalizeValue ---------------------------------------------------------------------------

TunableSpec BoolSpec() {
  return {.name = "t.bool", .type = TunableType::kBool, .default_value = "0"};
}

TunableSpec IntSpec() {
  return {.name = "t.int", .type = TunableType::kInt, .default_value = "2", .min = 1, .max = 64};
}

TunableSpec DurationSpec() {
  return {.name = "t.duration",
          .type = TunableType::kDuration,
          .default_value = "1500",
          .min = 0,
          .max = 600'000};
}

TunableSpec StringSpec() { return {.name = "t.string", .type = TunableType::kString}; }

TunableSpec AddressSpec() {
  return {.name = "t.address", .type = TunableType::kAddress, .default_value = ":8554"};
}

TunableSpec ListSpec() { return {.name = "t.list", .type = TunableType::kList}; }

TunableSpec CodecListSpec() {
  return {.name = "t.codecs",
          .type = TunableType::kList,
          .default_value = "h264",
          .choices = {"h264", "h265", "opus"}};
}

TunableSpec EnumSpec() {
  return {.name = "t.enum",
          .type = TunableType::kEnum,
          .default_value = "tcp",
          .choices = {"tcp", "udp", "auto"}};
}

// The canonical value, or "ERROR: message" so a failure shows what went wrong.
std::string Normalize(const TunableSpec& spec, std::string_view raw) {
  absl::StatusOr<std::string> value = NormalizeValue(spec, raw);
  if (!value.ok()) {
    EXPECT_EQ(value.status().code(), absl::StatusCode::kInvalidArgument) << value.status();
    return "ERROR: " + Message(value.status());
  }
  return *value;
}

TEST(MaskUrlPasswordsTest, PasswordsInUrlsAreMaskedTheRestKept) {
  EXPECT_EQ(MaskUrlPasswords("rtsp://admin:s3cret@192.0.2.10:554/stream1"),
            "rtsp://admin:********@192.0.2.10:554/stream1");
  // A password may hold '@' and ':' (percent-encoding is not always used); the host is after
  // the last '@' of the authority.
  EXPECT_EQ(MaskUrlPasswords("rtsp://u:p@ss:w@cam/x?y=a@b"), "rtsp://u:********@cam/x?y=a@b");
  EXPECT_EQ(MaskUrlPasswords("rtsp://user@cam/x"), "rtsp://user@cam/x");  // no password
  EXPECT_EQ(MaskUrlPasswords("rtsp://cam/x@y:z"), "rtsp://cam/x@y:z");    // '@' in the path
  EXPECT_EQ(MaskUrlPasswords("publisher"), "publisher");
  EXPECT_EQ(MaskUrlPasswords(""), "");
  EXPECT_EQ(MaskUrlPasswords("a://x:1@h, b://y:2@k/"), "a://x:********@h, b://y:********@k/");
  EXPECT_EQ(MaskUrlPasswords("rtsp://:only@h"), "rtsp://:********@h");
}

TEST(MaskUrlPasswordsTest, ShownValueMasksSecretsWhole) {
  TunableSpec secret{.name = "read_pass", .secret = true};
  EXPECT_EQ(ShownValue(&secret, "hunter2"), "********");
  EXPECT_EQ(ShownValue(&secret, ""), "");
  TunableSpec plain{.name = "source"};
  EXPECT_EQ(ShownValue(&plain, "rtsp://a:b@h/"), "rtsp://a:********@h/");
  EXPECT_EQ(ShownValue(nullptr, "1"), "1");
}

TEST(NormalizeValueTest, BoolSpellings) {
  for (std::string_view yes : {"1", "true", "TRUE", "yes", "Yes", "on", "ON", " on "}) {
    EXPECT_EQ(Normalize(BoolSpec(), yes), "1") << yes;
  }
  for (std::string_view no : {"0", "false", "False", "no", "NO", "off", "Off", "\t0\t"}) {
    EXPECT_EQ(Normalize(BoolSpec(), no), "0") << no;
  }
  EXPECT_EQ(Normalize(BoolSpec(), "2"), "ERROR: invalid value \"2\": expected 0 or 1");
  EXPECT_EQ(Normalize(BoolSpec(), "enabled"), "ERROR: invalid value \"enabled\": expected 0 or 1");
  EXPECT_EQ(Normalize(BoolSpec(), ""), "ERROR: invalid value \"\": expected 0 or 1");
}

TEST(NormalizeValueTest, IntRange) {
  EXPECT_EQ(Normalize(IntSpec(), "1"), "1");
  EXPECT_EQ(Normalize(IntSpec(), "64"), "64");
  EXPECT_EQ(Normalize(IntSpec(), " 8 "), "8");
  EXPECT_EQ(Normalize(IntSpec(), "08"), "8");
  const std::string range = "expected an integer in [1, 64]";
  EXPECT_EQ(Normalize(IntSpec(), "0"), "ERROR: invalid value \"0\": " + range);
  EXPECT_EQ(Normalize(IntSpec(), "65"), "ERROR: invalid value \"65\": " + range);
  EXPECT_EQ(Normalize(IntSpec(), "-1"), "ERROR: invalid value \"-1\": " + range);
  EXPECT_EQ(Normalize(IntSpec(), "+5"), "ERROR: invalid value \"+5\": " + range);
  EXPECT_EQ(Normalize(IntSpec(), "4.0"), "ERROR: invalid value \"4.0\": " + range);
  EXPECT_EQ(Normalize(IntSpec(), "0x10"), "ERROR: invalid value \"0x10\": " + range);
  EXPECT_EQ(Normalize(IntSpec(), "many"), "ERROR: invalid value \"many\": " + range);
  EXPECT_EQ(Normalize(IntSpec(), "99999999999999999999"),
            "ERROR: invalid value \"99999999999999999999\": " + range);
  EXPECT_EQ(Normalize(IntSpec(), ""), "ERROR: invalid value \"\": " + range);
}

TEST(NormalizeValueTest, DurationUnitsToMilliseconds) {
  EXPECT_EQ(Normalize(DurationSpec(), "1500"), "1500");
  EXPECT_EQ(Normalize(DurationSpec(), "1500ms"), "1500");
  EXPECT_EQ(Normalize(DurationSpec(), "1.5s"), "1500");
  EXPECT_EQ(Normalize(DurationSpec(), "2m"), "120000");
  EXPECT_EQ(Normalize(DurationSpec(), "2min"), "120000");
  EXPECT_EQ(Normalize(DurationSpec(), "0"), "0");
  EXPECT_EQ(Normalize(DurationSpec(), "10m"), "600000");
  EXPECT_EQ(Normalize(DurationSpec(), " 30s "), "30000");
}

TEST(NormalizeValueTest, DurationOutOfRangeAndGarbage) {
  const std::string expected = "expected a duration in [0, 600000] ms (e.g. 1500, 1500ms, 1.5s)";
  EXPECT_EQ(Normalize(DurationSpec(), "11m"), "ERROR: invalid value \"11m\": " + expected);
  EXPECT_EQ(Normalize(DurationSpec(), "1h"), "ERROR: invalid value \"1h\": " + expected);
  EXPECT_EQ(Normalize(DurationSpec(), "600001"), "ERROR: invalid value \"600001\": " + expected);
  for (std::string_view garbage : {"", "-5", "-1s", "fast", "ms", "s", "1.5x", "1 s", "1.5.s",
                                   "nan", "inf", "1e300", "5sec", "1,5s"}) {
    EXPECT_EQ(Normalize(DurationSpec(), garbage),
              StrCat("ERROR: invalid value \"", garbage, "\": ", expected))
        << garbage;
  }
  TunableSpec at_least_100ms = DurationSpec();
  at_least_100ms.min = 100;
  EXPECT_EQ(Normalize(at_least_100ms, "0.05s"),
            "ERROR: invalid value \"0.05s\": expected a duration in [100, 600000] ms (e.g. 1500, "
            "1500ms, 1.5s)");
  EXPECT_EQ(Normalize(at_least_100ms, "0.1s"), "100");
}

TEST(NormalizeValueTest, AddressForms) {
  EXPECT_EQ(Normalize(AddressSpec(), "1.2.3.4:80"), "1.2.3.4:80");
  EXPECT_EQ(Normalize(AddressSpec(), ":8554"), ":8554");
  EXPECT_EQ(Normalize(AddressSpec(), "[::1]:80"), "[::1]:80");
  EXPECT_EQ(Normalize(AddressSpec(), "[2001:db8::7]:65535"), "[2001:db8::7]:65535");
  EXPECT_EQ(Normalize(AddressSpec(), "0.0.0.0:0"), "0.0.0.0:0");
  EXPECT_EQ(Normalize(AddressSpec(), " 127.0.0.1:9998 "), "127.0.0.1:9998");
  for (std::string_view bad :
       {"host:80", "1.2.3.4", ":99999", ":65536", ":-1", ":", "1.2.3.4:", "::1:80", "[::1]",
        "[1.2.3.4]:80", "1.2.3.4:http", "[::1:80", "256.1.1.1:80"}) {
    EXPECT_EQ(Normalize(AddressSpec(), bad),
              StrCat("ERROR: invalid value \"", bad,
                     "\": expected HOST:PORT, [IPV6]:PORT or :PORT with a numeric host"))
        << bad;
  }
}

TEST(NormalizeValueTest, ListCanonicalForm) {
  EXPECT_EQ(Normalize(ListSpec(), "a, b,,c"), "a,b,c");
  EXPECT_EQ(Normalize(ListSpec(), "  a ,  b , "), "a,b");
  EXPECT_EQ(Normalize(ListSpec(), ",,"), "");
  EXPECT_EQ(Normalize(ListSpec(), ""), "");
  EXPECT_EQ(Normalize(ListSpec(), "with space, x"), "with space,x");
}

TEST(NormalizeValueTest, ListWithChoices) {
  EXPECT_EQ(Normalize(CodecListSpec(), "h265, opus"), "h265,opus");
  EXPECT_EQ(Normalize(CodecListSpec(), "opus,,h264,"), "opus,h264");
  EXPECT_EQ(Normalize(CodecListSpec(), ""), "");
  EXPECT_EQ(
      Normalize(CodecListSpec(), "h264, vp8"),
      "ERROR: invalid value \"h264, vp8\": expected a comma-separated list of h264|h265|opus");
  EXPECT_EQ(Normalize(CodecListSpec(), "H264"),
            "ERROR: invalid value \"H264\": expected a comma-separated list of h264|h265|opus");
}

TEST(NormalizeValueTest, EnumIsExactAndCaseSensitive) {
  EXPECT_EQ(Normalize(EnumSpec(), "udp"), "udp");
  EXPECT_EQ(Normalize(EnumSpec(), " auto "), "auto");
  EXPECT_EQ(Normalize(EnumSpec(), "UDP"),
            "ERROR: invalid value \"UDP\": expected one of tcp|udp|auto");
  EXPECT_EQ(Normalize(EnumSpec(), ""), "ERROR: invalid value \"\": expected one of tcp|udp|auto");
  EXPECT_EQ(Normalize(EnumSpec(), "tcp,udp"),
            "ERROR: invalid value \"tcp,udp\": expected one of tcp|udp|auto");
}

TEST(NormalizeValueTest, StringIsTrimmedAndKeepsInnerSpaces) {
  EXPECT_EQ(Normalize(StringSpec(), "  rtsp://cam.local/live stream  "),
            "rtsp://cam.local/live stream");
  EXPECT_EQ(Normalize(StringSpec(), ""), "");
  EXPECT_EQ(Normalize(StringSpec(), "caf\xc3\xa9"), "caf\xc3\xa9");
}

TEST(NormalizeValueTest, ControlCharactersRejectedForEveryType) {
  using namespace std::string_literals;
  for (const TunableSpec& spec : {BoolSpec(), IntSpec(), DurationSpec(), StringSpec(),
                                  AddressSpec(), ListSpec(), EnumSpec()}) {
    for (const std::string& raw : {"a\nb"s, "a\tb"s, "a\rb"s, "x\x7f"s, "a\0b"s, "\x1b[31m"s}) {
      EXPECT_EQ(Normalize(spec, raw), "ERROR: value contains control characters") << spec.name;
    }
  }
}

TEST(NormalizeValueTest, LongValueRejected) {
  EXPECT_EQ(Normalize(StringSpec(), std::string(4096, 'x')), std::string(4096, 'x'));
  EXPECT_EQ(Normalize(StringSpec(), std::string(4097, 'x')),
            "ERROR: value is 4097 bytes (at most 4096)");
}

// --- Helpers ----------------------------------------------------------------------------------

TEST(DescribeSpecTest, EveryType) {
  EXPECT_EQ(DescribeSpec(IntSpec()), "int 1..64, default 2, live");
  TunableSpec restart = DurationSpec();
  restart.apply = Apply::kRestart;
  EXPECT_EQ(DescribeSpec(restart), "duration 0..600000 ms, default 1500, at restart");
  EXPECT_EQ(DescribeSpec(BoolSpec()), "bool, default 0, live");
  EXPECT_EQ(DescribeSpec(StringSpec()), "string, default \"\", live");
  EXPECT_EQ(DescribeSpec(AddressSpec()), "address, default :8554, live");
  EXPECT_EQ(DescribeSpec(ListSpec()), "list, default \"\", live");
  EXPECT_EQ(DescribeSpec(CodecListSpec()), "list of h264|h265|opus, default h264, live");
  EXPECT_EQ(DescribeSpec(EnumSpec()), "one of tcp|udp|auto, default tcp, live");
  TunableSpec secret = StringSpec();
  secret.default_value = "changeme";
  secret.secret = true;
  EXPECT_EQ(DescribeSpec(secret), "string, default (secret), live");
}

TEST(MatchesPrefixTest, WholeComponents) {
  EXPECT_TRUE(MatchesPrefix("core.workers", "core"));
  EXPECT_TRUE(MatchesPrefix("core.workers", "core.workers"));
  EXPECT_TRUE(MatchesPrefix("core.workers", ""));
  EXPECT_TRUE(MatchesPrefix("path.cam1.source", "path.cam1"));
  EXPECT_FALSE(MatchesPrefix("core.workers", "cor"));
  EXPECT_FALSE(MatchesPrefix("core.workers", "core.work"));
  EXPECT_FALSE(MatchesPrefix("corex.workers", "core"));
  EXPECT_FALSE(MatchesPrefix("path.cam10.source", "path.cam1"));
  EXPECT_FALSE(MatchesPrefix("core", "core.workers"));
}

TEST(FormatStatValueTest, IntegralWithoutDecimals) {
  EXPECT_EQ(FormatStatValue(0), "0");
  EXPECT_EQ(FormatStatValue(42), "42");
  EXPECT_EQ(FormatStatValue(-3), "-3");
  EXPECT_EQ(FormatStatValue(1e15), "1000000000000000");
  EXPECT_EQ(FormatStatValue(0.25), "0.25");
  EXPECT_EQ(FormatStatValue(1e20), "1e+20");
}

// --- Registry ---------------------------------------------------------------------------------

struct Event {
  std::string name;
  std::string value;
  Registry::Change change = Registry::Change::kSet;
  bool operator==(const Event&) const = default;
};

void PrintTo(const Event& event, std::ostream* os) {
  *os << "{" << event.name << ", \"" << event.value << "\", "
      << (event.change == Registry::Change::kSet ? "kSet" : "kRemoved") << "}";
}

Event Set(std::string name, std::string value) {
  return {std::move(name), std::move(value), Registry::Change::kSet};
}

Event Removed(std::string name) { return {std::move(name), "", Registry::Change::kRemoved}; }

ConfigLine Line(std::string file, int line, std::string key, std::string value,
                bool ignore_errors = false) {
  return {.file = std::move(file),
          .line = line,
          .key = std::move(key),
          .value = std::move(value),
          .ignore_errors = ignore_errors};
}

class RegistryTest : public ::testing::Test {
 protected:
  RegistryTest() {
    DefineCoreTunables(registry_);
    rtp::hub::DefinePathTunables(registry_);
    // Two of the daemon's keys (tools/ringcastd/settings.cc), restart-only like most of its own.
    registry_.Define({.name = "ctl.socket",
                      .type = TunableType::kString,
                      .default_value = "/run/ringcast/ctl.sock",
                      .description = "Unix socket ringcastctl talks to",
                      .apply = Apply::kRestart});
    registry_.Define({.name = "metrics.listen",
                      .type = TunableType::kAddress,
                      .default_value = "127.0.0.1:9998",
                      .description = "HOST:PORT of the Prometheus /metrics endpoint",
                      .apply = Apply::kRestart});
    // Emitted out of order on purpose: List sorts stats.
    registry_.AddStatSource([](std::vector<StatSample>& out) {
      out.push_back({.name = "stats.test.ratio",
                     .value = 0.25,
                     .metric = "ringcast_test_ratio",
                     .help = "share of packets that arrived late"});
      out.push_back({.name = "stats.test.packets",
                     .value = 42,
                     .metric = "ringcast_test_packets_total",
                     .help = "packets seen",
                     .counter = true});
    });
    registry_.Watch("",
                    [this](std::string_view name, std::string_view value, Registry::Change change) {
                      events_.push_back({std::string(name), std::string(value), change});
                    });
    saved_level_ = GetLogLevel();
    SetLogLevel(LogLevel::kInfo);
    SetLogSinkForTest(
        [this](LogLevel, std::string_view line) { log_.push_back(std::string(line)); });
  }
  ~RegistryTest() override {
    SetLogSinkForTest(nullptr);
    SetLogLevel(saved_level_);
  }

  std::string Value(std::string_view name) {
    absl::StatusOr<std::string> value = registry_.Get(name);
    return value.ok() ? *value : "ERROR: " + Message(value.status());
  }

  Registry registry_;
  std::vector<Event> events_;
  std::vector<std::string> log_;
  LogLevel saved_level_ = LogLevel::kInfo;
};

const std::vector<std::string> kCam1Keys = {"path.cam1.max_readers",
                                            "path.cam1.on_demand",
                                            "path.cam1.on_demand_close_after_ms",
                                            "path.cam1.override_publisher",
                                            "path.cam1.publish_allow",
                                            "path.cam1.publish_pass",
                                            "path.cam1.publish_user",
                                            "path.cam1.read_allow",
                                            "path.cam1.read_pass",
                                            "path.cam1.read_user",
                                            "path.cam1.source",
                                            "path.cam1.source_transport",
                                            "path.cam1.worker"};

TEST_F(RegistryTest, DefaultsAfterDefinition) {
  EXPECT_EQ(Value("core.workers"), "0");
  EXPECT_EQ(Value("core.log_level"), "info");
  EXPECT_EQ(Value("metrics.listen"), "127.0.0.1:9998");
  EXPECT_EQ(Value("ctl.socket"), "/run/ringcast/ctl.sock");
  EXPECT_EQ(Value("core.nope"), "ERROR: unknown key \"core.nope\"");
  EXPECT_EQ(registry_.Get("core.nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(registry_.PathNames(), IsEmpty());
}

TEST_F(RegistryTest, SetLiveKeyNotifiesOnceWithCanonicalValue) {
  std::vector<Event> core_events;
  registry_.Watch("core",
                  [&](std::string_view name, std::string_view value, Registry::Change change) {
                    core_events.push_back({std::string(name), std::string(value), change});
                  });
  int metrics_calls = 0;
  registry_.Watch("metrics",
                  [&](std::string_view, std::string_view, Registry::Change) { ++metrics_calls; });

  absl::StatusOr<std::string> set = registry_.Set("core.log_level", " debug ");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(*set, "debug");
  EXPECT_EQ(Value("core.log_level"), "debug");
  EXPECT_THAT(core_events, ElementsAre(Set("core.log_level", "debug")));
  EXPECT_EQ(metrics_calls, 0);

  set = registry_.Set("path.cam1.on_demand", "yes");
  ASSERT_TRUE(set.ok()) << set.status();
  events_.clear();
  set = registry_.Set("path.cam1.on_demand", "off");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(*set, "0");
  EXPECT_THAT(events_, ElementsAre(Set("path.cam1.on_demand", "0")));
}

TEST_F(RegistryTest, SetErrorCodes) {
  absl::StatusOr<std::string> set = registry_.Set("core.nope", "1");
  EXPECT_EQ(set.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Message(set.status()), "unknown key \"core.nope\"");

  set = registry_.Set("core.log_level", "loud");
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(set.status()),
            "core.log_level: invalid value \"loud\": expected one of error|warn|info|debug");

  set = registry_.Set("stats.test.packets", "0");
  EXPECT_EQ(set.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Message(set.status()), "key \"stats.test.packets\" is read-only");

  set = registry_.Set("stats.nothing.here", "0");
  EXPECT_EQ(set.status().code(), absl::StatusCode::kPermissionDenied);

  set = registry_.Set("core.workers", "4");
  EXPECT_EQ(set.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Message(set.status()),
            "applies at restart only: set it in a config file and restart ringcastd");

  set = registry_.Set("core.workers", "999");
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(set.status()),
            "core.workers: invalid value \"999\": expected an integer in [0, 256]");

  EXPECT_EQ(Value("core.workers"), "0");
  EXPECT_EQ(Value("core.log_level"), "info");
  EXPECT_THAT(events_, IsEmpty());
}

TEST_F(RegistryTest, SetRestartKeyToRunningValueSucceedsWithoutNotifying) {
  absl::StatusOr<std::string> set = registry_.Set("core.workers", "0");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(*set, "0");
  // Compared in canonical form.
  set = registry_.Set("core.rx_buffers", " 01024 ");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(*set, "1024");
  EXPECT_THAT(events_, IsEmpty());
}

TEST_F(RegistryTest, WritingAnyKeyOfANewPathCreatesItWithDefaults) {
  absl::StatusOr<std::string> set = registry_.Set("path.cam1.source", "rtsp://10.0.0.5/live");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(registry_.List("path.cam1"), kCam1Keys);
  EXPECT_THAT(registry_.PathNames(), ElementsAre("cam1"));
  EXPECT_THAT(
      events_,
      ElementsAre(Set("path.cam1.max_readers", "0"), Set("path.cam1.on_demand", "0"),
                  Set("path.cam1.on_demand_close_after_ms", "10000"),
                  Set("path.cam1.override_publisher", "0"), Set("path.cam1.publish_allow", ""),
                  Set("path.cam1.publish_pass", ""), Set("path.cam1.publish_user", ""),
                  Set("path.cam1.read_allow", ""), Set("path.cam1.read_pass", ""),
                  Set("path.cam1.read_user", ""), Set("path.cam1.source", "rtsp://10.0.0.5/live"),
                  Set("path.cam1.source_transport", "tcp"), Set("path.cam1.worker", "-1")));

  events_.clear();
  set = registry_.Set("path.cam2.max_readers", "10");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(Value("path.cam2.source"), "publisher");
  EXPECT_EQ(Value("path.cam2.max_readers"), "10");
  EXPECT_EQ(events_.size(), kCam1Keys.size());
  EXPECT_THAT(registry_.PathNames(), ElementsAre("cam1", "cam2"));
}

TEST_F(RegistryTest, BadValueForANewPathCreatesNothing) {
  absl::StatusOr<std::string> set = registry_.Set("path.cam1.source_transport", "sctp");
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(set.status()),
            "path.cam1.source_transport: invalid value \"sctp\": expected one of tcp|udp|auto");
  set = registry_.Set("path.cam1.no_such_key", "1");
  EXPECT_EQ(set.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Message(set.status()), "unknown key \"path.cam1.no_such_key\"");
  EXPECT_THAT(registry_.List("path"), IsEmpty());
  EXPECT_THAT(events_, IsEmpty());
}

TEST_F(RegistryTest, InvalidPathNamesRefused) {
  using namespace std::string_literals;
  for (const std::string& name :
       {"cam 1"s, "cam/1"s, "cam!"s, "cam\xc3\xa9ra"s, std::string(65, 'a')}) {
    absl::StatusOr<std::string> set = registry_.Set("path." + name + ".source", "publisher");
    EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(Message(set.status()),
              "invalid path name \"" + name + "\": use 1-64 letters, digits, '_' or '-'");
  }
  EXPECT_THAT(registry_.List("path"), IsEmpty());
  EXPECT_THAT(events_, IsEmpty());

  std::string longest(64, 'a');
  EXPECT_TRUE(registry_.Set("path." + longest + ".source", "publisher").ok());
  EXPECT_TRUE(registry_.Set("path.Cam_2-b.source", "publisher").ok());
  EXPECT_THAT(registry_.PathNames(), ElementsAre("Cam_2-b", longest));
}

// An empty path name ("path..source") is refused like any other invalid one: it used to be
// stored as an entry with no spec.
TEST_F(RegistryTest, EmptyPathNameRefused) {
  absl::StatusOr<std::string> set = registry_.Set("path..source", "publisher");
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(set.status()), "invalid path name \"\": use 1-64 letters, digits, '_' or '-'");
  absl::Status applied =
      registry_.ApplyConfig({Line("ringcast.conf", 1, "path..source", "publisher")}, true);
  EXPECT_EQ(Message(applied),
            "ringcast.conf:1: invalid path name \"\": use 1-64 letters, digits, '_' or '-'");
  EXPECT_THAT(registry_.List("path"), IsEmpty());
  EXPECT_THAT(registry_.PathNames(), IsEmpty());
}

TEST_F(RegistryTest, RemovePathRemovesEveryKeyAndNotifies) {
  ASSERT_TRUE(registry_.Set("path.cam1.source", "publisher").ok());
  ASSERT_TRUE(registry_.Set("path.cam10.source", "publisher").ok());
  events_.clear();

  EXPECT_TRUE(registry_.RemovePath("cam1").ok());
  EXPECT_THAT(events_, ElementsAre(Removed("path.cam1")));
  EXPECT_EQ(Value("path.cam1.source"), "ERROR: unknown key \"path.cam1.source\"");
  EXPECT_THAT(registry_.PathNames(), ElementsAre("cam10"));
  EXPECT_EQ(registry_.List("path.cam10").size(), kCam1Keys.size());

  absl::Status again = registry_.RemovePath("cam1");
  EXPECT_EQ(again.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Message(again), "unknown path \"cam1\"");
  EXPECT_THAT(events_, ElementsAre(Removed("path.cam1")));
}

// RemovePath takes a path name, not a key or a prefix.
TEST_F(RegistryTest, RemovePathRefusesKeysAndEmptyName) {
  ASSERT_TRUE(registry_.Set("path.cam1.source", "publisher").ok());
  events_.clear();
  EXPECT_FALSE(registry_.RemovePath("cam1.source").ok());
  EXPECT_FALSE(registry_.RemovePath("cam1.").ok());
  EXPECT_FALSE(registry_.RemovePath("").ok());
  EXPECT_EQ(registry_.List("path.cam1").size(), kCam1Keys.size());
  EXPECT_THAT(events_, IsEmpty());
}

TEST_F(RegistryTest, ListMatchesWholeComponents) {
  EXPECT_THAT(registry_.List("core"),
              ElementsAre("core.batch_wait_us", "core.log_level", "core.rx_buffer_bytes",
                          "core.rx_buffers", "core.workers"));
  EXPECT_THAT(registry_.List("cor"), IsEmpty());
  EXPECT_THAT(registry_.List("core.workers"), ElementsAre("core.workers"));
  EXPECT_THAT(registry_.List("core.work"), IsEmpty());
  EXPECT_THAT(registry_.List("metrics"), ElementsAre("metrics.listen"));
  EXPECT_THAT(registry_.List(""),
              ElementsAre("core.batch_wait_us", "core.log_level", "core.rx_buffer_bytes",
                          "core.rx_buffers", "core.workers", "ctl.socket", "metrics.listen",
                          "stats.test.packets", "stats.test.ratio"));
  EXPECT_THAT(registry_.List("", /*with_stats=*/false),
              ElementsAre("core.batch_wait_us", "core.log_level", "core.rx_buffer_bytes",
                          "core.rx_buffers", "core.workers", "ctl.socket", "metrics.listen"));
}

TEST_F(RegistryTest, StatsInGetListAndDescribe) {
  EXPECT_EQ(Value("stats.test.packets"), "42");
  EXPECT_EQ(Value("stats.test.ratio"), "0.25");
  EXPECT_EQ(Value("stats.test.nope"), "ERROR: unknown key \"stats.test.nope\"");
  EXPECT_EQ(registry_.Get("stats.test.nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(registry_.List("stats"), ElementsAre("stats.test.packets", "stats.test.ratio"));
  EXPECT_THAT(registry_.List("stats.test.packets"), ElementsAre("stats.test.packets"));
  EXPECT_THAT(registry_.List("stats", /*with_stats=*/false), IsEmpty());

  absl::StatusOr<std::string> text = registry_.Describe("stats.test.packets");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, "packets seen (read-only counter)");
  text = registry_.Describe("stats.test.ratio");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, "share of packets that arrived late (read-only gauge)");
  EXPECT_EQ(registry_.Describe("stats.test.nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(registry_.Spec("stats.test.packets"), nullptr);

  ASSERT_EQ(registry_.CollectStats().size(), 2u);
}

TEST_F(RegistryTest, DescribeTunables) {
  absl::StatusOr<std::string> text = registry_.Describe("core.workers");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text,
            "worker threads, each with its own io_uring (0: one per online CPU) (int 0..256, "
            "default 0, at restart)");
  text = registry_.Describe("core.log_level");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text,
            "least severe log lines written to stderr / the journal (one of "
            "error|warn|info|debug, default info, live)");
  EXPECT_EQ(Message(registry_.Describe("core.nope").status()), "unknown key \"core.nope\"");
  // A path key is described only once the path exists.
  EXPECT_EQ(registry_.Describe("path.cam1.source_transport").status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(registry_.Set("path.cam1.source", "publisher").ok());
  text = registry_.Describe("path.cam1.source_transport");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text,
            "RTP transport when pulling from an rtsp:// source (one of tcp|udp|auto, default tcp, "
            "live)");
}

TEST_F(RegistryTest, SecretSpecs) {
  const TunableSpec* spec = registry_.Spec("path.anycam.read_pass");
  ASSERT_NE(spec, nullptr);
  EXPECT_TRUE(spec->secret);
  ASSERT_NE(registry_.Spec("path.anycam.publish_pass"), nullptr);
  EXPECT_TRUE(registry_.Spec("path.anycam.publish_pass")->secret);
  ASSERT_NE(registry_.Spec("path.anycam.read_user"), nullptr);
  EXPECT_FALSE(registry_.Spec("path.anycam.read_user")->secret);
  EXPECT_EQ(registry_.Spec("core.nope"), nullptr);

  // The registry keeps the real value; masking is the control service's job.
  ASSERT_TRUE(registry_.Set("path.cam1.read_pass", "hunter2").ok());
  EXPECT_EQ(Value("path.cam1.read_pass"), "hunter2");
  absl::StatusOr<std::string> text = registry_.Describe("path.cam1.read_pass");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, "password readers must give (string, default (secret), live)");
}

// --- ApplyConfig ------------------------------------------------------------------------------

TEST_F(RegistryTest, StartupAppliesLinesAndLaterLineWins) {
  std::vector<ConfigLine> lines = {
      Line("/etc/ringcast/ringcast.conf", 3, "core.workers", "4"),
      Line("/etc/ringcast/ringcast.conf", 4, "core.log_level", "debug"),
      Line("/etc/ringcast/ringcast.conf", 5, "metrics.listen", "[::1]:9100"),
      Line("/etc/ringcast/ringcast.conf", 7, "path.cam1.source", "rtsp://10.0.0.5/live"),
      Line("/etc/ringcast/conf.d/50-local.conf", 1, "core.log_level", "warn"),
      Line("/etc/ringcast/conf.d/50-local.conf", 2, "path.cam1.on_demand", "yes"),
  };
  absl::Status applied = registry_.ApplyConfig(lines, /*startup=*/true);
  ASSERT_TRUE(applied.ok()) << applied;
  EXPECT_EQ(Value("core.workers"), "4");
  EXPECT_EQ(Value("core.log_level"), "warn");
  EXPECT_EQ(Value("metrics.listen"), "[::1]:9100");
  EXPECT_EQ(Value("path.cam1.source"), "rtsp://10.0.0.5/live");
  EXPECT_EQ(Value("path.cam1.on_demand"), "1");
  EXPECT_EQ(Value("path.cam1.source_transport"), "tcp");
  EXPECT_EQ(Value("ctl.socket"), "/run/ringcast/ctl.sock");

  // At start-up every key is announced once, with its final value.
  std::vector<Event> log_level_events;
  for (const Event& event : events_) {
    if (event.name == "core.log_level") log_level_events.push_back(event);
  }
  EXPECT_THAT(log_level_events, ElementsAre(Set("core.log_level", "warn")));
  EXPECT_EQ(events_.size(), 7u + kCam1Keys.size());
}

TEST_F(RegistryTest, BadFileChangesNothingAndListsEveryBadLine) {
  std::vector<ConfigLine> lines = {
      Line("ringcast.conf", 1, "core.log_level", "debug"),
      Line("ringcast.conf", 2, "core.nope", "1"),
      Line("ringcast.conf", 3, "core.workers", "999"),
      Line("ringcast.conf", 4, "stats.test.packets", "0"),
      Line("ringcast.conf", 5, "path.cam1.source", "publisher"),
      Line("conf.d/10-cams.conf", 8, "path.cam!.source", "publisher"),
      Line("conf.d/10-cams.conf", 9, "metrics.listen", "localhost:9998"),
  };
  absl::Status applied = registry_.ApplyConfig(lines, /*startup=*/true);
  EXPECT_EQ(applied.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      Message(applied),
      "ringcast.conf:2: unknown key \"core.nope\"\n"
      "ringcast.conf:3: core.workers: invalid value \"999\": expected an integer in [0, 256]\n"
      "ringcast.conf:4: key \"stats.test.packets\" is read-only\n"
      "conf.d/10-cams.conf:8: invalid path name \"cam!\": use 1-64 letters, digits, '_' or "
      "'-'\n"
      "conf.d/10-cams.conf:9: metrics.listen: invalid value \"localhost:9998\": expected "
      "HOST:PORT, [IPV6]:PORT or :PORT with a numeric host");
  EXPECT_EQ(Value("core.log_level"), "info");
  EXPECT_THAT(registry_.List("path"), IsEmpty());
  EXPECT_THAT(events_, IsEmpty());
}

TEST_F(RegistryTest, IgnoreErrorsLineSkippedSilently) {
  std::vector<ConfigLine> lines = {
      Line("ringcast.conf", 1, "core.bogus", "1", /*ignore_errors=*/true),
      Line("ringcast.conf", 2, "core.log_level", "loud", /*ignore_errors=*/true),
      Line("ringcast.conf", 3, "stats.test.packets", "7", /*ignore_errors=*/true),
      // A good '-' line still applies.
      Line("ringcast.conf", 4, "path.cam1.source", "publisher", /*ignore_errors=*/true),
      Line("ringcast.conf", 5, "core.rx_buffers", "2048"),
  };
  absl::Status applied = registry_.ApplyConfig(lines, /*startup=*/true);
  ASSERT_TRUE(applied.ok()) << applied;
  EXPECT_EQ(Value("core.log_level"), "info");
  EXPECT_EQ(Value("core.rx_buffers"), "2048");
  EXPECT_EQ(Value("path.cam1.source"), "publisher");
  EXPECT_EQ(Value("core.bogus"), "ERROR: unknown key \"core.bogus\"");
}

class ReloadTest : public RegistryTest {
 protected:
  void SetUp() override {
    std::vector<ConfigLine> startup = {
        Line("ringcast.conf", 1, "core.workers", "4"),
        Line("ringcast.conf", 2, "core.log_level", "warn"),
        Line("ringcast.conf", 3, "path.cam1.source", "publisher"),
        Line("ringcast.conf", 4, "path.cam2.source", "rtsp://10.0.0.9/s"),
    };
    absl::Status applied = registry_.ApplyConfig(startup, /*startup=*/true);
    ASSERT_TRUE(applied.ok()) << applied;
    events_.clear();
    log_.clear();
  }
};

TEST_F(ReloadTest, KeepsRestartKeysAppliesLiveKeysAndRemovesMissingPaths) {
  std::vector<ConfigLine> reload = {
      Line("ringcast.conf", 1, "core.workers", "8"),
      Line("ringcast.conf", 2, "core.log_level", "debug"),
      Line("ringcast.conf", 3, "path.cam1.source", "publisher"),
      Line("ringcast.conf", 4, "path.cam1.max_readers", "10"),
  };
  absl::Status applied = registry_.ApplyConfig(reload, /*startup=*/false);
  ASSERT_TRUE(applied.ok()) << applied;

  EXPECT_EQ(Value("core.workers"), "4");
  EXPECT_EQ(Value("core.log_level"), "debug");
  EXPECT_EQ(Value("path.cam1.max_readers"), "10");
  EXPECT_EQ(Value("path.cam2.source"), "ERROR: unknown key \"path.cam2.source\"");
  EXPECT_THAT(registry_.PathNames(), ElementsAre("cam1"));
  // Only what changed is announced.
  EXPECT_THAT(events_, ElementsAre(Removed("path.cam2"), Set("core.log_level", "debug"),
                                   Set("path.cam1.max_readers", "10")));
  EXPECT_THAT(log_, ::testing::Contains(
                        "config: core.workers = 8 in the config files takes effect at restart; "
                        "still running with 4"));
}

TEST_F(ReloadTest, KeyDroppedFromFilesReturnsToDefault) {
  std::vector<ConfigLine> reload = {
      Line("ringcast.conf", 1, "core.workers", "4"),
      Line("ringcast.conf", 3, "path.cam1.source", "publisher"),
      Line("ringcast.conf", 4, "path.cam2.source", "rtsp://10.0.0.9/s"),
  };
  absl::Status applied = registry_.ApplyConfig(reload, /*startup=*/false);
  ASSERT_TRUE(applied.ok()) << applied;
  EXPECT_EQ(Value("core.log_level"), "info");
  EXPECT_THAT(events_, ElementsAre(Set("core.log_level", "info")));
}

TEST_F(ReloadTest, RemovesPathAddedLiveThatIsNotInTheFiles) {
  ASSERT_TRUE(registry_.Set("path.cam3.source", "publisher").ok());
  events_.clear();
  std::vector<ConfigLine> reload = {
      Line("ringcast.conf", 1, "core.workers", "4"),
      Line("ringcast.conf", 2, "core.log_level", "warn"),
      Line("ringcast.conf", 3, "path.cam1.source", "publisher"),
      Line("ringcast.conf", 4, "path.cam2.source", "rtsp://10.0.0.9/s"),
  };
  absl::Status applied = registry_.ApplyConfig(reload, /*startup=*/false);
  ASSERT_TRUE(applied.ok()) << applied;
  EXPECT_THAT(events_, ElementsAre(Removed("path.cam3")));
  EXPECT_THAT(registry_.PathNames(), ElementsAre("cam1", "cam2"));
}

TEST_F(ReloadTest, BadReloadKeepsRunningConfig) {
  std::vector<ConfigLine> reload = {
      Line("ringcast.conf", 2, "core.log_level", "debug"),
      Line("ringcast.conf", 3, "path.cam1.source", "publisher"),
      Line("ringcast.conf", 6, "path.cam1.max_readers", "-1"),
  };
  absl::Status applied = registry_.ApplyConfig(reload, /*startup=*/false);
  EXPECT_EQ(applied.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(applied),
            "ringcast.conf:6: path.cam1.max_readers: invalid value \"-1\": expected an integer in "
            "[0, 1000000]");
  EXPECT_EQ(Value("core.log_level"), "warn");
  EXPECT_EQ(Value("core.workers"), "4");
  EXPECT_THAT(registry_.PathNames(), ElementsAre("cam1", "cam2"));
  EXPECT_THAT(events_, IsEmpty());
}

}  // namespace
}  // namespace ringcast::core
