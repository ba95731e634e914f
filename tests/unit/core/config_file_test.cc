// Config files: sysctl.conf(5) syntax (comments, '-' lines, spaces, CRLF), syntax errors as
// "file:line: reason" for every bad line, and the file list (main file, then conf.d/*.conf in
// lexical order) read from a real temporary directory.
#include "core/config_file.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ringcast::core {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

// "file:line key=value" (with a leading '-' for ignore_errors) so a whole parse compares at once.
std::vector<std::string> Render(const std::vector<ConfigLine>& lines) {
  std::vector<std::string> out;
  for (const ConfigLine& line : lines) {
    out.push_back(line.file + ":" + std::to_string(line.line) + " " +
                  (line.ignore_errors ? "-" : "") + line.key + "=" + line.value);
  }
  return out;
}

std::vector<std::string> ParseOk(std::string_view text, std::string_view file = "test.conf") {
  absl::StatusOr<std::vector<ConfigLine>> lines = ParseConfigText(text, file);
  EXPECT_TRUE(lines.ok()) << lines.status();
  return lines.ok() ? Render(*lines) : std::vector<std::string>{};
}

std::string ParseError(std::string_view text, std::string_view file = "test.conf") {
  absl::StatusOr<std::vector<ConfigLine>> lines = ParseConfigText(text, file);
  if (lines.ok()) {
    ADD_FAILURE() << "parsed without error";
    return "";
  }
  EXPECT_EQ(lines.status().code(), absl::StatusCode::kInvalidArgument);
  return Message(lines.status());
}

TEST(ParseConfigTextTest, CommentsAndBlankLinesSkippedLineNumbersKept) {
  EXPECT_THAT(ParseOk("# ringcast.conf\n"
                      "; also a comment\n"
                      "\n"
                      "   \t\n"
                      "  # indented comment\n"
                      "core.workers = 4\n"),
              ElementsAre("test.conf:6 core.workers=4"));
  EXPECT_THAT(ParseOk(""), IsEmpty());
  EXPECT_THAT(ParseOk("# only a comment"), IsEmpty());
}

TEST(ParseConfigTextTest, SpacesAroundEqualsAndValue) {
  EXPECT_THAT(
      ParseOk("core.log_level=debug\n"
              "  metrics.listen   =   127.0.0.1:9998   \n"
              "\tctl.socket\t=\t/run/ringcast/ctl.sock\t\n"
              "path.cam1.read_user =\n"),
      ElementsAre("test.conf:1 core.log_level=debug", "test.conf:2 metrics.listen=127.0.0.1:9998",
                  "test.conf:3 ctl.socket=/run/ringcast/ctl.sock",
                  "test.conf:4 path.cam1.read_user="));
}

TEST(ParseConfigTextTest, ValueKeepsEqualsSignsAndInnerSpaces) {
  absl::StatusOr<std::vector<ConfigLine>> lines = ParseConfigText(
      "path.cam1.source = rtsp://admin:pa=ss@10.0.0.5:554/Streaming/Channels/101?a=b c\n",
      "ringcast.conf");
  ASSERT_TRUE(lines.ok()) << lines.status();
  ASSERT_EQ(lines->size(), 1u);
  EXPECT_EQ((*lines)[0].file, "ringcast.conf");
  EXPECT_EQ((*lines)[0].line, 1);
  EXPECT_EQ((*lines)[0].key, "path.cam1.source");
  EXPECT_EQ((*lines)[0].value, "rtsp://admin:pa=ss@10.0.0.5:554/Streaming/Channels/101?a=b c");
  EXPECT_FALSE((*lines)[0].ignore_errors);
}

TEST(ParseConfigTextTest, DashPrefixSetsIgnoreErrors) {
  EXPECT_THAT(ParseOk("-path.cam9.source = publisher\n"
                      "  - core.log_level = info\n"
                      "core.workers = -1\n"),
              ElementsAre("test.conf:1 -path.cam9.source=publisher",
                          "test.conf:2 -core.log_level=info", "test.conf:3 core.workers=-1"));
}

