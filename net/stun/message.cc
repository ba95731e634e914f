#include "net/stun/message.h"

#include <netinet/in.h>
#include <openssl/crypto.h>

#include <cstring>

#include "crypto/srtp_cipher.h"

namespace ringcast::net::stun {
namespace {

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

constexpr size_t kMaxUsernameBytes = 513;  // RFC 5389 §15.3: "less than 513 bytes"

uint16_t Load16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t Load32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint64_t Load64(const uint8_t* p) { return (uint64_t{Load32(p)} << 32) | Load32(p + 4); }
void Store16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void Store32(uint8_t* p, uint32_t v) {
  Store16(p, static_cast<uint16_t>(v >> 16));
  Store16(p + 2, static_cast<uint16_t>(v));
}

constexpr size_t Padded(size_t n) { return (n + 3) & ~size_t{3}; }

// Reflected CRC-32, polynomial 0xEDB88320, one table lookup per byte.
constexpr std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kCrcTable = MakeCrcTable();

// The XOR key of an address: the magic cookie, then the transaction id (RFC 5389 §15.2).
std::array<uint8_t, 16> XorKey(const TransactionId& id) {
  std::array<uint8_t, 16> key{};
  Store32(key.data(), kMagicCookie);
  std::memcpy(key.data() + 4, id.data(), id.size());
  return key;
}

std::optional<Address> ParseXorAddress(const uint8_t* v, size_t len, const TransactionId& id) {
  if (len < 4) return std::nullopt;
  Address a;
  a.family = v[1];
  const size_t ip_len = a.family == 1 ? 4 : a.family == 2 ? 16 : 0;
  if (ip_len == 0 || len != 4 + ip_len) return std::nullopt;
  a.port = static_cast<uint16_t>(Load16(v + 2) ^ (kMagicCookie >> 16));
  const std::array<uint8_t, 16> key = XorKey(id);
  for (size_t i = 0; i < ip_len; ++i) a.ip[i] = v[4 + i] ^ key[i];
  return a;
}

std::string_view AsString(const uint8_t* v, size_t len) {
  return {reinterpret_cast<const char*>(v), len};
}

// Handles one attribute that precedes MESSAGE-INTEGRITY; false if its value is impossible.
bool ParseAttribute(Message& m, uint16_t type, uint32_t value_offset, const uint8_t* v,
                    size_t len) {
  switch (type) {
    case attr::kUsername:
      if (len >= kMaxUsernameBytes) return false;
      if (!m.username) m.username = AsString(v, len);
      return true;
    case attr::kSoftware:
      if (!m.software) m.software = AsString(v, len);
      return true;
    case attr::kXorMappedAddress: {
      std::optional<Address> a = ParseXorAddress(v, len, m.transaction_id);
      if (!a) return false;
      if (!m.xor_mapped_address) m.xor_mapped_address = a;
      return true;
    }
    case attr::kPriority:
      if (len != 4) return false;
      if (!m.priority) m.priority = Load32(v);
      return true;
    case attr::kUseCandidate:
      if (len != 0) return false;
      m.use_candidate = true;
      return true;
    case attr::kIceControlled:
    case attr::kIceControlling: {
      if (len != 8) return false;
      std::optional<uint64_t>& slot =
          type == attr::kIceControlled ? m.ice_controlled : m.ice_controlling;
      if (!slot) slot = Load64(v);
      return true;
    }
    case attr::kErrorCode: {
      if (len < 4) return false;
      const uint8_t cls = v[2] & 0x7;
      const uint8_t number = v[3];
      if (cls < 3 || cls > 6 || number > 99) return false;
      if (!m.error_code) {
        m.error_code =
            ErrorCode{static_cast<uint16_t>(cls * 100 + number), AsString(v + 4, len - 4)};
      }
      return true;
    }
    default:
      if (m.unknown_count < m.unknown.size()) {
        m.unknown[m.unknown_count++] =
            AttributeRange{type, value_offset, static_cast<uint16_t>(len)};
      }
      ++m.unknown_total;
      return true;
  }
}

std::nullopt_t Fail(ParseError* error, ParseError why) {
  if (error) *error = why;
  return std::nullopt;
}

}  // namespace

std::string_view ParseErrorName(ParseError error) {
  switch (error) {
    case ParseError::kNone:
      return "none";
    case ParseError::kTooShort:
      return "too_short";
    case ParseError::kNotStun:
      return "not_stun";
    case ParseError::kBadLength:
      return "bad_length";
    case ParseError::kAttributeOverrun:
      return "attribute_overrun";
    case ParseError::kBadAttribute:
      return "bad_attribute";
    case ParseError::kAfterFingerprint:
      return "after_fingerprint";
  }
  return "unknown";
}

socklen_t Address::ToSockaddr(sockaddr_storage& out) const {
  std::memset(&out, 0, sizeof(out));
  if (family == 1) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    std::memcpy(&sin->sin_addr, ip.data(), 4);
    return sizeof(sockaddr_in);
  }
  if (family == 2) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    std::memcpy(&sin6->sin6_addr, ip.data(), 16);
    return sizeof(sockaddr_in6);
  }
  return 0;
}

