// STUN messages (RFC 5389 / RFC 8489) for ICE-lite: parsing untrusted datagrams, checking
// MESSAGE-INTEGRITY (HMAC-SHA1, §14.5) and FINGERPRINT (CRC-32, §14.7), and writing Binding
// responses into a caller buffer.
//
// This is per-packet code: nothing here allocates, throws or returns a Status. A Message is a
// view: its string views and attribute ranges point into the datagram passed to ParseMessage
// and are valid only while the caller keeps those bytes (normally the duration of the receive
// callback). MessageWriter writes into a caller-owned buffer. All functions are reentrant and
// may be called from any thread; a MessageWriter belongs to one thread.
#ifndef RINGCAST_NET_STUN_MESSAGE_H_
#define RINGCAST_NET_STUN_MESSAGE_H_

#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ringcast::net::stun {

inline constexpr uint32_t kMagicCookie = 0x2112A442;  // RFC 5389 §6
inline constexpr size_t kHeaderSize = 20;
inline constexpr size_t kAttributeHeaderSize = 4;
inline constexpr size_t kHmacSize = 20;                  // MESSAGE-INTEGRITY value (HMAC-SHA1)
inline constexpr uint32_t kFingerprintXor = 0x5354554e;  // RFC 5389 §15.5

// Message classes (RFC 5389 §6: bits C1 C0 of the message type).
enum class MessageClass : uint8_t {
  kRequest = 0,
  kIndication = 1,
  kSuccessResponse = 2,
  kErrorResponse = 3,
};

inline constexpr uint16_t kMethodBinding = 0x001;

// Attribute types (RFC 5389 §18.2, RFC 8445 §16.1).
namespace attr {
inline constexpr uint16_t kMappedAddress = 0x0001;
inline constexpr uint16_t kUsername = 0x0006;
inline constexpr uint16_t kMessageIntegrity = 0x0008;
inline constexpr uint16_t kErrorCode = 0x0009;
inline constexpr uint16_t kUnknownAttributes = 0x000A;
inline constexpr uint16_t kXorMappedAddress = 0x0020;
inline constexpr uint16_t kPriority = 0x0024;
inline constexpr uint16_t kUseCandidate = 0x0025;
inline constexpr uint16_t kSoftware = 0x8022;
inline constexpr uint16_t kFingerprint = 0x8028;
inline constexpr uint16_t kIceControlled = 0x8029;
inline constexpr uint16_t kIceControlling = 0x802A;
}  // namespace attr

using TransactionId = std::array<uint8_t, 12>;

// Builds the 16-bit message type from method and class (RFC 5389 §6, figure 3).
constexpr uint16_t MessageType(uint16_t method, MessageClass cls) {
  const uint16_t c = static_cast<uint16_t>(cls);
  return static_cast<uint16_t>((method & 0x000F) | ((method & 0x0070) << 1) |
                               ((method & 0x0F80) << 2) | ((c & 0x1) << 4) | ((c & 0x2) << 7));
}

// A transport address as carried in (XOR-)MAPPED-ADDRESS, already un-XORed.
struct Address {
  uint8_t family = 0;            // 1 = IPv4, 2 = IPv6 (RFC 5389 §15.1)
  std::array<uint8_t, 16> ip{};  // network order; IPv4 uses the first 4 bytes
  uint16_t port = 0;             // host order

  // Fills `out` with a sockaddr_in / sockaddr_in6; returns its length, or 0 if family is bad.
  socklen_t ToSockaddr(sockaddr_storage& out) const;
  // Reads an AF_INET / AF_INET6 sockaddr (an IPv4-mapped IPv6 address, as a dual-stack socket
  // reports an IPv4 peer, becomes IPv4); nullopt for other families or short lengths.
  static std::optional<Address> FromSockaddr(const sockaddr* sa, socklen_t len);
};

struct ErrorCode {
  uint16_t code = 0;  // 300..699
  std::string_view reason;
};

// An attribute the parser does not interpret: its type and where its value lies in the message.
struct AttributeRange {
  uint16_t type = 0;
  uint32_t offset = 0;  // of the value, from the start of the message
  uint16_t length = 0;  // of the value, without padding
};

// Why ParseMessage refused a datagram (for drop counters).
enum class ParseError : uint8_t {
  kNone = 0,
  kTooShort,          // fewer than 20 bytes
  kNotStun,           // top bits not 00, or wrong magic cookie
  kBadLength,         // header length not a multiple of 4 or not equal to the datagram
  kAttributeOverrun,  // an attribute's length runs past the end of the message
  kBadAttribute,      // a known attribute with an impossible value (size, family, ...)
  kAfterFingerprint,  // an attribute follows FINGERPRINT
};
std::string_view ParseErrorName(ParseError error);

inline constexpr size_t kMaxUnknownAttributes = 16;

// A parsed STUN message: a view into the datagram (see the header comment).
struct Message {
  uint16_t type = 0;
  uint16_t method = 0;
  MessageClass cls = MessageClass::kRequest;
  uint16_t length = 0;  // header length field: bytes after the 20-byte header
  TransactionId transaction_id{};

