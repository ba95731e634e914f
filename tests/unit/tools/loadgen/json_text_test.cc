#include "tools/loadgen/json_text.h"

#include <gtest/gtest.h>

namespace ringcast::loadgen {
namespace {

// Replies as Janus 1.1's HTTP transport sends them.
constexpr char kCreate[] = R"({
   "janus": "success",
   "transaction": "lg1",
   "data": {
      "id": 8311206578211435
   }
})";

constexpr char kOfferEvent[] = R"({
   "janus": "event",
   "session_id": 8311206578211435,
   "transaction": "lg3",
   "sender": 2930245237497215,
   "plugindata": {
      "plugin": "janus.plugin.streaming",
      "data": {
         "streaming": "event",
         "result": {
            "status": "preparing"
         }
      }
   },
   "jsep": {
      "type": "offer",
      "sdp": "v=0\r\no=- 1 1 IN IP4 10.99.0.1\r\ns=Mountpoint 1\r\na=x:\"q\" \u00e9\/\r\n"
   }
})";

TEST(JsonTextTest, FindsIdsAfterAKey) {
  const size_t data = JsonFindValue(kCreate, "data");
  ASSERT_NE(data, std::string::npos);
  EXPECT_EQ(JsonUint(kCreate, "id", data), 8311206578211435u);
  EXPECT_EQ(JsonString(kCreate, "janus"), "success");
  EXPECT_EQ(JsonUint(kOfferEvent, "session_id"), 8311206578211435u);
}

TEST(JsonTextTest, UnescapesTheSdp) {
  const size_t jsep = JsonFindValue(kOfferEvent, "jsep");
  ASSERT_NE(jsep, std::string::npos);
  EXPECT_EQ(JsonString(kOfferEvent, "type", jsep), "offer");
  EXPECT_EQ(JsonString(kOfferEvent, "sdp", jsep),
            "v=0\r\no=- 1 1 IN IP4 10.99.0.1\r\ns=Mountpoint 1\r\na=x:\"q\" \xc3\xa9/\r\n");
  EXPECT_FALSE(JsonString(kOfferEvent, "error").has_value());
}

TEST(JsonTextTest, MalformedValuesAreNullopt) {
  EXPECT_FALSE(JsonString(R"({"a": "unterminated)", "a").has_value());
  EXPECT_FALSE(JsonString(R"({"a": "\u12")", "a").has_value());
  EXPECT_FALSE(JsonUint(R"({"a": -3})", "a").has_value());
  EXPECT_FALSE(JsonUint(R"({"a": 99999999999999999999999})", "a").has_value());
  EXPECT_FALSE(JsonString(R"({"b": "a"})", "a").has_value());  // a value, not a key
  EXPECT_FALSE(JsonString(R"({"a":)", "a").has_value());
}

TEST(JsonTextTest, EscapeRoundTrips) {
  const std::string sdp = "v=0\r\na=x:\"y\"\\z\t\x01";
  const std::string json = "{\"sdp\":\"" + JsonEscape(sdp) + "\"}";
  EXPECT_EQ(JsonString(json, "sdp"), sdp);
}

}  // namespace
}  // namespace ringcast::loadgen
