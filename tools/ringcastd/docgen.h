// Files generated from the tunables registry, so the packaged config, the man pages and the
// shell completion can never drift from the code: `ringcastd --print-default-config`,
// `ringcastd --print-man ringcastd|ringcastctl|conf` and `ringcastd --print-bash-completion`.
// packaging/CMakeLists.txt runs these at build time for the files the packages ship.
//
// Pure functions of the registry: no I/O, any thread.
#ifndef RINGCAST_TOOLS_RINGCASTD_DOCGEN_H_
#define RINGCAST_TOOLS_RINGCASTD_DOCGEN_H_

#include <string>
#include <string_view>

#include "core/status.h"
#include "core/tunables.h"

namespace ringcast::daemon {

// Defines every tunable ringcastd has (what the daemon defines at start-up) plus one example
// path, `path.NAME`, so the path keys can be listed.
void DefineDocumentedTunables(core::Registry& registry);

// /etc/ringcast/ringcast.conf: a header on the syntax, then every tunable commented out with
// its description, type, range and default, and the one active line `path.demo.source = demo`.
std::string DefaultConfig(const core::Registry& registry);

// A man page in roff (man(7)): "ringcastd" (8), "ringcastctl" (8) or "conf" (ringcast.conf(5),
// every key). InvalidArgument for another name.
absl::StatusOr<std::string> ManPage(const core::Registry& registry, std::string_view page);

// bash completion for ringcastctl: options, key names (from the running daemon when
// `ringcastctl -N -a` works, else the keys built in here) and enum/bool values after '='.
std::string BashCompletion(const core::Registry& registry);

// Escapes text for a roff line: backslashes, '-', and a leading '.' or '\''.
std::string RoffEscape(std::string_view text);

}  // namespace ringcast::daemon

#endif  // RINGCAST_TOOLS_RINGCASTD_DOCGEN_H_
