// NetworkList: "who may connect" — a list of IPv4/IPv6 networks in CIDR form, parsed from a
// tunable ("10.0.0.0/8, 192.0.2.7, 2001:db8::/32, ::1") and matched against a peer's address.
// An empty list allows everyone (the default of every allow-list tunable). An IPv4-mapped IPv6
// peer (::ffff:192.0.2.7) is matched as the IPv4 address it carries.
//
// Plain value, immutable once parsed; any thread.
#ifndef RINGCAST_CORE_NETWORKS_H_
#define RINGCAST_CORE_NETWORKS_H_

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ringcast::core {

class NetworkList {
 public:
  NetworkList() = default;

  // Comma-separated networks: ADDRESS or ADDRESS/PREFIX (numeric addresses only). Errors name
  // the item and what is wrong ("10.0.0.0/33: prefix over 32"). Host bits set under the prefix
  // are an error too (192.0.2.7/24), as they are almost always a typo.
  static absl::StatusOr<NetworkList> Parse(std::string_view text);
  // One item, for the tunables registry's check of a value before it is stored.
  static absl::Status CheckItem(std::string_view item);

  bool empty() const { return networks_.empty(); }
  // Whether the list allows `address` (empty list: yes). `address` is numeric text without a
  // port ("192.0.2.7", "2001:db8::1"); text that is no address is not allowed by a non-empty
  // list.
  bool Allows(std::string_view address) const;
  bool Allows(const sockaddr* address, socklen_t length) const;

  // The canonical text, "a/n,b/m".
  std::string ToString() const;

 private:
  struct Network {
    bool v6 = false;
    std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4
    int prefix = 0;
  };
  static absl::StatusOr<Network> ParseNetwork(std::string_view item);
  bool Matches(bool v6, const uint8_t* bytes) const;

  std::vector<Network> networks_;
};

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_NETWORKS_H_