std::optional<Address> Address::FromSockaddr(const sockaddr* sa, socklen_t len) {
  if (sa == nullptr || len < static_cast<socklen_t>(sizeof(sa_family_t))) return std::nullopt;
  Address a;
  if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    sockaddr_in sin;
    std::memcpy(&sin, sa, sizeof(sin));
    a.family = 1;
    a.port = ntohs(sin.sin_port);
    std::memcpy(a.ip.data(), &sin.sin_addr, 4);
    return a;
  }
  if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    sockaddr_in6 sin6;
    std::memcpy(&sin6, sa, sizeof(sin6));
    a.port = ntohs(sin6.sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr)) {
      // An IPv4 peer seen through a dual-stack socket: it sent from, and knows, its IPv4 address.
      a.family = 1;
      std::memcpy(a.ip.data(), &sin6.sin6_addr.s6_addr[12], 4);
      return a;
    }
    a.family = 2;
    std::memcpy(a.ip.data(), &sin6.sin6_addr, 16);
    return a;
  }
  return std::nullopt;
}

bool IsStun(std::span<const uint8_t> bytes) {
  // RFC 7983 §7: a first byte of 0..3 is STUN; the cookie rules out RFC 3489 and noise.
  return bytes.size() >= kHeaderSize && bytes[0] <= 3 && Load32(bytes.data() + 4) == kMagicCookie;
}

std::optional<Message> ParseMessage(std::span<const uint8_t> bytes, ParseError* error) {
  if (error) *error = ParseError::kNone;
  if (bytes.size() < kHeaderSize) return Fail(error, ParseError::kTooShort);
  const uint8_t* p = bytes.data();
  if ((p[0] & 0xC0) != 0 || Load32(p + 4) != kMagicCookie) {
    return Fail(error, ParseError::kNotStun);
  }
  Message m;
  m.type = Load16(p);
  m.length = Load16(p + 2);
  if (m.length % 4 != 0 || kHeaderSize + m.length != bytes.size()) {
    return Fail(error, ParseError::kBadLength);
  }
  m.method = static_cast<uint16_t>((m.type & 0x000F) | ((m.type & 0x00E0) >> 1) |
                                   ((m.type & 0x3E00) >> 2));
  m.cls = static_cast<MessageClass>(((m.type >> 4) & 0x1) | ((m.type >> 7) & 0x2));
  std::memcpy(m.transaction_id.data(), p + 8, m.transaction_id.size());

  size_t pos = kHeaderSize;
  while (pos < bytes.size()) {
    if (m.fingerprint_offset) return Fail(error, ParseError::kAfterFingerprint);
    if (bytes.size() - pos < kAttributeHeaderSize) {
      return Fail(error, ParseError::kAttributeOverrun);
    }
    const uint16_t type = Load16(p + pos);
    const size_t len = Load16(p + pos + 2);
    const size_t value = pos + kAttributeHeaderSize;
    if (Padded(len) > bytes.size() - value) {
      return Fail(error, ParseError::kAttributeOverrun);
    }
    const uint8_t* v = p + value;
    if (type == attr::kFingerprint) {
      if (len != 4) return Fail(error, ParseError::kBadAttribute);
      m.fingerprint_offset = static_cast<uint32_t>(pos);
    } else if (m.integrity_offset) {
      // RFC 5389 §15.4: everything after MESSAGE-INTEGRITY except FINGERPRINT is ignored.
    } else if (type == attr::kMessageIntegrity) {
      if (len != kHmacSize) return Fail(error, ParseError::kBadAttribute);
      m.integrity_offset = static_cast<uint32_t>(pos);
    } else if (!ParseAttribute(m, type, static_cast<uint32_t>(value), v, len)) {
      return Fail(error, ParseError::kBadAttribute);
    }
    pos = value + Padded(len);
  }
  return m;
}

