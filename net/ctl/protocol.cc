#include "net/ctl/protocol.h"

#include <array>

#include "core/strings.h"

namespace ringcast::net::ctl {

using core::StrCat;

namespace {

constexpr std::array<std::string_view, 7> kErrorNames = {
    "unknown", "invalid", "readonly", "restart", "denied", "bad_request", "internal"};

bool HasControlChars(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Splits off the first space-separated word of `rest`.
std::string_view NextWord(std::string_view& rest) {
  size_t space = rest.find(' ');
  std::string_view word = rest.substr(0, space);
  rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  return word;
}

}  // namespace

std::string_view ErrorName(Error code) { return kErrorNames[static_cast<size_t>(code)]; }

std::optional<Error> ParseErrorName(std::string_view name) {
  for (size_t i = 0; i < kErrorNames.size(); ++i) {
    if (kErrorNames[i] == name) return static_cast<Error>(i);
  }
  return std::nullopt;
}

Error ErrorFromStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
      return Error::kUnknown;
    case absl::StatusCode::kInvalidArgument:
      return Error::kInvalid;
    case absl::StatusCode::kPermissionDenied:
      return Error::kReadOnly;
    case absl::StatusCode::kFailedPrecondition:
      return Error::kRestart;
    default:
      return Error::kInternal;
  }
}

std::optional<Request> ParseRequest(std::string_view line, std::string* error) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > kMaxLine) {
    *error = "request line too long";
    return std::nullopt;
  }
  if (HasControlChars(line)) {
    *error = "control characters in request";
    return std::nullopt;
  }
  std::string_view rest = line;
  std::string_view verb = NextWord(rest);
  Request request;
  bool needs_name = true;
  if (verb == "GET") {
    request.verb = Request::Verb::kGet;
  } else if (verb == "LIST") {
    request.verb = Request::Verb::kList;
    needs_name = false;
  } else if (verb == "SET") {
    request.verb = Request::Verb::kSet;
  } else if (verb == "DESC") {
    request.verb = Request::Verb::kDesc;
    needs_name = false;
  } else if (verb == "DELPATH") {
    request.verb = Request::Verb::kDelPath;
  } else if (verb == "RELOAD") {
    request.verb = Request::Verb::kReload;
    needs_name = false;
  } else {
    *error = StrCat("unknown verb \"", verb.substr(0, 32), "\"");
    return std::nullopt;
  }
  if (request.verb == Request::Verb::kSet) {
    request.name = std::string(NextWord(rest));
    request.value = std::string(rest);  // may contain spaces, may be empty
  } else {
    request.name = std::string(rest);
    if (request.name.find(' ') != std::string::npos) {
      *error = "unexpected space in name";
      return std::nullopt;
    }
  }
  if (needs_name && request.name.empty()) {
    *error = StrCat(verb, " needs a name");
    return std::nullopt;
  }
  if (request.verb == Request::Verb::kReload && !request.name.empty()) {
    *error = "RELOAD takes no argument";
    return std::nullopt;
  }
  return request;
}

std::string FormatRequest(const Request& request) {
  switch (request.verb) {
    case Request::Verb::kGet:
      return StrCat("GET ", request.name, "\n");
    case Request::Verb::kList:
      return request.name.empty() ? std::string("LIST\n") : StrCat("LIST ", request.name, "\n");
    case Request::Verb::kSet:
      return StrCat("SET ", request.name, " ", request.value, "\n");
    case Request::Verb::kDesc:
      return request.name.empty() ? std::string("DESC\n") : StrCat("DESC ", request.name, "\n");
    case Request::Verb::kDelPath:
      return StrCat("DELPATH ", request.name, "\n");
    case Request::Verb::kReload:
      return "RELOAD\n";
  }
  return "\n";
}

std::optional<Reply> ParseReply(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (HasControlChars(line)) return std::nullopt;
  if (line.size() < 2 || line[1] != ' ') return std::nullopt;
  std::string_view rest = line.substr(2);
  Reply reply;
  switch (line[0]) {
    case 'V':
      reply.kind = Reply::Kind::kValue;
      break;
    case 'D':
      reply.kind = Reply::Kind::kDescription;
      break;
    case 'E': {
      reply.kind = Reply::Kind::kError;
      std::optional<Error> code = ParseErrorName(NextWord(rest));
      if (!code) return std::nullopt;
      reply.error = *code;
      break;
    }
    default:
      return std::nullopt;
  }
  reply.name = std::string(NextWord(rest));
  reply.text = std::string(rest);
  if (reply.name.empty()) return std::nullopt;
  return reply;
}

std::string FormatReply(const Reply& reply) {
  switch (reply.kind) {
    case Reply::Kind::kValue:
      return StrCat("V ", reply.name, " ", reply.text, "\n");
    case Reply::Kind::kDescription:
      return StrCat("D ", reply.name, " ", reply.text, "\n");
    case Reply::Kind::kError:
      return StrCat("E ", ErrorName(reply.error), " ", reply.name.empty() ? "-" : reply.name, " ",
                    reply.text, "\n");
  }
  return "\n";
}

}  // namespace ringcast::net::ctl
