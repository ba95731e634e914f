#include "core/ctl_protocol.h"

#include <array>

#include "core/strings.h"

namespace ringcast::core {
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

std::string_view CtlErrorName(CtlError code) { return kErrorNames[static_cast<size_t>(code)]; }

std::optional<CtlError> ParseCtlErrorName(std::string_view name) {
  for (size_t i = 0; i < kErrorNames.size(); ++i) {
    if (kErrorNames[i] == name) return static_cast<CtlError>(i);
  }
  return std::nullopt;
}

CtlError CtlErrorFromStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
      return CtlError::kUnknown;
    case absl::StatusCode::kInvalidArgument:
      return CtlError::kInvalid;
    case absl::StatusCode::kPermissionDenied:
      return CtlError::kReadOnly;
    case absl::StatusCode::kFailedPrecondition:
      return CtlError::kRestart;
    default:
      return CtlError::kInternal;
  }
}

std::optional<CtlRequest> ParseCtlRequest(std::string_view line, std::string* error) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > kCtlMaxLine) {
    *error = "request line too long";
    return std::nullopt;
  }
  if (HasControlChars(line)) {
    *error = "control characters in request";
    return std::nullopt;
  }
  std::string_view rest = line;
  std::string_view verb = NextWord(rest);
  CtlRequest request;
  bool needs_name = true;
  if (verb == "GET") {
    request.verb = CtlRequest::Verb::kGet;
  } else if (verb == "LIST") {
    request.verb = CtlRequest::Verb::kList;
    needs_name = false;
  } else if (verb == "SET") {
    request.verb = CtlRequest::Verb::kSet;
  } else if (verb == "DESC") {
    request.verb = CtlRequest::Verb::kDesc;
    needs_name = false;
  } else if (verb == "DELPATH") {
    request.verb = CtlRequest::Verb::kDelPath;
  } else if (verb == "RELOAD") {
    request.verb = CtlRequest::Verb::kReload;
    needs_name = false;
  } else {
    *error = StrCat("unknown verb \"", verb.substr(0, 32), "\"");
    return std::nullopt;
  }
  if (request.verb == CtlRequest::Verb::kSet) {
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
  if (request.verb == CtlRequest::Verb::kReload && !request.name.empty()) {
    *error = "RELOAD takes no argument";
    return std::nullopt;
  }
  return request;
}

std::string FormatCtlRequest(const CtlRequest& request) {
  switch (request.verb) {
    case CtlRequest::Verb::kGet:
      return StrCat("GET ", request.name, "\n");
    case CtlRequest::Verb::kList:
      return request.name.empty() ? std::string("LIST\n") : StrCat("LIST ", request.name, "\n");
    case CtlRequest::Verb::kSet:
      return StrCat("SET ", request.name, " ", request.value, "\n");
    case CtlRequest::Verb::kDesc:
      return request.name.empty() ? std::string("DESC\n") : StrCat("DESC ", request.name, "\n");
    case CtlRequest::Verb::kDelPath:
      return StrCat("DELPATH ", request.name, "\n");
    case CtlRequest::Verb::kReload:
      return "RELOAD\n";
  }
  return "\n";
}

std::optional<CtlReply> ParseCtlReply(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (HasControlChars(line)) return std::nullopt;
  if (line.size() < 2 || line[1] != ' ') return std::nullopt;
  std::string_view rest = line.substr(2);
  CtlReply reply;
  switch (line[0]) {
    case 'V':
      reply.kind = CtlReply::Kind::kValue;
      break;
    case 'D':
      reply.kind = CtlReply::Kind::kDescription;
      break;
    case 'E': {
      reply.kind = CtlReply::Kind::kError;
      std::optional<CtlError> code = ParseCtlErrorName(NextWord(rest));
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

std::string FormatCtlReply(const CtlReply& reply) {
  switch (reply.kind) {
    case CtlReply::Kind::kValue:
      return StrCat("V ", reply.name, " ", reply.text, "\n");
    case CtlReply::Kind::kDescription:
      return StrCat("D ", reply.name, " ", reply.text, "\n");
    case CtlReply::Kind::kError:
      return StrCat("E ", CtlErrorName(reply.error), " ", reply.name.empty() ? "-" : reply.name,
                    " ", reply.text, "\n");
  }
  return "\n";
}

}  // namespace ringcast::core
