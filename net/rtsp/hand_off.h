// What moves an RTSP connection from the worker that accepted it to the one that owns its path
// (RtspServer, "several workers"). Plain values; the socket is owned by whoever holds it.
#ifndef RINGCAST_NET_RTSP_HAND_OFF_H_
#define RINGCAST_NET_RTSP_HAND_OFF_H_

#include <functional>
#include <memory>
#include <string>

#include "net/http/message.h"
#include "net/socket.h"

namespace ringcast::net::rtsp {

// A connection on its way to the worker that owns its path.
struct HandedConnection {
  Fd fd;
  std::string peer;
  http::Message request;  // to answer first
  std::string pending;    // read after it, not parsed yet
  int hops = 0;           // hand-offs so far (a path that moves meanwhile can move it again)
};
// Runs on the handing worker; must get `connection` to worker `worker`'s RtspServer::Adopt.
using HandOffTo = std::function<void(int worker, std::shared_ptr<HandedConnection> connection)>;

}  // namespace ringcast::net::rtsp

#endif  // RINGCAST_NET_RTSP_HAND_OFF_H_