  std::optional<std::string_view> username;
  std::optional<std::string_view> software;
  std::optional<Address> xor_mapped_address;
  std::optional<uint32_t> priority;
  bool use_candidate = false;
  std::optional<uint64_t> ice_controlled;   // tie-breaker
  std::optional<uint64_t> ice_controlling;  // tie-breaker
  std::optional<ErrorCode> error_code;
  // Offsets of the attribute headers from the start of the message.
  std::optional<uint32_t> integrity_offset;
  std::optional<uint32_t> fingerprint_offset;
  // Attributes not interpreted above, in order; the first kMaxUnknownAttributes are kept and
  // the rest only counted. Attributes after MESSAGE-INTEGRITY (other than FINGERPRINT) are
  // ignored, as RFC 5389 §15.4 requires, and are not listed.
  std::array<AttributeRange, kMaxUnknownAttributes> unknown{};
  size_t unknown_count = 0;  // entries valid in `unknown`
  size_t unknown_total = 0;  // including those that did not fit

  std::span<const AttributeRange> unknown_attributes() const {
    return {unknown.data(), unknown_count};
  }
};

// RFC 7983 demultiplexing plus the RFC 5389 magic cookie: first byte 0..3, at least a header.
bool IsStun(std::span<const uint8_t> bytes);

// Parses one STUN message that must fill `bytes` exactly (one UDP datagram). Never reads
// outside `bytes`. On failure returns nullopt and, if `error` is not null, sets the reason.
std::optional<Message> ParseMessage(std::span<const uint8_t> bytes, ParseError* error = nullptr);

// CRC-32 (ISO-HDLC, the one in RFC 1952) of `bytes`.
uint32_t Crc32(std::span<const uint8_t> bytes);

// True when the message has a FINGERPRINT as its last attribute and it matches (§15.5).
bool VerifyFingerprint(std::span<const uint8_t> bytes);
bool VerifyFingerprint(std::span<const uint8_t> bytes, const Message& message);

// True when the message has MESSAGE-INTEGRITY and its HMAC-SHA1 keyed with `key` matches
// (§15.4); compared in constant time. For ICE short-term credentials the key is the ice-pwd.
bool VerifyMessageIntegrity(std::span<const uint8_t> bytes, std::string_view key);
bool VerifyMessageIntegrity(std::span<const uint8_t> bytes, const Message& message,
                            std::string_view key);

// Writes a STUN message into a caller buffer, attribute by attribute; no allocation. Every
// Add* returns false (and the writer stays failed) when the buffer is too small or the value
// is invalid. MESSAGE-INTEGRITY and FINGERPRINT must come last, in that order.
class MessageWriter {
 public:
  MessageWriter(std::span<uint8_t> out, uint16_t type, const TransactionId& transaction_id);

  // Byte used to pad attribute values to 4 bytes (RFC 5389 §15: any value; RFC 5769 uses
  // 0x20). Default 0.
  void set_padding_byte(uint8_t b) { padding_ = b; }

  bool AddAttribute(uint16_t type, std::span<const uint8_t> value);
  bool AddString(uint16_t type, std::string_view value);  // USERNAME, SOFTWARE, ...
  bool AddXorMappedAddress(const Address& address);
  bool AddXorMappedAddress(const sockaddr* sa, socklen_t len);
  bool AddErrorCode(uint16_t code, std::string_view reason);
  bool AddUint32(uint16_t type, uint32_t value);
  bool AddUint64(uint16_t type, uint64_t value);
  bool AddMessageIntegrity(std::string_view key);
  bool AddFingerprint();

  bool ok() const { return ok_; }
  size_t size() const { return size_; }
  // The bytes written so far (a complete message after each successful Add*).
  std::span<const uint8_t> bytes() const { return {out_.data(), ok_ ? size_ : 0}; }

 private:
  uint8_t* Reserve(uint16_t type, size_t value_length);
  void SetLength(size_t body_length);

  std::span<uint8_t> out_;
  size_t size_ = 0;
  bool ok_ = true;
  uint8_t padding_ = 0;
};

// Writes a Binding success response (XOR-MAPPED-ADDRESS of `peer`, optional SOFTWARE,
// MESSAGE-INTEGRITY keyed with `key`, FINGERPRINT). Returns its size, or nullopt if `out` is
// too small or `peer` is not IPv4/IPv6.
std::optional<size_t> WriteBindingSuccess(std::span<uint8_t> out, const TransactionId& id,
                                          const sockaddr* peer, socklen_t peer_len,
                                          std::string_view key, std::string_view software = {});

// Writes a Binding error response with ERROR-CODE `code` (400, 401, 487, ...) and its standard
// reason phrase; MESSAGE-INTEGRITY only when `key` is not empty (never for 400/401, where the
// credentials are what failed), then FINGERPRINT.
std::optional<size_t> WriteBindingError(std::span<uint8_t> out, const TransactionId& id,
                                        uint16_t code, std::string_view key = {});

}  // namespace ringcast::net::stun

#endif  // RINGCAST_NET_STUN_MESSAGE_H_