uint32_t Crc32(std::span<const uint8_t> bytes) {
  uint32_t c = 0xFFFFFFFFu;
  for (uint8_t b : bytes) c = kCrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

bool VerifyFingerprint(std::span<const uint8_t> bytes) {
  std::optional<Message> m = ParseMessage(bytes);
  return m && VerifyFingerprint(bytes, *m);
}

bool VerifyFingerprint(std::span<const uint8_t> bytes, const Message& message) {
  if (!message.fingerprint_offset) return false;
  const size_t off = *message.fingerprint_offset;
  // FINGERPRINT must be the last attribute, so the header length already counts it.
  if (off < kHeaderSize || off + 8 != bytes.size()) return false;
  const uint32_t crc = Crc32(bytes.first(off)) ^ kFingerprintXor;
  return crc == Load32(bytes.data() + off + 4);
}

bool VerifyMessageIntegrity(std::span<const uint8_t> bytes, std::string_view key) {
  std::optional<Message> m = ParseMessage(bytes);
  return m && VerifyMessageIntegrity(bytes, *m, key);
}

bool VerifyMessageIntegrity(std::span<const uint8_t> bytes, const Message& message,
                            std::string_view key) {
  if (!message.integrity_offset) return false;
  const size_t off = *message.integrity_offset;
  if (off < kHeaderSize || off + kAttributeHeaderSize + kHmacSize > bytes.size()) return false;
  // §15.4: the HMAC covers the message up to MESSAGE-INTEGRITY, with the header length set as
  // if MESSAGE-INTEGRITY were the last attribute.
  uint8_t header[kHeaderSize];
  std::memcpy(header, bytes.data(), kHeaderSize);
  Store16(header + 2, static_cast<uint16_t>(off + kAttributeHeaderSize + kHmacSize - kHeaderSize));
  uint8_t mac[kHmacSize];
  crypto::HmacSha1Key hmac;
  if (!hmac.Init(AsBytes(key)) ||
      !hmac.Mac(header, kHeaderSize, bytes.data() + kHeaderSize, off - kHeaderSize, mac)) {
    return false;
  }
  return CRYPTO_memcmp(mac, bytes.data() + off + kAttributeHeaderSize, kHmacSize) == 0;
}

MessageWriter::MessageWriter(std::span<uint8_t> out, uint16_t type, const TransactionId& id)
    : out_(out) {
  if (out_.size() < kHeaderSize || (type & 0xC000) != 0) {
    ok_ = false;
    return;
  }
  Store16(out_.data(), type);
  Store16(out_.data() + 2, 0);
  Store32(out_.data() + 4, kMagicCookie);
  std::memcpy(out_.data() + 8, id.data(), id.size());
  size_ = kHeaderSize;
}

void MessageWriter::SetLength(size_t body_length) {
  Store16(out_.data() + 2, static_cast<uint16_t>(body_length));
}

uint8_t* MessageWriter::Reserve(uint16_t type, size_t value_length) {
  if (!ok_) return nullptr;
  const size_t total = kAttributeHeaderSize + Padded(value_length);
  if (value_length > 0xFFFF || total > out_.size() - size_ ||
      size_ + total - kHeaderSize > 0xFFFF) {
    ok_ = false;
    return nullptr;
  }
  uint8_t* p = out_.data() + size_;
  Store16(p, type);
  Store16(p + 2, static_cast<uint16_t>(value_length));
  std::memset(p + kAttributeHeaderSize + value_length, padding_,
              Padded(value_length) - value_length);
  size_ += total;
  SetLength(size_ - kHeaderSize);
  return p + kAttributeHeaderSize;
}

bool MessageWriter::AddAttribute(uint16_t type, std::span<const uint8_t> value) {
  uint8_t* v = Reserve(type, value.size());
  if (v == nullptr) return false;
  if (!value.empty()) std::memcpy(v, value.data(), value.size());
  return true;
}

bool MessageWriter::AddString(uint16_t type, std::string_view value) {
  return AddAttribute(type, AsBytes(value));
}

bool MessageWriter::AddXorMappedAddress(const Address& address) {
  const size_t ip_len = address.family == 1 ? 4 : address.family == 2 ? 16 : 0;
  if (ip_len == 0 || !ok_) return ok_ = false;
  uint8_t* v = Reserve(attr::kXorMappedAddress, 4 + ip_len);
  if (v == nullptr) return false;
  TransactionId id;
  std::memcpy(id.data(), out_.data() + 8, id.size());
  const std::array<uint8_t, 16> key = XorKey(id);
  v[0] = 0;
  v[1] = address.family;
  Store16(v + 2, static_cast<uint16_t>(address.port ^ (kMagicCookie >> 16)));
  for (size_t i = 0; i < ip_len; ++i) v[4 + i] = address.ip[i] ^ key[i];
  return true;
}

bool MessageWriter::AddXorMappedAddress(const sockaddr* sa, socklen_t len) {
  std::optional<Address> a = Address::FromSockaddr(sa, len);
  if (!a) return ok_ = false;
  return AddXorMappedAddress(*a);
}

bool MessageWriter::AddErrorCode(uint16_t code, std::string_view reason) {
  if (code < 300 || code > 699) return ok_ = false;
  uint8_t* v = Reserve(attr::kErrorCode, 4 + reason.size());
  if (v == nullptr) return false;
  v[0] = 0;
  v[1] = 0;
  v[2] = static_cast<uint8_t>(code / 100);
  v[3] = static_cast<uint8_t>(code % 100);
  if (!reason.empty()) std::memcpy(v + 4, reason.data(), reason.size());
  return true;
}

bool MessageWriter::AddUint32(uint16_t type, uint32_t value) {
  uint8_t* v = Reserve(type, 4);
  if (v == nullptr) return false;
  Store32(v, value);
  return true;
}

bool MessageWriter::AddUint64(uint16_t type, uint64_t value) {
  uint8_t* v = Reserve(type, 8);
  if (v == nullptr) return false;
  Store32(v, static_cast<uint32_t>(value >> 32));
  Store32(v + 4, static_cast<uint32_t>(value));
  return true;
}

bool MessageWriter::AddMessageIntegrity(std::string_view key) {
  const size_t off = size_;
  uint8_t* v = Reserve(attr::kMessageIntegrity, kHmacSize);
  if (v == nullptr) return false;
  // The header length now counts MESSAGE-INTEGRITY, as §15.4 requires for the HMAC input.
  crypto::HmacSha1Key hmac;
  if (!hmac.Init(AsBytes(key)) || !hmac.Mac(out_.data(), off, nullptr, 0, v)) return ok_ = false;
  return true;
}

bool MessageWriter::AddFingerprint() {
  const size_t off = size_;
  uint8_t* v = Reserve(attr::kFingerprint, 4);
  if (v == nullptr) return false;
  Store32(v, Crc32(out_.first(off)) ^ kFingerprintXor);
  return true;
}

std::optional<size_t> WriteBindingSuccess(std::span<uint8_t> out, const TransactionId& id,
                                          const sockaddr* peer, socklen_t peer_len,
                                          std::string_view key, std::string_view software) {
  MessageWriter w(out, MessageType(kMethodBinding, MessageClass::kSuccessResponse), id);
  if (!software.empty()) w.AddString(attr::kSoftware, software);
  w.AddXorMappedAddress(peer, peer_len);
  w.AddMessageIntegrity(key);
  w.AddFingerprint();
  if (!w.ok()) return std::nullopt;
  return w.size();
}

std::optional<size_t> WriteBindingError(std::span<uint8_t> out, const TransactionId& id,
                                        uint16_t code, std::string_view key) {
  std::string_view reason;
  switch (code) {
    case 400:
      reason = "Bad Request";
      break;
    case 401:
      reason = "Unauthorized";
      break;
    case 420:
      reason = "Unknown Attribute";
      break;
    case 487:
      reason = "Role Conflict";
      break;
    case 500:
      reason = "Server Error";
      break;
    default:
      reason = "Error";
      break;
  }
  MessageWriter w(out, MessageType(kMethodBinding, MessageClass::kErrorResponse), id);
  w.AddErrorCode(code, reason);
  if (!key.empty()) w.AddMessageIntegrity(key);
  w.AddFingerprint();
  if (!w.ok()) return std::nullopt;
  return w.size();
}

}  // namespace ringcast::net::stun
