// Config files in sysctl.conf(5) syntax.
//
//   # comment            ; comment
//   webrtc.nack = 1      key = value; spaces around '=' and the value are ignored
//   -path.x.source = y   a leading '-' ignores errors on that line
//
// The daemon reads /etc/ringcast/ringcast.conf, then /etc/ringcast/conf.d/*.conf in lexical
// order; a later assignment wins. Parsing reports every bad line as "file:line: reason".
// Plain functions; any thread.
#ifndef RINGCAST_CORE_CONFIG_FILE_H_
#define RINGCAST_CORE_CONFIG_FILE_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/tunables.h"

namespace ringcast::core {

inline constexpr const char* kDefaultConfigFile = "/etc/ringcast/ringcast.conf";
inline constexpr const char* kDefaultConfigDir = "/etc/ringcast/conf.d";

// Parses one file's text. Syntax errors (no '=', empty key, bad characters in a key) fail the
// whole file with every bad line listed.
absl::StatusOr<std::vector<ConfigLine>> ParseConfigText(std::string_view text,
                                                        std::string_view file_name);

// Reads and parses `file`.
absl::StatusOr<std::vector<ConfigLine>> ReadConfigFile(const std::string& file);

// The files the daemon reads, in order: `main_file` if it exists (or always, when
// `main_required`), then `dir`/*.conf sorted by name.
absl::StatusOr<std::vector<std::string>> ConfigFileList(const std::string& main_file,
                                                        const std::string& dir, bool main_required);

// Reads every file of ConfigFileList, concatenating their lines in order.
absl::StatusOr<std::vector<ConfigLine>> LoadConfigFiles(const std::string& main_file,
                                                        const std::string& dir, bool main_required);

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_CONFIG_FILE_H_
