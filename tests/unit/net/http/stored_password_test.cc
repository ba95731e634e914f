#include "net/http/stored_password.h"

#include <string>
#include <vector>

#include "core/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/http/auth.h"

namespace ringcast::net::http {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using Clock = ServerAuth::Clock;

constexpr std::string_view kSalt = "0123456789abcdef";
constexpr std::string_view kIp = "192.0.2.10";

TEST(StoredPasswordTest, LineFormat) {
  const std::string line =
      HashPasswordLineWithSalt("viewer", "ringcast", "s3cret", true, 1000, kSalt);
  EXPECT_THAT(line, MatchesRegex("pbkdf2-sha256:1000:30313233343536373839616263646566:[0-9a-f]{64},"
                                 "digest-md5:[0-9a-f]{32},digest-sha256:[0-9a-f]{64}"));
  // HA1 = H(user:realm:password), as htdigest stores it.
  EXPECT_THAT(line, HasSubstr(core::StrCat("digest-md5:", DigestHa1(DigestAlgorithm::kMd5, "viewer",
                                                                    "ringcast", "s3cret"))));
  // PBKDF2-HMAC-SHA256, RFC 7914 §11's vector ("passwd", salt "salt", 1 iteration) checked
  // through the line format (iterations below the minimum are refused, so build it by hand).
  absl::StatusOr<StoredPassword> rfc = ParseStoredPassword(
      "pbkdf2-sha256:1:73616c74:55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
  EXPECT_FALSE(rfc.ok());
  EXPECT_THAT(HashPasswordLineWithSalt("u", "r", "passwd", false, 1, "salt"),
              HasSubstr("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"));

  const std::string basic_only = HashPasswordLine("viewer", "ringcast", "s3cret", false);
  EXPECT_THAT(basic_only, Not(HasSubstr("digest")));
  EXPECT_NE(HashPasswordLine("viewer", "ringcast", "s3cret", false), basic_only);  // random salt
}

TEST(StoredPasswordTest, ParseAndCheck) {
  const std::string line = HashPasswordLine("viewer", "ringcast", "s3cret", true, 1000);
  absl::StatusOr<StoredPassword> stored = ParseStoredPassword(line);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_TRUE(stored->hashed);
  EXPECT_TRUE(CheckPassword(*stored, "viewer", "ringcast", "s3cret"));
  EXPECT_FALSE(CheckPassword(*stored, "viewer", "ringcast", "s3creT"));
  EXPECT_FALSE(CheckPassword(*stored, "viewer", "ringcast", ""));
  EXPECT_FALSE(CheckPassword(*stored, "viewer", "ringcast", line));  // the line is not the password

  // Only HA1s: Basic and Bearer are checked against them (for the user they were made for).
  absl::StatusOr<StoredPassword> ha1_only = ParseStoredPassword(
      core::StrCat("digest-md5:", DigestHa1(DigestAlgorithm::kMd5, "viewer", "ringcast", "pw")));
  ASSERT_TRUE(ha1_only.ok());
  EXPECT_TRUE(CheckPassword(*ha1_only, "viewer", "ringcast", "pw"));
  EXPECT_FALSE(CheckPassword(*ha1_only, "viewer", "ringcast", "pW"));
  EXPECT_FALSE(CheckPassword(*ha1_only, "other", "ringcast", "pw"));

  // Clear passwords as before; "plain:" for one that would read as a hashed line.
  absl::StatusOr<StoredPassword> plain = ParseStoredPassword("hunter2");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->hashed);
  EXPECT_TRUE(CheckPassword(*plain, "viewer", "ringcast", "hunter2"));
  EXPECT_FALSE(CheckPassword(*plain, "viewer", "ringcast", "hunter"));
  absl::StatusOr<StoredPassword> escaped = ParseStoredPassword("plain:digest-md5:x");
  ASSERT_TRUE(escaped.ok());
  EXPECT_TRUE(CheckPassword(*escaped, "viewer", "ringcast", "digest-md5:x"));
  ASSERT_TRUE(ParseStoredPassword("sha1:whatever").ok());  // not a kind we know: clear text
}

TEST(StoredPasswordTest, MalformedRefused) {
  const std::string key(64, 'a');
  for (const std::string& bad : std::vector<std::string>{
           "pbkdf2-sha256:",
           "pbkdf2-sha256:10000:00",
           core::StrCat("pbkdf2-sha256:999:00:", key),      // too few iterations
           core::StrCat("pbkdf2-sha256:2000000:00:", key),  // too many
           core::StrCat("pbkdf2-sha256:x:00:", key),
           core::StrCat("pbkdf2-sha256:10000::", key),    // no salt
           core::StrCat("pbkdf2-sha256:10000:0g:", key),  // not hex
           "pbkdf2-sha256:10000:00:abcd",                 // short key
           core::StrCat("pbkdf2-sha256:10000:00:", key, ","),
           core::StrCat("pbkdf2-sha256:10000:00:", key, ",sha1:00"),
           core::StrCat("pbkdf2-sha256:10000:00:", key, ",pbkdf2-sha256:10000:00:", key),
           "digest-md5:abc",
           std::string("digest-sha256:") + std::string(32, 'a'),
           std::string("digest-md5:") + std::string(32, 'a') +
               ",digest-md5:" + std::string(32, 'a'),
       }) {
    absl::StatusOr<StoredPassword> parsed = ParseStoredPassword(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    if (!parsed.ok()) {
      EXPECT_THAT(std::string(parsed.status().message()), Not(HasSubstr(key))) << bad;
    }
  }
}

// The RTSP server with a hashed read_pass: Basic and Digest (MD5, SHA-256), right and wrong.
TEST(StoredPasswordTest, ServerAuthWithHashedPassword) {
  const std::string line = HashPasswordLine("viewer", "ringcast", "s3cret", true, 1000);
  const Credentials stored{"viewer", line};
  const Clock::time_point now = Clock::time_point() + std::chrono::hours(1);

  ServerAuth basic({.offer_digest_md5 = false, .offer_basic = true});
  EXPECT_EQ(
      basic.Verify(BasicAuthorization("viewer", "s3cret"), "DESCRIBE", "/x", stored, kIp, now),
      AuthVerdict::kOk);
  EXPECT_EQ(basic.Verify(BasicAuthorization("viewer", "wrong"), "DESCRIBE", "/x", stored, kIp, now),
            AuthVerdict::kBadCredentials);
  EXPECT_EQ(basic.Verify(BasicAuthorization("viewer", line), "DESCRIBE", "/x", stored, kIp, now),
            AuthVerdict::kBadCredentials);
  EXPECT_EQ(basic.Verify(BasicAuthorization("other", "s3cret"), "DESCRIBE", "/x", stored, kIp, now),
            AuthVerdict::kBadCredentials);

  for (bool sha256 : {false, true}) {
    ServerAuth server({.offer_digest_sha256 = sha256, .offer_digest_md5 = !sha256});
    for (const char* password : {"s3cret", "wrong"}) {
      ClientAuth client("viewer", password);
      std::vector<std::string> values = server.MakeChallenges(false, kIp, now);
      std::vector<std::string_view> views(values.begin(), values.end());
      ASSERT_TRUE(client.OnChallenge(views).ok());
      EXPECT_EQ(client.challenge()->algorithm,
                sha256 ? DigestAlgorithm::kSha256 : DigestAlgorithm::kMd5);
      EXPECT_EQ(
          server.Verify(client.Authorization("DESCRIBE", "/x"), "DESCRIBE", "/x", stored, kIp, now),
          std::string_view(password) == "s3cret" ? AuthVerdict::kOk : AuthVerdict::kBadCredentials)
          << (sha256 ? "SHA-256 " : "MD5 ") << password;
    }
  }

  // A Basic-only line cannot check Digest: nobody gets in, and it is not the client's failure.
  const Credentials basic_only{"viewer", HashPasswordLine("viewer", "ringcast", "s3cret", false)};
  ServerAuth digest;
  ClientAuth client("viewer", "s3cret");
  std::vector<std::string> values = digest.MakeChallenges(false, kIp, now);
  std::vector<std::string_view> views(values.begin(), values.end());
  ASSERT_TRUE(client.OnChallenge(views).ok());
  const AuthVerdict verdict =
      digest.Verify(client.Authorization("DESCRIBE", "/x"), "DESCRIBE", "/x", basic_only, kIp, now);
  EXPECT_EQ(verdict, AuthVerdict::kCannotVerify);
  EXPECT_FALSE(VerdictIsFailure(verdict));
  // A malformed stored line: the same.
  EXPECT_EQ(digest.Verify(client.Authorization("DESCRIBE", "/x"), "DESCRIBE", "/x",
                          {"viewer", "digest-md5:zz"}, kIp, now),
            AuthVerdict::kCannotVerify);
}

}  // namespace
}  // namespace ringcast::net::http
