// The built-in web pages: the index of live paths (GET /) and the WHEP player (GET /<name>/).
//
// The HTML is written in net/webrtc/pages/*.html (inline CSS and JS, nothing loaded from elsewhere)
// and compiled into the binary by net/webrtc/pages.cmake, which turns each file into a C++ raw
// string literal, so ringcastd serves the pages with no files on disk. The views point at static
// storage: valid for the life of the process, callable from any thread.
#ifndef RINGCAST_NET_WEBRTC_PAGES_H_
#define RINGCAST_NET_WEBRTC_PAGES_H_

#include <string_view>

namespace ringcast::net::webrtc {

// The player: plays the path it is served under over WHEP (POST <page dir>whep).
std::string_view PlayerPageHtml();

// The index: lists GET /api/paths, each linking to its player, refreshed every 2 s.
std::string_view IndexPageHtml();

}  // namespace ringcast::net::webrtc

#endif  // RINGCAST_NET_WEBRTC_PAGES_H_
