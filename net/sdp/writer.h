// SDP writer (RFC 8866): the text for a Session, for RTSP DESCRIBE answers, ANNOUNCE bodies
// and WebRTC answers.
//
// The output is canonical: CRLF line ends, single spaces between fields, lines in the order
// RFC 8866 §5 fixes (v o s i u e p c b t r z k a, then per media section m i c b k a) and
// attributes in their stored order. ParseSdp(WriteSdp(s)) == s for every Session that ParseSdp
// produced, so a description from a publisher can be passed on without losing anything (the
// text may be a little longer than what was parsed: CRLF for LF, "s=" when it was missing).
//
// It writes what the model holds and checks nothing: a Session built by hand must have
// a name ("-" when there is nothing to say) and, for RFC 8866, an origin and a t= line. Fields
// must not contain CR or LF. Pure function, any thread.
#ifndef RINGCAST_NET_SDP_WRITER_H_
#define RINGCAST_NET_SDP_WRITER_H_

#include <string>

#include "net/sdp/session.h"

namespace ringcast::net::sdp {

std::string WriteSdp(const Session& session);

}  // namespace ringcast::net::sdp

#endif  // RINGCAST_NET_SDP_WRITER_H_
