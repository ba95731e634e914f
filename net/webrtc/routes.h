// SessionRoutes: which worker each WebRTC session lives on, by everything a datagram or a request
// names it with — our ICE ufrag (STUN), the viewer's nominated address (DTLS, SRTCP) and the
// session id (WHEP PATCH/DELETE). The one piece of WebRTC state shared by every worker.
//
// Every worker binds webrtc.udp_port (SO_REUSEPORT) and the kernel hands each datagram to one of
// them by a hash of its addresses, which need not be the session's. A worker looks a datagram up
// in its own sessions first; only on a miss does it ask here and forward the datagram to the
// owner. Viewers send little (consent checks, receiver reports, NACKs), so forwarding costs a
// fraction of a per-cent of a core where a kernel-steering scheme would cost a socket per viewer.
//
// Threads: any; one mutex. Looked up per forwarded datagram and per request, never per media
// packet sent.
#ifndef RINGCAST_NET_WEBRTC_ROUTES_H_
#define RINGCAST_NET_WEBRTC_ROUTES_H_

#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "net/socket.h"

namespace ringcast::net::webrtc {

// A datagram source as a map key (family, port, address): no allocation per look-up.
struct AddressKey {
  uint8_t bytes[20]{};
  bool operator==(const AddressKey& other) const {
    return std::memcmp(bytes, other.bytes, sizeof(bytes)) == 0;
  }
  // Fills `key`; false for an address family other than IPv4 and IPv6.
  static bool Of(const sockaddr* address, socklen_t length, AddressKey& key);
};
struct AddressHash {
  size_t operator()(const AddressKey& key) const;
};

class SessionRoutes {
 public:
  void AddSession(const std::string& id, const std::string& ufrag, int worker);
  void SetAddress(const std::string& id, const AddressKey& address, int worker);
  void RemoveSession(const std::string& id, int worker);

  // The worker, or -1.
  int WorkerForUfrag(std::string_view ufrag) const;
  int WorkerForAddress(const AddressKey& address) const;
  int WorkerForSession(std::string_view id) const;

 private:
  struct Route {
    std::string ufrag;
    AddressKey address;
    bool has_address = false;
    int worker = -1;
  };
  mutable std::mutex mutex_;  // shared by every worker
  std::unordered_map<std::string, Route> sessions_;
  std::unordered_map<std::string, int> by_ufrag_;
  std::unordered_map<AddressKey, int, AddressHash> by_address_;
};

}  // namespace ringcast::net::webrtc

#endif  // RINGCAST_NET_WEBRTC_ROUTES_H_
