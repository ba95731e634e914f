#include "core/ctl_service.h"

#include "core/counters.h"
#include "core/log.h"
#include "core/strings.h"

namespace ringcast::core {
namespace {

constexpr std::string_view kMasked = "********";

void AppendError(CtlError code, std::string_view name, std::string_view message, std::string& out) {
  CtlReply reply;
  reply.kind = CtlReply::Kind::kError;
  reply.error = code;
  reply.name = std::string(name);
  reply.text = std::string(message);
  out += FormatCtlReply(reply);
}

void AppendStatus(const absl::Status& status, std::string_view name, std::string& out) {
  AppendError(CtlErrorFromStatus(status), name, ToStd(status.message()), out);
}

}  // namespace

void CtlService::AppendValue(std::string_view name, std::string& out) {
  absl::StatusOr<std::string> value = registry_.Get(name);
  if (!value.ok()) {
    AppendStatus(value.status(), name, out);
    return;
  }
  const TunableSpec* spec = registry_.Spec(name);
  CtlReply reply;
  reply.name = std::string(name);
  reply.text = spec != nullptr && spec->secret && !value->empty() ? std::string(kMasked) : *value;
  out += FormatCtlReply(reply);
}

void CtlService::HandleLine(std::string_view line, std::string_view peer, std::string& out) {
  std::string error;
  std::optional<CtlRequest> request = ParseCtlRequest(line, &error);
  if (!request) {
    CountDrop(DropReason::kCtlBadRequest);
    LOG_EVERY_SEC(Warn, "ctl: bad request from %s: %s", peer, error);
    AppendError(CtlError::kBadRequest, "-", error, out);
    out += kCtlEnd;
    return;
  }
  switch (request->verb) {
    case CtlRequest::Verb::kGet:
      AppendValue(request->name, out);
      break;
    case CtlRequest::Verb::kList: {
      std::vector<std::string> names = registry_.List(request->name);
      if (names.empty()) {
        AppendError(CtlError::kUnknown, request->name,
                    StrCat("unknown key \"", request->name, "\""), out);
      }
      for (const std::string& name : names) AppendValue(name, out);
      break;
    }
    case CtlRequest::Verb::kSet: {
      absl::StatusOr<std::string> old_value = registry_.Get(request->name);
      absl::StatusOr<std::string> set = registry_.Set(request->name, request->value);
      if (!set.ok()) {
        AppendStatus(set.status(), request->name, out);
        break;
      }
      const TunableSpec* spec = registry_.Spec(request->name);
      bool secret = spec != nullptr && spec->secret;
      if (!old_value.ok() || *old_value != *set) {
        LOG_INFO("ctl: %s = %s (was %s), set by %s", request->name, secret ? kMasked : *set,
                 old_value.ok() ? (secret ? std::string(kMasked) : *old_value) : "unset", peer);
      }
      CtlReply reply;
      reply.name = request->name;
      reply.text = secret ? std::string(kMasked) : *set;
      out += FormatCtlReply(reply);
      break;
    }
    case CtlRequest::Verb::kDesc: {
      std::vector<std::string> names = registry_.List(request->name);
      if (names.empty()) {
        AppendError(CtlError::kUnknown, request->name,
                    StrCat("unknown key \"", request->name, "\""), out);
      }
      for (const std::string& name : names) {
        absl::StatusOr<std::string> text = registry_.Describe(name);
        if (!text.ok()) continue;  // a stat that vanished between List and Describe
        CtlReply reply;
        reply.kind = CtlReply::Kind::kDescription;
        reply.name = name;
        reply.text = *text;
        out += FormatCtlReply(reply);
      }
      break;
    }
    case CtlRequest::Verb::kDelPath: {
      absl::Status removed = registry_.RemovePath(request->name);
      if (!removed.ok()) {
        AppendStatus(removed, StrCat("path.", request->name), out);
        break;
      }
      LOG_INFO("ctl: path %s removed by %s", request->name, peer);
      CtlReply reply;
      reply.name = StrCat("path.", request->name);
      reply.text = "removed";
      out += FormatCtlReply(reply);
      break;
    }
    case CtlRequest::Verb::kReload: {
      absl::Status reloaded = reload_ ? reload_() : absl::UnimplementedError("no config files");
      if (!reloaded.ok()) {
        // The message may span lines (one per bad config line): send each as its own error.
        std::string_view message = ToStd(reloaded.message());
        while (!message.empty()) {
          size_t eol = message.find('\n');
          AppendError(CtlErrorFromStatus(reloaded), "config", message.substr(0, eol), out);
          message = eol == std::string_view::npos ? std::string_view() : message.substr(eol + 1);
        }
        break;
      }
      CtlReply reply;
      reply.name = "config";
      reply.text = "reloaded";
      out += FormatCtlReply(reply);
      break;
    }
  }
  out += kCtlEnd;
}

}  // namespace ringcast::core