TEST(ParseConfigTextTest, CrlfLineEndings) {
  EXPECT_THAT(ParseOk("# written on Windows\r\n"
                      "core.workers = 2\r\n"
                      "\r\n"
                      "-path.cam1.source = publisher\r\n"
                      "core.log_level=warn"),
              ElementsAre("test.conf:2 core.workers=2", "test.conf:4 -path.cam1.source=publisher",
                          "test.conf:5 core.log_level=warn"));
}

TEST(ParseConfigTextTest, EveryBadLineReported) {
  EXPECT_EQ(ParseError("core.workers = 4\n"
                       "just some words\n"
                       "= 3\n"
                       "bad key = 1\n"
                       "core..workers = 1\n"
                       ".core = 1\n"
                       "core. = 1\n"
                       "core/workers = 1\n"
                       "core.log_level = info\n",
                       "/etc/ringcast/ringcast.conf"),
            "/etc/ringcast/ringcast.conf:2: expected \"key = value\", got \"just some words\"\n"
            "/etc/ringcast/ringcast.conf:3: invalid key \"\" (dotted name of letters, digits, '_' "
            "and '-')\n"
            "/etc/ringcast/ringcast.conf:4: invalid key \"bad key\" (dotted name of letters, "
            "digits, '_' and '-')\n"
            "/etc/ringcast/ringcast.conf:5: invalid key \"core..workers\" (dotted name of letters, "
            "digits, '_' and '-')\n"
            "/etc/ringcast/ringcast.conf:6: invalid key \".core\" (dotted name of letters, digits, "
            "'_' and '-')\n"
            "/etc/ringcast/ringcast.conf:7: invalid key \"core.\" (dotted name of letters, digits, "
            "'_' and '-')\n"
            "/etc/ringcast/ringcast.conf:8: invalid key \"core/workers\" (dotted name of letters, "
            "digits, '_' and '-')");
}

TEST(ParseConfigTextTest, ErrorsQuoteAtMost80Characters) {
  std::string long_line(200, 'x');
  EXPECT_EQ(ParseError(long_line + "\n"),
            "test.conf:1: expected \"key = value\", got \"" + std::string(80, 'x') + "\"");
}

TEST(ParseConfigTextTest, NulByteIsAnError) {
  using namespace std::string_literals;
  EXPECT_EQ(ParseError("core.workers = 4\ncore.log_level = in\0fo\n"s),
            "test.conf:2: NUL byte in line");
}

// --- Files ------------------------------------------------------------------------------------

class ConfigDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = std::filesystem::path(::testing::TempDir()) /
            (std::string("ringcast_config_") + info->name() + "_" + std::to_string(getpid()));
    std::filesystem::remove_all(root_);
    ASSERT_TRUE(std::filesystem::create_directories(root_ / "conf.d"));
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::string Write(const std::string& relative, std::string_view text) {
    std::filesystem::path path = root_ / relative;
    std::ofstream out(path, std::ios::binary);
    out << text;
    EXPECT_TRUE(out.good()) << path;
    return path.string();
  }
  std::string Main() const { return (root_ / "ringcast.conf").string(); }
  std::string Dir() const { return (root_ / "conf.d").string(); }
  std::string In(const std::string& relative) const { return (root_ / relative).string(); }

  std::filesystem::path root_;
};

TEST_F(ConfigDirTest, ReadConfigFileParsesWithFileName) {
  std::string file = Write("ringcast.conf", "core.workers = 2\n# done\n");
  absl::StatusOr<std::vector<ConfigLine>> lines = ReadConfigFile(file);
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_THAT(Render(*lines), ElementsAre(file + ":1 core.workers=2"));
}

TEST_F(ConfigDirTest, ReadConfigFileMissing) {
  absl::StatusOr<std::vector<ConfigLine>> lines = ReadConfigFile(In("nope.conf"));
  EXPECT_EQ(lines.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Message(lines.status()),
            "cannot read " + In("nope.conf") + ": No such file or directory");
}

