#include "net/http/auth.h"

#include <string>
#include <vector>

#include "core/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/socket.h"
#include "tests/unit/net/rtsp/capture_util.h"

namespace ringcast::net::http {
namespace {

using rtsp::testing::Messages;
using rtsp::testing::ReadCapture;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = ServerAuth::Clock;

// RFC 7616 §3.9.1: the example's values.
constexpr std::string_view kRfcNonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
constexpr std::string_view kRfcCnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
constexpr std::string_view kRfcOpaque = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";

DigestInput Rfc7616Input(DigestAlgorithm algorithm) {
  DigestInput in;
  in.algorithm = algorithm;
  in.username = "Mufasa";
  in.realm = "http-auth@example.org";
  in.password = "Circle of Life";
  in.nonce = kRfcNonce;
  in.cnonce = kRfcCnonce;
  in.nc = 1;
  in.qop = DigestQop::kAuth;
  in.method = "GET";
  in.uri = "/dir/index.html";
  return in;
}

TEST(RtspAuthTest, Rfc7616Vectors) {
  EXPECT_EQ(DigestResponse(Rfc7616Input(DigestAlgorithm::kMd5)),
            "8ca523f5e9506fed4657c9700eebdbec");
  EXPECT_EQ(DigestResponse(Rfc7616Input(DigestAlgorithm::kSha256)),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

TEST(RtspAuthTest, Rfc2617Vector) {
  DigestInput in;
  in.username = "Mufasa";
  in.realm = "testrealm@host.com";
  in.password = "Circle Of Life";
  in.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  in.cnonce = "0a4f113b";
  in.nc = 1;
  in.qop = DigestQop::kAuth;
  in.method = "GET";
  in.uri = "/dir/index.html";
  EXPECT_EQ(DigestResponse(in), "6629fae49393a05397450978507c4ef1");

  // The same section's Authorization header parses into those fields.
  absl::StatusOr<AuthorizationFields> f = ParseAuthorization(
      "Digest username=\"Mufasa\",\n realm=\"testrealm@host.com\",\n"
      " nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\n uri=\"/dir/index.html\",\n qop=auth,\n"
      " nc=00000001,\n cnonce=\"0a4f113b\",\n response=\"6629fae49393a05397450978507c4ef1\",\n"
      " opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
  // Folded lines arrive joined by the parser; the raw LFs here are not valid header bytes.
  EXPECT_FALSE(f.ok());
  f = ParseAuthorization(
      "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
      "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", qop=auth, "
      "nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", "
      "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->scheme, AuthScheme::kDigest);
  EXPECT_EQ(f->username, "Mufasa");
  EXPECT_EQ(f->realm, "testrealm@host.com");
  EXPECT_EQ(f->uri, "/dir/index.html");
  EXPECT_EQ(f->qop, DigestQop::kAuth);
  EXPECT_EQ(f->nc, 1u);
  EXPECT_EQ(f->cnonce, "0a4f113b");
  EXPECT_EQ(f->response, "6629fae49393a05397450978507c4ef1");
  EXPECT_EQ(f->opaque, "5ccc069c403ebaf9f0171e9517f40e41");
  EXPECT_EQ(f->algorithm, DigestAlgorithm::kMd5);
}

TEST(RtspAuthTest, Rfc7617Basic) {
  EXPECT_EQ(BasicAuthorization("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  absl::StatusOr<AuthorizationFields> f = ParseAuthorization("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->scheme, AuthScheme::kBasic);
  EXPECT_EQ(f->basic_user, "Aladdin");
  EXPECT_EQ(f->basic_password, "open sesame");
  // RFC 7617 §2: the password may contain ':'; the user-id may not.
  f = ParseAuthorization(BasicAuthorization("u", "a:b:c"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->basic_password, "a:b:c");
}

// The client answers RFC 7616 §3.9.1's two challenges with SHA-256 and the RFC's response.
TEST(RtspAuthTest, ClientAnswersRfc7616Challenges) {
  const std::string sha = core::StrCat(
      "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, "
      "nonce=\"",
      kRfcNonce, "\", opaque=\"", kRfcOpaque, "\"");
  const std::string md5 = core::StrCat(
      "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=MD5, nonce=\"",
      kRfcNonce, "\", opaque=\"", kRfcOpaque, "\"");
  for (bool sha_first : {true, false}) {
    ClientAuth client("Mufasa", "Circle of Life");
    std::vector<std::string_view> values = {sha, md5};
    if (!sha_first) std::swap(values[0], values[1]);
    ASSERT_TRUE(client.OnChallenge(values).ok());
    ASSERT_TRUE(client.HasChallenge());
    EXPECT_EQ(client.challenge()->algorithm, DigestAlgorithm::kSha256);
    client.SetNextCnonceForTest(std::string(kRfcCnonce));
    EXPECT_EQ(
        client.Authorization("GET", "/dir/index.html"),
        core::StrCat("Digest username=\"Mufasa\", realm=\"http-auth@example.org\", nonce=\"",
                     kRfcNonce,
                     "\", uri=\"/dir/index.html\", algorithm=SHA-256, "
                     "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
                     "\", opaque=\"",
                     kRfcOpaque, "\", qop=auth, nc=00000001, cnonce=\"", kRfcCnonce, "\""));
  }
  ClientAuth md5_only("Mufasa", "Circle of Life");
  std::vector<std::string_view> values = {md5};
  ASSERT_TRUE(md5_only.OnChallenge(values).ok());
  md5_only.SetNextCnonceForTest(std::string(kRfcCnonce));
  EXPECT_THAT(md5_only.Authorization("GET", "/dir/index.html"),
              HasSubstr("response=\"8ca523f5e9506fed4657c9700eebdbec\""));
}

TEST(RtspAuthTest, ClientPicksDigestOverBasic) {
  // Several challenges in one header, and in several headers.
  const std::string one =
      "Basic realm=\"cam\", Digest realm=\"cam\", nonce=\"abc\", Basic realm=\"x\"";
  std::vector<std::string_view> single = {one};
  absl::StatusOr<std::vector<AuthChallenge>> parsed = ParseChallenges(single);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->size(), 3u);
  EXPECT_EQ((*parsed)[0].scheme, AuthScheme::kBasic);
  EXPECT_EQ((*parsed)[1].nonce, "abc");
  EXPECT_EQ((*parsed)[2].realm, "x");
  EXPECT_EQ(PickChallenge(*parsed), &(*parsed)[1]);

  http::Message response;
  response.protocol = http::Protocol::kRtsp;
  response.status = 401;
  response.headers = {
      {"WWW-Authenticate", "Basic realm=\"cam\""},
      {"CSeq", "2"},
      {"www-authenticate", "Digest realm=\"cam\", nonce=\"n1\", qop=\"auth\""},
      {"WWW-Authenticate", "Negotiate"},
      {"WWW-Authenticate", "Digest realm=\"cam\", nonce=\"n2\", algorithm=SHA-512-256"}};
  ClientAuth client("u", "p");
  ASSERT_TRUE(client.OnChallenge(response).ok());
  EXPECT_EQ(client.challenge()->scheme, AuthScheme::kDigest);
  EXPECT_EQ(client.challenge()->nonce, "n1");
  const std::string a1 = client.Authorization("DESCRIBE", "rtsp://cam/x");
  const std::string a2 = client.Authorization("SETUP", "rtsp://cam/x/trackID=0");
  EXPECT_THAT(a1, HasSubstr("nc=00000001"));
  EXPECT_THAT(a2, HasSubstr("nc=00000002"));
  EXPECT_THAT(a1, Not(HasSubstr("algorithm=")));  // the challenge named none
  // Fresh cnonce each time.
  absl::StatusOr<AuthorizationFields> f1 = ParseAuthorization(a1), f2 = ParseAuthorization(a2);
  ASSERT_TRUE(f1.ok() && f2.ok());
  EXPECT_NE(f1->cnonce, f2->cnonce);
  EXPECT_EQ(f1->cnonce.size(), 32u);

  ClientAuth basic_only("Aladdin", "open sesame");
  std::vector<std::string_view> b = {"Basic realm=\"cam\""};
  ASSERT_TRUE(basic_only.OnChallenge(b).ok());
  EXPECT_EQ(basic_only.Authorization("DESCRIBE", "rtsp://cam/x"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");

  ClientAuth none("u", "p");
  std::vector<std::string_view> unsupported = {"Negotiate abc", "Bearer realm=\"x\""};
  absl::Status status = none.OnChallenge(unsupported);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented);
  EXPECT_FALSE(none.HasChallenge());
}

TEST(RtspAuthTest, ClientStopsWhenRejectedAndRetriesWhenStale) {
  ClientAuth client("u", "wrong");
  std::vector<std::string_view> first = {"Digest realm=\"r\", nonce=\"n1\", qop=\"auth\""};
  ASSERT_TRUE(client.OnChallenge(first).ok());
  client.Authorization("DESCRIBE", "rtsp://h/x");
  // Same nonce again, not stale: the password was wrong.
  absl::Status rejected = client.OnChallenge(first);
  EXPECT_EQ(rejected.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(rejected.message()), Not(HasSubstr("wrong")));

  ClientAuth stale_client("u", "p");
  ASSERT_TRUE(stale_client.OnChallenge(first).ok());
  stale_client.Authorization("DESCRIBE", "rtsp://h/x");
  stale_client.Authorization("DESCRIBE", "rtsp://h/x");
  std::vector<std::string_view> stale = {
      "Digest realm=\"r\", nonce=\"n2\", qop=\"auth\", stale=TRUE"};
  ASSERT_TRUE(stale_client.OnChallenge(stale).ok());
  EXPECT_THAT(stale_client.Authorization("DESCRIBE", "rtsp://h/x"), HasSubstr("nc=00000001"));

  ClientAuth basic("u", "p");
  std::vector<std::string_view> b = {"Basic realm=\"r\""};
  ASSERT_TRUE(basic.OnChallenge(b).ok());
  basic.Authorization("DESCRIBE", "rtsp://h/x");
  EXPECT_EQ(basic.OnChallenge(b).code(), absl::StatusCode::kPermissionDenied);
}

TEST(RtspAuthTest, ClientLegacyAndSessAndAuthInt) {
  // No qop (RFC 2069), as GStreamer's and live555's servers send.
  ClientAuth legacy("Mufasa", "Circle of Life");
  std::vector<std::string_view> v = {
      "Digest realm=\"GStreamer RTSP Server\", nonce=\"1dca59a4d53ef4f6\""};
  ASSERT_TRUE(legacy.OnChallenge(v).ok());
  DigestInput in;
  in.username = "Mufasa";
  in.realm = "GStreamer RTSP Server";
  in.password = "Circle of Life";
  in.nonce = "1dca59a4d53ef4f6";
  in.method = "DESCRIBE";
  in.uri = "rtsp://127.0.0.1:8554/test";
  EXPECT_EQ(
      legacy.Authorization("DESCRIBE", "rtsp://127.0.0.1:8554/test"),
      core::StrCat("Digest username=\"Mufasa\", realm=\"GStreamer RTSP Server\", "
                   "nonce=\"1dca59a4d53ef4f6\", uri=\"rtsp://127.0.0.1:8554/test\", response=\"",
                   DigestResponse(in), "\""));

  // MD5-sess and auth-int, checked against an independent computation (python hashlib).
  ClientAuth sess("Mufasa", "Circle of Life");
  std::vector<std::string_view> s = {
      "Digest realm=\"r\", nonce=\"n\", algorithm=MD5-sess, qop=\"auth-int\", userhash=true"};
  ASSERT_TRUE(sess.OnChallenge(s).ok());
  sess.SetNextCnonceForTest("c");
  const std::string auth = sess.Authorization("ANNOUNCE", "rtsp://h/x", "v=0\r\n");
  // python3: md5 = lambda s: hashlib.md5(s.encode()).hexdigest()
  //   ha1 = md5(md5("Mufasa:r:Circle of Life") + ":n:c"); ha2 = md5("ANNOUNCE:rtsp://h/x:" +
  //   md5("v=0\r\n")); md5(ha1 + ":n:00000001:c:auth-int:" + ha2); md5("Mufasa:r")
  EXPECT_THAT(auth, HasSubstr("response=\"2f9161199588021fb2a281afa429fec4\""));
  EXPECT_THAT(auth, HasSubstr("username=\"f22c6a3b9a5760c7952710252a94d0f4\""));
  EXPECT_THAT(auth, HasSubstr("algorithm=MD5-sess"));
  EXPECT_THAT(auth, HasSubstr("qop=auth-int"));
  EXPECT_THAT(auth, HasSubstr("userhash=true"));
}

TEST(RtspAuthTest, ChallengeSyntax) {
  std::vector<std::string_view> ok = {
      "Digest realm=\"a\\\"b\", nonce=abc, stale=false, algorithm=\"SHA-256-sess\", qop=auth",
      "Basic", "Digest  realm = \"x\" , nonce = \"y\""};
  absl::StatusOr<std::vector<AuthChallenge>> parsed = ParseChallenges(ok);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->size(), 3u);
  EXPECT_EQ((*parsed)[0].realm, "a\"b");
  EXPECT_EQ((*parsed)[0].algorithm, DigestAlgorithm::kSha256Sess);
  EXPECT_TRUE((*parsed)[0].qop_auth);
  EXPECT_EQ((*parsed)[2].nonce, "y");
  // A Digest challenge without a nonce, or offering only an unknown qop, is skipped.
  std::vector<std::string_view> skipped = {"Digest realm=\"x\"",
                                           "Digest realm=\"x\", nonce=\"y\", qop=\"auth-conf\""};
  parsed = ParseChallenges(skipped);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->empty());
  for (std::string_view bad : {"Digest realm=\"x", "Digest realm=\"x\", realm=\"y\", nonce=\"z\"",
                               "Digest realm=\"x\" nonce=\"y\"", "\"Digest\"", "Digest =x"}) {
    std::vector<std::string_view> v = {bad};
    EXPECT_FALSE(ParseChallenges(v).ok()) << bad;
  }
}

TEST(RtspAuthTest, AuthorizationErrorsNeverContainCredentials) {
  const char* bad[] = {
      "Basic !!!hunter2!!!",
      "Basic aHVudGVyMg==",  // "hunter2" without ':'
      "Digest username=\"hunter2\", realm=\"r\"",
      "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"/\", response=\"hunter2\", qop=auth",
      "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"/\", response=\"x\", qop=auth, "
      "nc=hunter2, cnonce=\"c\"",
      "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"/\", response=\"x\", qop=hunter2",
      "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"/\", response=\"x\", "
      "algorithm=hunter2",
      "Digest username=\"hunter2, realm=\"r\"",
      "Negotiate hunter2",
      "Basic a, Basic b",
  };
  for (const char* value : bad) {
    absl::StatusOr<AuthorizationFields> f = ParseAuthorization(value);
    ASSERT_FALSE(f.ok()) << value;
    EXPECT_THAT(std::string(f.status().message()), Not(HasSubstr("hunter2"))) << value;
    EXPECT_THAT(std::string(f.status().message()), ::testing::StartsWith("auth: "));
  }
}

// --- server -----------------------------------------------------------------------------------

constexpr std::string_view kClientIp = "10.0.0.7";

struct ServerClient {
  ServerAuth server;
  ClientAuth client;
  Clock::time_point now = Clock::time_point() + std::chrono::hours(1);
  std::string stored = "secret";  // the path's read_pass as configured

  explicit ServerClient(ServerAuthOptions options = {}, std::string pass = "secret")
      : server(std::move(options)), client("viewer", std::move(pass)) {}

  // The 401 round: challenges from the server go to the client.
  void Challenge(bool stale = false) {
    std::vector<std::string> values = server.MakeChallenges(stale, kClientIp, now);
    std::vector<std::string_view> views(values.begin(), values.end());
    ASSERT_TRUE(client.OnChallenge(views).ok());
  }
  AuthVerdict Request(std::string_view method, std::string_view uri) {
    return Check(client.Authorization(method, uri), method, uri);
  }
  AuthVerdict Check(std::string_view authorization, std::string_view method, std::string_view uri,
                    std::string_view from = kClientIp) {
    return server.Verify(authorization, method, uri, {"viewer", stored}, from, now);
  }
};

TEST(PeerHostTest, HostOfEveryFormOfPeer) {
  EXPECT_EQ(PeerHost("10.0.0.7:51234"), "10.0.0.7");
  EXPECT_EQ(PeerHost("[2001:db8::1]:8554"), "2001:db8::1");
  EXPECT_EQ(PeerHost("2001:db8::1"), "2001:db8::1");
  EXPECT_EQ(PeerHost("10.0.0.7"), "10.0.0.7");
  EXPECT_EQ(PeerHost("unix"), "unix");
  EXPECT_EQ(PeerHost("[::1"), "[::1");
}

TEST(RtspServerAuthTest, ChallengeForm) {
  ServerAuth server;
  std::vector<std::string> values = server.MakeChallenges(false, kClientIp);
  ASSERT_EQ(values.size(), 1u);
  // Issue time (16 hex digits) + random (16) + HMAC-SHA256 (64).
  EXPECT_THAT(values[0], ::testing::MatchesRegex(
                             R"(Digest realm="ringcast", nonce="[0-9a-f]{96}", qop="auth")"));
  EXPECT_NE(server.MakeChallenges(false, kClientIp)[0], values[0]);  // a fresh nonce each time

  ServerAuth all({.offer_digest_sha256 = true, .offer_basic = true});
  values = all.MakeChallenges(/*stale=*/true, kClientIp);
  ASSERT_EQ(values.size(), 3u);
  EXPECT_THAT(values[0], HasSubstr("algorithm=SHA-256"));
  EXPECT_THAT(values[0], HasSubstr("stale=true"));
  EXPECT_THAT(values[1], Not(HasSubstr("algorithm")));
  EXPECT_EQ(values[2], "Basic realm=\"ringcast\"");
  // Both digest challenges share one nonce.
  std::vector<std::string_view> views(values.begin(), values.end());
  absl::StatusOr<std::vector<AuthChallenge>> parsed = ParseChallenges(views);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 3u);
  EXPECT_EQ((*parsed)[0].nonce, (*parsed)[1].nonce);
  EXPECT_TRUE((*parsed)[0].stale);
}

TEST(RtspServerAuthTest, AcceptsRightAndRejectsWrong) {
  ServerClient sc;
  EXPECT_EQ(sc.Check("", "DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kMissing);
  sc.Challenge();
  EXPECT_EQ(sc.Request("DESCRIBE", "rtsp://h:8554/cam1"), AuthVerdict::kOk);
  EXPECT_EQ(sc.Request("SETUP", "rtsp://h:8554/cam1/trackID=0"), AuthVerdict::kOk);

  // Wrong password.
  ServerClient wrong({}, "Secret");
  wrong.Challenge();
  EXPECT_EQ(wrong.Request("DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kBadCredentials);

  // Wrong user.
  const std::string auth = sc.client.Authorization("PLAY", "rtsp://h/cam1");
  EXPECT_EQ(sc.server.Verify(auth, "PLAY", "rtsp://h/cam1", {"other", "secret"}, kClientIp, sc.now),
            AuthVerdict::kBadCredentials);
  // Wrong method: the response covers it.
  EXPECT_EQ(sc.Check(auth, "RECORD", "rtsp://h/cam1"), AuthVerdict::kBadCredentials);
  // Right credentials for another URI.
  EXPECT_EQ(sc.Check(auth, "PLAY", "rtsp://h/cam2"), AuthVerdict::kUriMismatch);
  // Tampered response.
  std::string tampered = auth;
  const size_t r = tampered.find("response=\"") + 10;
  tampered[r] = tampered[r] == '0' ? '1' : '0';
  EXPECT_EQ(sc.Check(tampered, "PLAY", "rtsp://h/cam1"), AuthVerdict::kBadCredentials);
  // Upper-case hex from a client is fine.
  std::string upper = auth;
  for (size_t i = r; upper[i] != '"'; ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_EQ(sc.Check(upper, "PLAY", "rtsp://h/cam1"), AuthVerdict::kOk);
  EXPECT_EQ(sc.Check("Digest nonsense", "PLAY", "rtsp://h/cam1"), AuthVerdict::kMalformed);
}

TEST(RtspServerAuthTest, NonceMustBeOursAndFresh) {
  ServerClient sc;
  sc.Challenge();
  const Credentials creds{"viewer", "secret"};
  EXPECT_EQ(sc.Request("DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kOk);
  sc.now += std::chrono::minutes(5);
  EXPECT_EQ(sc.Request("DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kOk);
  sc.now += std::chrono::seconds(1);
  const AuthVerdict stale = sc.Request("DESCRIBE", "rtsp://h/cam1");
  EXPECT_EQ(stale, AuthVerdict::kStaleNonce);
  EXPECT_TRUE(VerdictWantsStale(stale));
  EXPECT_FALSE(VerdictIsFailure(stale));
  // ...and with a wrong password it is just wrong: stale=true only for a valid digest.
  ServerClient wrong({}, "x");
  wrong.Challenge();
  wrong.now += std::chrono::minutes(6);
  EXPECT_EQ(wrong.Request("DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kBadCredentials);

  // A nonce another ServerAuth issued (another worker, or before a restart) with the right
  // password: not ours, so stale=true and the client renews it.
  ServerClient first;
  first.Challenge();
  const std::string auth = first.client.Authorization("DESCRIBE", "rtsp://h/cam1");
  ServerAuth other;
  const AuthVerdict unknown =
      other.Verify(auth, "DESCRIBE", "rtsp://h/cam1", creds, kClientIp, first.now);
  EXPECT_EQ(unknown, AuthVerdict::kUnknownNonce);
  EXPECT_TRUE(VerdictWantsStale(unknown));
  EXPECT_EQ(other.Verify(auth, "DESCRIBE", "rtsp://h/cam1", {"viewer", "x"}, kClientIp, first.now),
            AuthVerdict::kBadCredentials);

  // The client follows a stale=true challenge and gets through.
  ServerClient renew;
  renew.Challenge();
  renew.now += std::chrono::minutes(6);
  EXPECT_EQ(renew.Request("DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kStaleNonce);
  renew.Challenge(/*stale=*/true);
  EXPECT_EQ(renew.Request("DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kOk);
}

// The nonce is bound to the client's address and cannot be made up.
TEST(RtspServerAuthTest, NonceBoundToClientAndUnforgeable) {
  ServerClient sc;
  sc.Challenge();
  const std::string auth = sc.client.Authorization("DESCRIBE", "rtsp://h/cam1");
  // The same header (a valid digest) from another address: not this client's nonce.
  EXPECT_EQ(sc.Check(auth, "DESCRIBE", "rtsp://h/cam1", "10.0.0.8"), AuthVerdict::kUnknownNonce);
  EXPECT_EQ(sc.Check(auth, "DESCRIBE", "rtsp://h/cam1", "::1"), AuthVerdict::kUnknownNonce);
  EXPECT_EQ(sc.server.tracked_nonces(), 0u);  // refused uses leave nothing behind
  EXPECT_EQ(sc.Check(auth, "DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kOk);

  // Forged nonces: one of ours with the time changed (to look fresh), the MAC changed, or a
  // made-up one of the right shape; each answered by a client that knows the password.
  const std::string nonce = sc.client.challenge()->nonce;
  ASSERT_EQ(nonce.size(), 96u);
  std::string later_time = nonce;
  later_time[15] = later_time[15] == 'f' ? 'e' : 'f';
  std::string other_random = nonce;
  other_random[20] = other_random[20] == 'f' ? 'e' : 'f';
  std::string other_mac = nonce;
  other_mac[95] = other_mac[95] == '0' ? '1' : '0';
  for (const std::string& forged : {later_time, other_random, other_mac, std::string(96, 'a'),
                                    std::string("0123456789abcdef"), std::string()}) {
    ClientAuth client("viewer", "secret");
    const std::string challenge =
        core::StrCat("Digest realm=\"ringcast\", nonce=\"", forged, "\", qop=\"auth\"");
    std::vector<std::string_view> views = {challenge};
    ASSERT_TRUE(client.OnChallenge(views).ok());
    EXPECT_EQ(sc.Check(client.Authorization("DESCRIBE", "/x"), "DESCRIBE", "/x"),
              AuthVerdict::kUnknownNonce)
        << forged;
  }
  EXPECT_EQ(sc.server.tracked_nonces(), 1u);
}

// Issuing a nonce costs no table entry: no number of unauthenticated requests in between can
// push out a client's nonce.
TEST(RtspServerAuthTest, NonceNotEvictedByUnauthenticatedFlood) {
  ServerClient sc({.max_nonces = 4});
  sc.Challenge();
  for (int i = 0; i < 10000; ++i) {
    EXPECT_EQ(sc.Check("", "DESCRIBE", "rtsp://h/cam1", "192.0.2.1"), AuthVerdict::kMissing);
    sc.server.MakeChallenges(false, core::StrCat("192.0.2.", i % 250), sc.now);
  }
  EXPECT_EQ(sc.server.tracked_nonces(), 0u);
  sc.now += std::chrono::milliseconds(50);
  EXPECT_EQ(sc.Request("DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kOk);
}

// RFC 7616 §3.4: nc counts up; a header seen before, or a lower nc, is a replay.
TEST(RtspServerAuthTest, ReplayRefused) {
  ServerClient sc;
  sc.client.SetNextCnonceForTest("c0ffee");
  sc.Challenge();
  const std::string first = sc.client.Authorization("DESCRIBE", "rtsp://h/cam1");   // nc=1
  const std::string second = sc.client.Authorization("DESCRIBE", "rtsp://h/cam1");  // nc=2
  EXPECT_EQ(sc.Check(first, "DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kOk);
  const AuthVerdict replay = sc.Check(first, "DESCRIBE", "rtsp://h/cam1");
  EXPECT_EQ(replay, AuthVerdict::kReplay);
  EXPECT_TRUE(VerdictIsFailure(replay));
  EXPECT_TRUE(VerdictWantsStale(replay));
  EXPECT_EQ(sc.Check(second, "DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kOk);
  EXPECT_EQ(sc.Check(second, "DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kReplay);
  // A lower nc than the highest seen (1 < 2), and an equal one with another cnonce.
  EXPECT_EQ(sc.Check(first, "DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kReplay);
  ClientAuth again("viewer", "secret");
  std::vector<std::string> values = {core::StrCat(
      "Digest realm=\"ringcast\", nonce=\"", sc.client.challenge()->nonce, "\", qop=\"auth\"")};
  std::vector<std::string_view> views(values.begin(), values.end());
  ASSERT_TRUE(again.OnChallenge(views).ok());
  EXPECT_EQ(sc.Check(again.Authorization("DESCRIBE", "rtsp://h/cam1"), "DESCRIBE", "rtsp://h/cam1"),
            AuthVerdict::kReplay);  // nc=1 again
  // The nonce in upper case is the same nonce (and the response covers it as sent, so a
  // replayed header cannot change it anyway).
  std::string upper_nonce = sc.client.challenge()->nonce;
  for (char& c : upper_nonce) c = static_cast<char>(std::toupper(c));
  ClientAuth shouting("viewer", "secret");
  values = {core::StrCat("Digest realm=\"ringcast\", nonce=\"", upper_nonce, "\", qop=\"auth\"")};
  views.assign(values.begin(), values.end());
  ASSERT_TRUE(shouting.OnChallenge(views).ok());
  EXPECT_EQ(
      sc.Check(shouting.Authorization("DESCRIBE", "rtsp://h/cam1"), "DESCRIBE", "rtsp://h/cam1"),
      AuthVerdict::kReplay);  // nc=1 on a nonce already at 2
  // The next nc goes through: the client keeps counting.
  EXPECT_EQ(sc.Request("SETUP", "rtsp://h/cam1/trackID=0"), AuthVerdict::kOk);  // nc=3

  // Without qop (RFC 2069, GStreamer's rtspsrc): each answer once; DESCRIBE, SETUP, SETUP on
  // one nonce are distinct answers, the same header again is a replay.
  ServerClient legacy({.offer_qop = false});
  legacy.Challenge();
  const std::string describe = legacy.client.Authorization("DESCRIBE", "rtsp://h/cam1");
  EXPECT_EQ(legacy.Check(describe, "DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kOk);
  EXPECT_EQ(legacy.Request("SETUP", "rtsp://h/cam1/trackID=0"), AuthVerdict::kOk);
  EXPECT_EQ(legacy.Request("SETUP", "rtsp://h/cam1/trackID=1"), AuthVerdict::kOk);
  EXPECT_EQ(legacy.Check(describe, "DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kReplay);
  // Past kMaxNoQopAnswers on one nonce the client is sent a fresh one.
  for (size_t i = 3; i < ServerAuth::kMaxNoQopAnswers; ++i) {
    EXPECT_EQ(legacy.Request("SETUP", core::StrCat("rtsp://h/cam1/trackID=", i)), AuthVerdict::kOk);
  }
  EXPECT_EQ(legacy.Request("SETUP", "rtsp://h/cam1/trackID=99"), AuthVerdict::kUnknownNonce);
}

// The replay table is bounded and only valid digests add to it; a nonce it had to forget
// answers stale=true (it may have been used), and a fresh one works.
TEST(RtspServerAuthTest, ReplayTableBounded) {
  ServerClient sc({.max_nonces = 2});
  sc.Challenge();
  ClientAuth early("viewer", "secret");
  std::vector<std::string> values = sc.server.MakeChallenges(false, kClientIp, sc.now);
  std::vector<std::string_view> views(values.begin(), values.end());
  ASSERT_TRUE(early.OnChallenge(views).ok());  // issued, not used yet
  EXPECT_EQ(sc.Request("DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kOk);
  // Two more clients' nonces, issued later, fill the table and push out the first.
  for (int i = 0; i < 2; ++i) {
    sc.now += std::chrono::seconds(1);
    ClientAuth other("viewer", "secret");
    values = sc.server.MakeChallenges(false, kClientIp, sc.now);
    views.assign(values.begin(), values.end());
    ASSERT_TRUE(other.OnChallenge(views).ok());
    EXPECT_EQ(sc.Check(other.Authorization("DESCRIBE", "/x"), "DESCRIBE", "/x"), AuthVerdict::kOk);
  }
  EXPECT_EQ(sc.server.tracked_nonces(), 2u);
  // The forgotten nonce, and one issued before it and never used, renew with stale=true.
  EXPECT_EQ(sc.Request("DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kUnknownNonce);
  EXPECT_EQ(sc.Check(early.Authorization("DESCRIBE", "/x"), "DESCRIBE", "/x"),
            AuthVerdict::kUnknownNonce);
  sc.Challenge(/*stale=*/true);
  EXPECT_EQ(sc.Request("DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kOk);
  EXPECT_EQ(sc.server.tracked_nonces(), 2u);
  // Expired entries are the first to go.
  sc.now += std::chrono::minutes(6);
  sc.Challenge();
  EXPECT_EQ(sc.Request("DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kOk);
  EXPECT_EQ(sc.server.tracked_nonces(), 1u);
}

TEST(RtspServerAuthTest, WrongRealmAndSchemes) {
  ServerClient sc;
  sc.Challenge();
  const Credentials creds{"viewer", "secret"};
  ClientAuth foreign("viewer", "secret");
  std::vector<std::string> values = sc.server.MakeChallenges(false, kClientIp, sc.now);
  std::string other_realm = values[0];
  other_realm.replace(other_realm.find("ringcast"), 8, "elsewhere");
  std::vector<std::string_view> v = {other_realm};
  ASSERT_TRUE(foreign.OnChallenge(v).ok());
  EXPECT_EQ(sc.Check(foreign.Authorization("DESCRIBE", "/x"), "DESCRIBE", "/x"),
            AuthVerdict::kWrongRealm);

  // Basic is refused unless offered (no downgrade to a clear-text password).
  EXPECT_EQ(sc.Check(BasicAuthorization("viewer", "secret"), "DESCRIBE", "/x"),
            AuthVerdict::kSchemeNotOffered);
  ServerAuth basic({.offer_digest_md5 = false, .offer_basic = true});
  EXPECT_EQ(basic.Verify(BasicAuthorization("viewer", "secret"), "DESCRIBE", "/x", creds, kClientIp,
                         sc.now),
            AuthVerdict::kOk);
  EXPECT_EQ(basic.Verify(BasicAuthorization("viewer", "secreT"), "DESCRIBE", "/x", creds, kClientIp,
                         sc.now),
            AuthVerdict::kBadCredentials);
  EXPECT_EQ(basic.Verify(BasicAuthorization("viewe", "secret"), "DESCRIBE", "/x", creds, kClientIp,
                         sc.now),
            AuthVerdict::kBadCredentials);
  EXPECT_EQ(basic.Verify(sc.client.Authorization("DESCRIBE", "/x"), "DESCRIBE", "/x", creds,
                         kClientIp, sc.now),
            AuthVerdict::kSchemeNotOffered);

  // SHA-256 offered: the client takes it and the server accepts it.
  ServerClient sha({.offer_digest_sha256 = true});
  sha.Challenge();
  EXPECT_EQ(sha.client.challenge()->algorithm, DigestAlgorithm::kSha256);
  EXPECT_EQ(sha.Request("DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kOk);

  // Legacy clients answer without qop even when it is offered (GStreamer's rtspsrc, live555).
  ServerClient legacy({.offer_qop = false});
  legacy.Challenge();
  EXPECT_THAT(legacy.client.Authorization("DESCRIBE", "/x"), Not(HasSubstr("qop")));
  EXPECT_EQ(legacy.Request("DESCRIBE", "rtsp://h/cam1"), AuthVerdict::kOk);

  // Only answers that test or reuse a secret count towards the back-off.
  for (AuthVerdict v :
       {AuthVerdict::kOk, AuthVerdict::kMissing, AuthVerdict::kMalformed,
        AuthVerdict::kSchemeNotOffered, AuthVerdict::kWrongRealm, AuthVerdict::kUriMismatch,
        AuthVerdict::kStaleNonce, AuthVerdict::kUnknownNonce, AuthVerdict::kCannotVerify}) {
    EXPECT_FALSE(VerdictIsFailure(v)) << AuthVerdictReason(v);
  }
  EXPECT_TRUE(VerdictIsFailure(AuthVerdict::kBadCredentials));
  EXPECT_TRUE(VerdictIsFailure(AuthVerdict::kReplay));

  for (AuthVerdict v :
       {AuthVerdict::kOk, AuthVerdict::kMissing, AuthVerdict::kMalformed,
        AuthVerdict::kSchemeNotOffered, AuthVerdict::kWrongRealm, AuthVerdict::kUriMismatch,
        AuthVerdict::kBadCredentials, AuthVerdict::kStaleNonce, AuthVerdict::kUnknownNonce,
        AuthVerdict::kReplay, AuthVerdict::kCannotVerify}) {
    EXPECT_FALSE(AuthVerdictReason(v).empty());
  }
}

// --- captures from real peers (tests/data/rtsp/README.md) --------------------------------------

// ffprobe and GStreamer's rtspsrc answered a fixed challenge (realm "ringcast", nonce below) for
// Mufasa / "Circle of Life". Every Authorization they sent verifies: the digest is right, and
// the nonce is not one this ServerAuth issued (kUnknownNonce means "valid digest, stale nonce").
TEST(RtspAuthCaptureTest, RealClientsDigestVerifies) {
  struct Capture {
    const char* file;
    DigestQop qop;
  };
  for (const Capture& c : {Capture{"ffprobe_digest.c2s", DigestQop::kAuth},
                           Capture{"gst_rtspsrc_digest.c2s", DigestQop::kNone}}) {
    ServerAuth server;
    int checked = 0;
    for (const http::Message& m : Messages(ReadCapture(c.file), http::Parser::Kind::kRequest)) {
      const std::string* auth = m.FindHeader("Authorization");
      if (auth == nullptr) continue;
      ++checked;
      absl::StatusOr<AuthorizationFields> f = ParseAuthorization(*auth);
      ASSERT_TRUE(f.ok()) << c.file << ": " << f.status();
      EXPECT_EQ(f->qop, c.qop) << c.file;
      EXPECT_EQ(f->nonce, "0a1b2c3d4e5f60718293a4b5c6d7e8f9");
      EXPECT_EQ(f->uri, m.target) << c.file;
      DigestInput in;
      in.username = "Mufasa";
      in.realm = "ringcast";
      in.password = "Circle of Life";
      in.nonce = f->nonce;
      in.cnonce = f->cnonce;
      in.nc = f->nc;
      in.qop = f->qop;
      in.method = m.method;
      in.uri = f->uri;
      EXPECT_EQ(DigestResponse(in), f->response) << c.file << " " << m.method;
      EXPECT_EQ(server.Verify(*auth, m.method, m.target, {"Mufasa", "Circle of Life"}, kClientIp),
                AuthVerdict::kUnknownNonce)
          << c.file << " " << m.method;
      EXPECT_EQ(server.Verify(*auth, m.method, m.target, {"Mufasa", "Circle Of Life"}, kClientIp),
                AuthVerdict::kBadCredentials);
    }
    EXPECT_GE(checked, 3) << c.file;  // DESCRIBE, SETUP, PLAY (and TEARDOWN)
  }
}

TEST(RtspAuthCaptureTest, RealClientBasic) {
  int checked = 0;
  for (const http::Message& m :
       Messages(ReadCapture("ffprobe_basic.c2s"), http::Parser::Kind::kRequest)) {
    const std::string* auth = m.FindHeader("Authorization");
    if (auth == nullptr) continue;
    ++checked;
    absl::StatusOr<AuthorizationFields> f = ParseAuthorization(*auth);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->basic_user, "Aladdin");
    EXPECT_EQ(f->basic_password, "open sesame");
    ServerAuth server({.offer_basic = true});
    EXPECT_EQ(server.Verify(*auth, m.method, m.target, {"Aladdin", "open sesame"}, kClientIp),
              AuthVerdict::kOk);
  }
  EXPECT_GE(checked, 3);
}

// The 401s of GStreamer's RTSP server: legacy Digest (no qop) and Basic, realm "GStreamer RTSP
// Server". Our client answers them (that the server then accepts is auth_peer_test's job).
TEST(RtspAuthCaptureTest, GstreamerServerChallenges) {
  std::vector<http::Message> digest =
      Messages(ReadCapture("gst_server_digest_401.s2c"), http::Parser::Kind::kResponse);
  ASSERT_EQ(digest.size(), 1u);
  EXPECT_EQ(digest[0].status, 401);
  absl::StatusOr<std::vector<AuthChallenge>> c = ParseChallenges(digest[0]);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].realm, "GStreamer RTSP Server");
  EXPECT_FALSE((*c)[0].qop_auth);
  ClientAuth client("user", "pass");
  ASSERT_TRUE(client.OnChallenge(digest[0]).ok());
  absl::StatusOr<AuthorizationFields> f =
      ParseAuthorization(client.Authorization("DESCRIBE", "rtsp://127.0.0.1:8554/test"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->qop, DigestQop::kNone);
  EXPECT_EQ(f->nonce, (*c)[0].nonce);

  std::vector<http::Message> basic =
      Messages(ReadCapture("gst_server_basic_401.s2c"), http::Parser::Kind::kResponse);
  ASSERT_EQ(basic.size(), 1u);
  ClientAuth b("user", "pass");
  ASSERT_TRUE(b.OnChallenge(basic[0]).ok());
  EXPECT_EQ(b.challenge()->scheme, AuthScheme::kBasic);
  EXPECT_EQ(b.Authorization("DESCRIBE", "/"), "Basic dXNlcjpwYXNz");
}

}  // namespace
}  // namespace ringcast::net::http
