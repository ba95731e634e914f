#include "core/networks.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "absl/strings/str_split.h"
#include "core/strings.h"

namespace ringcast::core {
namespace {

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Numeric IPv4 or IPv6 text into `bytes`; false when it is neither.
bool ParseAddress(std::string_view text, bool& v6, uint8_t* bytes) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return false;
  char buffer[INET6_ADDRSTRLEN];
  memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  if (inet_pton(AF_INET, buffer, bytes) == 1) {
    v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, buffer, bytes) == 1) {
    v6 = true;
    return true;
  }
  return false;
}

bool PrefixMatches(const uint8_t* a, const uint8_t* b, int prefix) {
  const int whole = prefix / 8;
  if (memcmp(a, b, static_cast<size_t>(whole)) != 0) return false;
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

constexpr uint8_t kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};

}  // namespace

absl::StatusOr<NetworkList::Network> NetworkList::ParseNetwork(std::string_view item) {
  Network network;
  const size_t slash = item.find('/');
  const std::string_view address = item.substr(0, slash);
  if (!ParseAddress(address, network.v6, network.bytes.data())) {
    return absl::InvalidArgumentError(StrCat(item, ": not a numeric IPv4 or IPv6 address"));
  }
  const int bits = network.v6 ? 128 : 32;
  network.prefix = bits;
  if (slash != std::string_view::npos) {
    const std::string_view digits = item.substr(slash + 1);
    int prefix = 0;
    if (digits.empty() || digits.size() > 3) {
      return absl::InvalidArgumentError(StrCat(item, ": the prefix length is not a number"));
    }
    for (char c : digits) {
      if (c < '0' || c > '9') {
        return absl::InvalidArgumentError(StrCat(item, ": the prefix length is not a number"));
      }
      prefix = prefix * 10 + (c - '0');
    }
    if (prefix > bits) {
      return absl::InvalidArgumentError(StrCat(item, ": prefix over ", bits));
    }
    network.prefix = prefix;
  }
  // Host bits under the prefix: almost always a typo (192.0.2.7/24 meant 192.0.2.0/24?).
  std::array<uint8_t, 16> zero_host = network.bytes;
  for (int bit = network.prefix; bit < bits; ++bit) {
    zero_host[static_cast<size_t>(bit / 8)] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  }
  if (zero_host != network.bytes) {
    return absl::InvalidArgumentError(
        StrCat(item, ": host bits set under the /", network.prefix, " prefix"));
  }
  return network;
}

absl::Status NetworkList::CheckItem(std::string_view item) {
  return ParseNetwork(TrimSpaces(item)).status();
}

absl::StatusOr<NetworkList> NetworkList::Parse(std::string_view text) {
  NetworkList list;
  for (absl::string_view piece : absl::StrSplit(absl::string_view(text.data(), text.size()), ',')) {
    std::string_view item = TrimSpaces(std::string_view(piece.data(), piece.size()));
    if (item.empty()) continue;
    ASSIGN_OR_RETURN(Network network, ParseNetwork(item));
    list.networks_.push_back(network);
  }
  return list;
}

bool NetworkList::Matches(bool v6, const uint8_t* bytes) const {
  // An IPv4-mapped IPv6 peer is the IPv4 address it carries.
  if (v6 && memcmp(bytes, kV4MappedPrefix, sizeof(kV4MappedPrefix)) == 0) {
    v6 = false;
    bytes += 12;
  }
  for (const Network& network : networks_) {
    if (network.v6 == v6 && PrefixMatches(network.bytes.data(), bytes, network.prefix)) {
      return true;
    }
  }
  return false;
}

bool NetworkList::Allows(std::string_view address) const {
  if (networks_.empty()) return true;
  bool v6 = false;
  uint8_t bytes[16] = {};
  return ParseAddress(address, v6, bytes) && Matches(v6, bytes);
}

bool NetworkList::Allows(const sockaddr* address, socklen_t length) const {
  if (networks_.empty()) return true;
  if (address == nullptr) return false;
  if (address->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    return Matches(false, reinterpret_cast<const uint8_t*>(&in->sin_addr));
  }
  if (address->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    return Matches(true, in6->sin6_addr.s6_addr);
  }
  return false;  // a Unix socket is not on any network
}

std::string NetworkList::ToString() const {
  std::string out;
  for (const Network& network : networks_) {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(network.v6 ? AF_INET6 : AF_INET, network.bytes.data(), text, sizeof(text));
    StrAppend(out, out.empty() ? "" : ",", text, "/", network.prefix);
  }
  return out;
}

}  // namespace ringcast::core