TEST_F(ConfigDirTest, ReadConfigFileSyntaxErrorNamesTheFile) {
  std::string file = Write("conf.d/10-a.conf", "core.workers = 2\noops\n");
  absl::StatusOr<std::vector<ConfigLine>> lines = ReadConfigFile(file);
  EXPECT_EQ(lines.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(lines.status()), file + ":2: expected \"key = value\", got \"oops\"");
}

TEST_F(ConfigDirTest, MainFileFirstThenConfDInLexicalOrder) {
  Write("ringcast.conf", "core.log_level = info\n");
  Write("conf.d/20-b.conf", "core.log_level = warn\n");
  Write("conf.d/10-a.conf", "core.log_level = debug\n");
  Write("conf.d/9-z.conf", "core.log_level = error\n");  // lexical, not numeric: after 20-b
  Write("conf.d/README", "not a config file\n");
  Write("conf.d/30-c.conf.bak", "broken\n");
  Write("conf.d/40-d.conf~", "broken\n");
  std::filesystem::create_directory(root_ / "conf.d" / "50-dir.conf");

  absl::StatusOr<std::vector<std::string>> files = ConfigFileList(Main(), Dir(), false);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_THAT(*files, ElementsAre(Main(), In("conf.d/10-a.conf"), In("conf.d/20-b.conf"),
                                  In("conf.d/9-z.conf")));

  absl::StatusOr<std::vector<ConfigLine>> lines = LoadConfigFiles(Main(), Dir(), false);
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_THAT(Render(*lines), ElementsAre(Main() + ":1 core.log_level=info",
                                          In("conf.d/10-a.conf") + ":1 core.log_level=debug",
                                          In("conf.d/20-b.conf") + ":1 core.log_level=warn",
                                          In("conf.d/9-z.conf") + ":1 core.log_level=error"));
}

TEST_F(ConfigDirTest, MissingMainFileAllowedUnlessRequired) {
  Write("conf.d/10-a.conf", "core.workers = 2\n");

  absl::StatusOr<std::vector<std::string>> files = ConfigFileList(Main(), Dir(), false);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_THAT(*files, ElementsAre(In("conf.d/10-a.conf")));
  absl::StatusOr<std::vector<ConfigLine>> lines = LoadConfigFiles(Main(), Dir(), false);
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_THAT(Render(*lines), ElementsAre(In("conf.d/10-a.conf") + ":1 core.workers=2"));

  files = ConfigFileList(Main(), Dir(), true);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_THAT(*files, ElementsAre(Main(), In("conf.d/10-a.conf")));
  lines = LoadConfigFiles(Main(), Dir(), true);
  EXPECT_FALSE(lines.ok());
  EXPECT_EQ(Message(lines.status()), "cannot read " + Main() + ": No such file or directory");
}

TEST_F(ConfigDirTest, MissingOrEmptyDirectory) {
  Write("ringcast.conf", "core.workers = 2\n");
  absl::StatusOr<std::vector<std::string>> files = ConfigFileList(Main(), In("no-such-dir"), false);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_THAT(*files, ElementsAre(Main()));
  files = ConfigFileList(Main(), "", false);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_THAT(*files, ElementsAre(Main()));
  files = ConfigFileList(In("absent.conf"), Dir(), false);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_THAT(*files, IsEmpty());
}

TEST_F(ConfigDirTest, LoadReportsEveryBadLineOfEveryFile) {
  Write("ringcast.conf", "core.workers = 2\nbad line\n");
  Write("conf.d/10-a.conf", "core.log_level = debug\n");
  Write("conf.d/20-b.conf", "# cams\n\n= publisher\n");
  absl::StatusOr<std::vector<ConfigLine>> lines = LoadConfigFiles(Main(), Dir(), true);
  EXPECT_EQ(lines.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(lines.status()),
            Main() + ":2: expected \"key = value\", got \"bad line\"\n" + In("conf.d/20-b.conf") +
                ":3: invalid key \"\" (dotted name of letters, digits, '_' and '-')");
}

}  // namespace
}  // namespace ringcast::core
