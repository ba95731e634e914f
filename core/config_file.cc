#include "core/config_file.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "core/strings.h"

namespace ringcast::core {
namespace {

constexpr size_t kMaxConfigBytes = 4 << 20;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

bool ValidKey(std::string_view key) {
  if (key.empty() || key.front() == '.' || key.back() == '.') return false;
  for (unsigned char c : key) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return key.find("..") == std::string_view::npos;
}

}  // namespace

absl::StatusOr<std::vector<ConfigLine>> ParseConfigText(std::string_view text,
                                                        std::string_view file_name) {
  std::vector<ConfigLine> lines;
  std::vector<std::string> errors;
  int number = 0;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view raw = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    ++number;
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    auto error = [&](std::string_view reason) {
      errors.push_back(StrCat(file_name, ":", number, ": ", reason));
    };
    if (line.find('\0') != std::string_view::npos) {
      error("NUL byte in line");
      continue;
    }
    ConfigLine parsed;
    parsed.file = std::string(file_name);
    parsed.line = number;
    if (line.front() == '-') {
      parsed.ignore_errors = true;
      line.remove_prefix(1);
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      error(StrCat("expected \"key = value\", got \"", line.substr(0, 80), "\""));
      continue;
    }
    std::string_view key = Trim(line.substr(0, eq));
    if (!ValidKey(key)) {
      error(StrCat("invalid key \"", key.substr(0, 80),
                   "\" (dotted name of letters, digits, '_' and '-')"));
      continue;
    }
    parsed.key = std::string(key);
    parsed.value = std::string(Trim(line.substr(eq + 1)));
    lines.push_back(std::move(parsed));
  }
  if (!errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
  return lines;
}

absl::StatusOr<std::vector<ConfigLine>> ReadConfigFile(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return ErrnoStatus(errno, StrCat("cannot read ", file));
  std::ostringstream content;
  content << in.rdbuf();
  std::string text = content.str();
  if (text.size() > kMaxConfigBytes) {
    return absl::InvalidArgumentError(StrCat(file, ": larger than 4 MiB"));
  }
  return ParseConfigText(text, file);
}

absl::StatusOr<std::vector<std::string>> ConfigFileList(const std::string& main_file,
                                                        const std::string& dir,
                                                        bool main_required) {
  std::vector<std::string> files;
  std::error_code ec;
  if (main_required || std::filesystem::exists(main_file, ec)) files.push_back(main_file);
  if (!dir.empty() && std::filesystem::is_directory(dir, ec)) {
    std::vector<std::string> extra;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".conf" && !entry.is_directory())
        extra.push_back(entry.path());
    }
    if (ec) return ErrnoStatus(ec.value(), StrCat("cannot list ", dir));
    std::sort(extra.begin(), extra.end());
    files.insert(files.end(), extra.begin(), extra.end());
  }
  return files;
}

absl::StatusOr<std::vector<ConfigLine>> LoadConfigFiles(const std::string& main_file,
                                                        const std::string& dir,
                                                        bool main_required) {
  ASSIGN_OR_RETURN(std::vector<std::string> files, ConfigFileList(main_file, dir, main_required));
  std::vector<ConfigLine> all;
  std::vector<std::string> errors;
  for (const std::string& file : files) {
    absl::StatusOr<std::vector<ConfigLine>> lines = ReadConfigFile(file);
    if (!lines.ok()) {
      errors.emplace_back(lines.status().message());
      continue;
    }
    all.insert(all.end(), lines->begin(), lines->end());
  }
  if (!errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
  return all;
}

}  // namespace ringcast::core
