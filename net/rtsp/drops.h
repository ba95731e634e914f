// What the RTSP server and client drop, by reason (stats.drops.NAME; core/drop_counter.h).
#ifndef RINGCAST_NET_RTSP_DROPS_H_
#define RINGCAST_NET_RTSP_DROPS_H_

#include "core/drop_counter.h"

namespace ringcast::net::rtsp {

extern const core::DropCounter kBadRequestDrops;   // malformed RTSP message (answered, closed)
extern const core::DropCounter kBadChannelDrops;   // interleaved frame on a channel no SETUP made
extern const core::DropCounter kRtpInvalidDrops;   // RTP that fails RFC 3550 validation
extern const core::DropCounter kRtpUnroutedDrops;  // UDP datagram from an address no SETUP made

}  // namespace ringcast::net::rtsp

#endif  // RINGCAST_NET_RTSP_DROPS_H_
