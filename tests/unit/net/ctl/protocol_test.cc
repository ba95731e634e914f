// Control protocol: requests of every verb on the wire and back, malformed requests with their
// reasons, and reply lines (V/D/E) as ringcastctl receives them.
#include "net/ctl/protocol.h"

#include <optional>
#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace ringcast::net::ctl {
namespace {

using Verb = Request::Verb;
using Kind = Reply::Kind;

std::string_view VerbName(Verb verb) {
  switch (verb) {
    case Verb::kGet:
      return "GET";
    case Verb::kList:
      return "LIST";
    case Verb::kSet:
      return "SET";
    case Verb::kDesc:
      return "DESC";
    case Verb::kDelPath:
      return "DELPATH";
    case Verb::kReload:
      return "RELOAD";
  }
  return "?";
}

// "VERB|name|value" for a parsed request, "ERROR: reason" otherwise.
std::string Parse(std::string_view line) {
  std::string error;
  std::optional<Request> request = ParseRequest(line, &error);
  if (!request) return "ERROR: " + error;
  return std::string(VerbName(request->verb)) + "|" + request->name + "|" + request->value;
}

struct RoundTrip {
  Request request;
  std::string wire;
};

TEST(CtlRequestTest, EveryVerbRoundTrips) {
  const RoundTrip cases[] = {
      {{.verb = Verb::kGet, .name = "core.workers"}, "GET core.workers\n"},
      {{.verb = Verb::kList}, "LIST\n"},
      {{.verb = Verb::kList, .name = "path.cam1"}, "LIST path.cam1\n"},
      {{.verb = Verb::kSet, .name = "core.log_level", .value = "debug"},
       "SET core.log_level debug\n"},
      {{.verb = Verb::kSet, .name = "path.cam1.source", .value = "rtsp://10.0.0.5/a b  c"},
       "SET path.cam1.source rtsp://10.0.0.5/a b  c\n"},
      {{.verb = Verb::kSet, .name = "path.cam1.read_user", .value = ""},
       "SET path.cam1.read_user \n"},
      {{.verb = Verb::kSet, .name = "path.cam1.read_user", .value = " lead"},
       "SET path.cam1.read_user  lead\n"},
      {{.verb = Verb::kDesc}, "DESC\n"},
      {{.verb = Verb::kDesc, .name = "core"}, "DESC core\n"},
      {{.verb = Verb::kDelPath, .name = "cam1"}, "DELPATH cam1\n"},
      {{.verb = Verb::kReload}, "RELOAD\n"},
  };
  for (const RoundTrip& c : cases) {
    std::string wire = FormatRequest(c.request);
    EXPECT_EQ(wire, c.wire);
    ASSERT_FALSE(wire.empty());
    std::string error;
    std::optional<Request> parsed =
        ParseRequest(std::string_view(wire).substr(0, wire.size() - 1), &error);
    ASSERT_TRUE(parsed.has_value()) << c.wire << ": " << error;
    EXPECT_EQ(parsed->verb, c.request.verb) << c.wire;
    EXPECT_EQ(parsed->name, c.request.name) << c.wire;
    EXPECT_EQ(parsed->value, c.request.value) << c.wire;
  }
}

TEST(CtlRequestTest, ParsesWhatRingcastctlSends) {
  EXPECT_EQ(Parse("LIST"), "LIST||");
  EXPECT_EQ(Parse("LIST "), "LIST||");
  EXPECT_EQ(Parse("LIST core.workers"), "LIST|core.workers|");
  EXPECT_EQ(Parse("SET core.log_level warn"), "SET|core.log_level|warn");
  EXPECT_EQ(Parse("SET path.cam1.source rtsp://u:p@10.0.0.5/x y"),
            "SET|path.cam1.source|rtsp://u:p@10.0.0.5/x y");
  EXPECT_EQ(Parse("SET path.cam1.read_user"), "SET|path.cam1.read_user|");
  EXPECT_EQ(Parse("SET path.cam1.read_user "), "SET|path.cam1.read_user|");
  EXPECT_EQ(Parse("DESC"), "DESC||");
  EXPECT_EQ(Parse("DESC stats"), "DESC|stats|");
  EXPECT_EQ(Parse("DELPATH cam1"), "DELPATH|cam1|");
  EXPECT_EQ(Parse("RELOAD"), "RELOAD||");
  // A CRLF client (socat CRLF, telnet) works too.
  EXPECT_EQ(Parse("GET core.workers\r"), "GET|core.workers|");
  EXPECT_EQ(Parse("SET core.log_level warn\r"), "SET|core.log_level|warn");
}

TEST(CtlRequestTest, MalformedRequestsRejectedWithReason) {
  EXPECT_EQ(Parse(""), "ERROR: unknown verb \"\"");
  EXPECT_EQ(Parse("FROB core.workers"), "ERROR: unknown verb \"FROB\"");
  EXPECT_EQ(Parse("get core.workers"), "ERROR: unknown verb \"get\"");
  EXPECT_EQ(Parse(" GET core.workers"), "ERROR: unknown verb \"\"");
  EXPECT_EQ(Parse(std::string(100, 'X')), "ERROR: unknown verb \"" + std::string(32, 'X') + "\"");
  EXPECT_EQ(Parse("GET"), "ERROR: GET needs a name");
  EXPECT_EQ(Parse("GET "), "ERROR: GET needs a name");
  EXPECT_EQ(Parse("SET"), "ERROR: SET needs a name");
  EXPECT_EQ(Parse("SET  value"), "ERROR: SET needs a name");
  EXPECT_EQ(Parse("DELPATH"), "ERROR: DELPATH needs a name");
  EXPECT_EQ(Parse("GET core.workers extra"), "ERROR: unexpected space in name");
  EXPECT_EQ(Parse("DELPATH cam 1"), "ERROR: unexpected space in name");
  EXPECT_EQ(Parse("RELOAD now"), "ERROR: RELOAD takes no argument");
  EXPECT_EQ(Parse("GET core\tworkers"), "ERROR: control characters in request");
  EXPECT_EQ(Parse("SET path.cam1.source a\x1b[2Jb"), "ERROR: control characters in request");
  EXPECT_EQ(Parse("GET x\r\r"), "ERROR: control characters in request");
  EXPECT_EQ(Parse(std::string_view("GET a\0b", 7)), "ERROR: control characters in request");
  EXPECT_EQ(Parse("GET x\x7f"), "ERROR: control characters in request");
}

TEST(CtlRequestTest, LineLengthLimit) {
  std::string longest = "SET path.cam1.source " + std::string(kMaxLine - 21, 'v');
  ASSERT_EQ(longest.size(), kMaxLine);
  EXPECT_EQ(Parse(longest), "SET|path.cam1.source|" + std::string(kMaxLine - 21, 'v'));
  EXPECT_EQ(Parse(longest + "v"), "ERROR: request line too long");
}

// --- Replies ----------------------------------------------------------------------------------

std::string Describe(const std::optional<Reply>& reply) {
  if (!reply) return "none";
  std::string kind = reply->kind == Kind::kValue         ? "V"
                     : reply->kind == Kind::kDescription ? "D"
                                                         : "E";
  if (reply->kind == Kind::kError) kind += "(" + std::string(ErrorName(reply->error)) + ")";
  return kind + "|" + reply->name + "|" + reply->text;
}

TEST(CtlReplyTest, ParsesDaemonReplies) {
  EXPECT_EQ(Describe(ParseReply("V core.workers 0")), "V|core.workers|0");
  EXPECT_EQ(Describe(ParseReply("V path.cam1.source rtsp://10.0.0.5/a b")),
            "V|path.cam1.source|rtsp://10.0.0.5/a b");
  EXPECT_EQ(Describe(ParseReply("V path.cam1.read_user ")), "V|path.cam1.read_user|");
  EXPECT_EQ(Describe(ParseReply("V path.cam1.read_user")), "V|path.cam1.read_user|");
  EXPECT_EQ(Describe(ParseReply("V config reloaded")), "V|config|reloaded");
  EXPECT_EQ(Describe(ParseReply("D core.workers worker threads (int 0..256, default 0, at "
                                "restart)")),
            "D|core.workers|worker threads (int 0..256, default 0, at restart)");
  EXPECT_EQ(Describe(ParseReply("E unknown core.nope unknown key \"core.nope\"")),
            "E(unknown)|core.nope|unknown key \"core.nope\"");
  EXPECT_EQ(Describe(ParseReply("E bad_request - unknown verb \"FROB\"")),
            "E(bad_request)|-|unknown verb \"FROB\"");
  EXPECT_EQ(Describe(ParseReply("V core.workers 0\r")), "V|core.workers|0");
}

TEST(CtlReplyTest, EveryErrorCodeRoundTrips) {
  for (Error code : {Error::kUnknown, Error::kInvalid, Error::kReadOnly, Error::kRestart,
                     Error::kDenied, Error::kBadRequest, Error::kInternal}) {
    Reply reply{.kind = Kind::kError, .name = "core.workers", .text = "some reason", .error = code};
    std::string wire = FormatReply(reply);
    EXPECT_EQ(wire, "E " + std::string(ErrorName(code)) + " core.workers some reason\n");
    std::optional<Reply> parsed = ParseReply(std::string_view(wire).substr(0, wire.size() - 1));
    ASSERT_TRUE(parsed.has_value()) << wire;
    EXPECT_EQ(parsed->error, code);
    EXPECT_EQ(ParseErrorName(ErrorName(code)), code);
  }
  EXPECT_EQ(ParseErrorName("nope"), std::nullopt);
}

TEST(CtlReplyTest, FormatsEveryKind) {
  EXPECT_EQ(FormatReply({.kind = Kind::kValue, .name = "core.workers", .text = "0"}),
            "V core.workers 0\n");
  EXPECT_EQ(FormatReply({.kind = Kind::kValue, .name = "path.cam1.read_user", .text = ""}),
            "V path.cam1.read_user \n");
  EXPECT_EQ(FormatReply({.kind = Kind::kDescription, .name = "core.log_level", .text = "a b"}),
            "D core.log_level a b\n");
  EXPECT_EQ(FormatReply({.kind = Kind::kError,
                         .name = "",
                         .text = "unknown verb \"FROB\"",
                         .error = Error::kBadRequest}),
            "E bad_request - unknown verb \"FROB\"\n");
  EXPECT_EQ(kEnd, ".\n");
}

TEST(CtlReplyTest, MalformedRepliesRejected) {
  for (std::string_view bad :
       {"", ".", "V", "V ", "Vx name 1", "X name text", "v name 1", "V  name", "E", "E unknown",
        "E unknown ", "E nope name text", "E  name text", "D"}) {
    EXPECT_EQ(Describe(ParseReply(bad)), "none") << "\"" << bad << "\"";
  }
}

TEST(CtlErrorTest, FromStatus) {
  EXPECT_EQ(ErrorFromStatus(absl::NotFoundError("x")), Error::kUnknown);
  EXPECT_EQ(ErrorFromStatus(absl::InvalidArgumentError("x")), Error::kInvalid);
  EXPECT_EQ(ErrorFromStatus(absl::PermissionDeniedError("x")), Error::kReadOnly);
  EXPECT_EQ(ErrorFromStatus(absl::FailedPreconditionError("x")), Error::kRestart);
  EXPECT_EQ(ErrorFromStatus(absl::InternalError("x")), Error::kInternal);
  EXPECT_EQ(ErrorFromStatus(absl::UnimplementedError("x")), Error::kInternal);
}

}  // namespace
}  // namespace ringcast::net::ctl
