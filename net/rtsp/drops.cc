#include "net/rtsp/drops.h"

namespace ringcast::net::rtsp {

const core::DropCounter kBadRequestDrops(
    "rtsp_bad_request", "malformed RTSP message (answered 4xx, connection closed)");
const core::DropCounter kBadChannelDrops("rtsp_bad_channel",
                                         "an interleaved frame on a channel no SETUP agreed on");
const core::DropCounter kRtpInvalidDrops("rtp_invalid",
                                         "an RTP packet that fails RFC 3550 validation");
const core::DropCounter kRtpUnroutedDrops("rtp_unrouted",
                                          "a UDP datagram from an address no session set up");

}  // namespace ringcast::net::rtsp
