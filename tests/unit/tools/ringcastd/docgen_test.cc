// The generated config, man pages and completion: every tunable appears, with its default, and
// the generated config is one the daemon accepts. sd_notify: the datagrams systemd would get.
#include "tools/ringcastd/docgen.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "core/config_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/ringcastd/sd_notify.h"

namespace ringcast::daemon {
namespace {

using core::ConfigLine;
using core::LoadConfigFiles;
using core::MatchesPrefix;
using core::Registry;
using core::TunableSpec;

using ::testing::HasSubstr;

TEST(DocgenTest, DefaultConfigListsEveryKeyCommentedOutAtItsDefault) {
  Registry registry;
  DefineDocumentedTunables(registry);
  std::string config = DefaultConfig(registry);
  for (const std::string& name : registry.List("", /*with_stats=*/false)) {
    const TunableSpec* spec = registry.Spec(name);
    ASSERT_NE(spec, nullptr) << name;
    std::string line =
        name + (spec->default_value.empty() ? " =" : " = " + spec->default_value) + "\n";
    if (MatchesPrefix(name, "path")) {
      EXPECT_THAT(config, HasSubstr("#   " + line)) << name;
    } else {
      EXPECT_THAT(config, HasSubstr("\n#" + line)) << name;
    }
    EXPECT_THAT(config, HasSubstr(spec->description)) << name;
  }
  EXPECT_THAT(config, HasSubstr("\npath.demo.source = demo\n"));
}

TEST(DocgenTest, DefaultConfigIsAcceptedAndOnlySetsTheDemoPath) {
  char dir[] = "/tmp/docgen-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string file = std::string(dir) + "/ringcast.conf";
  Registry registry;
  DefineDocumentedTunables(registry);
  FILE* out = fopen(file.c_str(), "w");
  ASSERT_NE(out, nullptr);
  std::string config = DefaultConfig(registry);
  fwrite(config.data(), 1, config.size(), out);
  fclose(out);
  absl::StatusOr<std::vector<ConfigLine>> lines = LoadConfigFiles(file, "", true);
  ASSERT_TRUE(lines.ok()) << lines.status();
  ASSERT_EQ(lines->size(), 1u);
  EXPECT_EQ((*lines)[0].key, "path.demo.source");
  EXPECT_TRUE(registry.ApplyConfig(*lines, /*startup=*/true).ok());
  unlink(file.c_str());
  rmdir(dir);
}

TEST(DocgenTest, ConfManPageDocumentsEveryKey) {
  Registry registry;
  DefineDocumentedTunables(registry);
  absl::StatusOr<std::string> page = ManPage(registry, "conf");
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(*page, HasSubstr(".TH RINGCAST.CONF 5"));
  EXPECT_THAT(*page, HasSubstr("\\fBwebrtc.nack_history_ms\\fR = \\fI1000\\fR"));
  EXPECT_THAT(*page, HasSubstr("\\fBpath.NAME.source\\fR = \\fIpublisher\\fR"));
  EXPECT_THAT(*page, HasSubstr("\\fBrtsp.listen\\fR = \\fI:8554\\fR"));
  for (std::string_view name : {"ringcastd", "ringcastctl"}) {
    absl::StatusOr<std::string> other = ManPage(registry, name);
    ASSERT_TRUE(other.ok()) << name;
    EXPECT_THAT(*other, HasSubstr(".SH SEE ALSO"));
  }
  EXPECT_FALSE(ManPage(registry, "nope").ok());
}

TEST(DocgenTest, RoffEscape) {
  EXPECT_EQ(RoffEscape("a-b\\c"), "a\\-b\\ec");
  EXPECT_EQ(RoffEscape(".x"), "\\&.x");
  EXPECT_EQ(RoffEscape("'x"), "\\&'x");
}

TEST(DocgenTest, BashCompletionHasKeysAndEnumValues) {
  Registry registry;
  DefineDocumentedTunables(registry);
  std::string script = BashCompletion(registry);
  EXPECT_THAT(script, HasSubstr("core.log_level"));
  EXPECT_THAT(script, HasSubstr("core.log_level) choices=\"error warn info debug\" ;;"));
  EXPECT_THAT(script, HasSubstr("path.*.source_transport) choices=\"tcp udp auto\" ;;"));
  EXPECT_THAT(script, HasSubstr("complete -F _ringcastctl ringcastctl"));
}

TEST(SdNotifyTest, SendsToNotifySocketAndIsANoOpWithout) {
  unsetenv("NOTIFY_SOCKET");
  EXPECT_FALSE(SdNotify("READY=1"));

  int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  std::string path = "/tmp/docgen-test-notify-" + std::to_string(getpid());
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  path.copy(address.sun_path, path.size());
  unlink(path.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  setenv("NOTIFY_SOCKET", path.c_str(), 1);
  EXPECT_TRUE(SdNotify("READY=1"));
  char buffer[64] = {};
  ASSERT_EQ(recv(fd, buffer, sizeof(buffer) - 1, 0), 7);
  EXPECT_STREQ(buffer, "READY=1");
  unsetenv("NOTIFY_SOCKET");
  close(fd);
  unlink(path.c_str());
}

}  // namespace
}  // namespace ringcast::daemon
