#include "net/webrtc/routes.h"

#include <netinet/in.h>

namespace ringcast::net::webrtc {

bool AddressKey::Of(const sockaddr* address, socklen_t length, AddressKey& key) {
  key = AddressKey{};
  if (address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    key.bytes[0] = 4;
    std::memcpy(key.bytes + 2, &in->sin_port, 2);
    std::memcpy(key.bytes + 4, &in->sin_addr, 4);
    return true;
  }
  if (address->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    key.bytes[0] = 6;
    std::memcpy(key.bytes + 2, &in6->sin6_port, 2);
    std::memcpy(key.bytes + 4, &in6->sin6_addr, 16);
    return true;
  }
  return false;
}

size_t AddressHash::operator()(const AddressKey& key) const {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a: 20 bytes, no need for more
  for (uint8_t byte : key.bytes) hash = (hash ^ byte) * 1099511628211ull;
  return static_cast<size_t>(hash);
}

void SessionRoutes::AddSession(const std::string& id, const std::string& ufrag, int worker) {
  std::lock_guard<std::mutex> lock(mutex_);
  sessions_[id] = Route{.ufrag = ufrag, .worker = worker};
  by_ufrag_[ufrag] = worker;
}

void SessionRoutes::SetAddress(const std::string& id, const AddressKey& address, int worker) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  if (it->second.has_address) {
    auto old = by_address_.find(it->second.address);
    if (old != by_address_.end() && old->second == worker) by_address_.erase(old);
  }
  it->second.address = address;
  it->second.has_address = true;
  by_address_[address] = worker;  // the newest session on an address gets it, as locally
}

void SessionRoutes::RemoveSession(const std::string& id, int worker) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.worker != worker) return;
  auto ufrag = by_ufrag_.find(it->second.ufrag);
  if (ufrag != by_ufrag_.end() && ufrag->second == worker) by_ufrag_.erase(ufrag);
  if (it->second.has_address) {
    auto address = by_address_.find(it->second.address);
    if (address != by_address_.end() && address->second == worker) by_address_.erase(address);
  }
  sessions_.erase(it);
}

int SessionRoutes::WorkerForUfrag(std::string_view ufrag) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_ufrag_.find(std::string(ufrag));
  return it == by_ufrag_.end() ? -1 : it->second;
}

int SessionRoutes::WorkerForAddress(const AddressKey& address) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_address_.find(address);
  return it == by_address_.end() ? -1 : it->second;
}

int SessionRoutes::WorkerForSession(std::string_view id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = sessions_.find(std::string(id));
  return it == sessions_.end() ? -1 : it->second.worker;
}

}  // namespace ringcast::net::webrtc
