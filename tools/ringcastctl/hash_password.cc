#include "tools/ringcastctl/hash_password.h"

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "net/http/stored_password.h"

namespace ringcast::tools {
namespace {

// The realm ringcastd's RTSP server names in its challenges (net/http/auth.h).
constexpr const char* kRealm = "ringcast";

std::optional<std::string> ReadLine(FILE* in) {
  std::string line;
  int c = 0;
  bool any = false;
  while ((c = std::fgetc(in)) != EOF) {
    any = true;
    if (c == '\n') break;
    line.push_back(static_cast<char>(c));
  }
  if (!any) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Asks on the terminal with echo off.
std::optional<std::string> Prompt(const char* question) {
  FILE* tty = std::fopen("/dev/tty", "r+");
  if (tty == nullptr) return std::nullopt;
  std::fputs(question, tty);
  std::fflush(tty);
  termios saved{};
  const bool have_termios = tcgetattr(fileno(tty), &saved) == 0;
  if (have_termios) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
  }
  std::optional<std::string> line = ReadLine(tty);
  if (have_termios) tcsetattr(fileno(tty), TCSAFLUSH, &saved);
  std::fputs("\n", tty);
  std::fclose(tty);
  return line;
}

}  // namespace

int HashPassword(const HashPasswordOptions& options) {
  if (options.user.empty()) {
    std::fprintf(stderr, "ringcastctl: --hash-password needs the path's user name\n");
    return 2;
  }
  const uint32_t iterations =
      options.iterations == 0 ? net::http::kDefaultPbkdf2Iterations : options.iterations;
  if (iterations < net::http::kMinPbkdf2Iterations ||
      iterations > net::http::kMaxPbkdf2Iterations) {
    std::fprintf(stderr, "ringcastctl: --iterations must be %u..%u\n",
                 net::http::kMinPbkdf2Iterations, net::http::kMaxPbkdf2Iterations);
    return 2;
  }
  std::optional<std::string> password;
  if (isatty(STDIN_FILENO)) {
    password = Prompt("Password: ");
    std::optional<std::string> again = password ? Prompt("Again: ") : std::nullopt;
    if (password && again != password) {
      std::fprintf(stderr, "ringcastctl: the passwords differ\n");
      return 1;
    }
  } else {
    password = ReadLine(stdin);
  }
  if (!password || password->empty()) {
    std::fprintf(stderr, "ringcastctl: no password read (give it on stdin, one line)\n");
    return 1;
  }
  const std::string line =
      net::http::HashPasswordLine(options.user, kRealm, *password, options.with_digest, iterations);
  std::fill(password->begin(), password->end(), '\0');
  std::printf("%s\n", line.c_str());
  return 0;
}

}  // namespace ringcast::tools
