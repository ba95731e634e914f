#include "tools/ringcastd/ctl_service.h"

#include "core/log.h"
#include "core/strings.h"

namespace ringcast::daemon {

using core::StrCat;
using core::ToStd;

namespace {

void AppendError(net::ctl::Error code, std::string_view name, std::string_view message,
                 std::string& out) {
  net::ctl::Reply reply;
  reply.kind = net::ctl::Reply::Kind::kError;
  reply.error = code;
  reply.name = std::string(name);
  reply.text = std::string(message);
  out += net::ctl::FormatReply(reply);
}

void AppendStatus(const absl::Status& status, std::string_view name, std::string& out) {
  AppendError(net::ctl::ErrorFromStatus(status), name, ToStd(status.message()), out);
}

}  // namespace

void CtlService::AppendValue(std::string_view name, std::string& out,
                             const core::StatTable* stats) {
  absl::StatusOr<std::string> value = registry_.Get(name, stats);
  if (!value.ok()) {
    AppendStatus(value.status(), name, out);
    return;
  }
  net::ctl::Reply reply;
  reply.name = std::string(name);
  reply.text = core::ShownValue(registry_.Spec(name), *value);
  out += net::ctl::FormatReply(reply);
}

core::StatTable CtlService::StatsFor(std::string_view prefix) const {
  if (!core::Registry::PrefixMayHoldStats(prefix)) return core::StatTable();
  return core::StatTable(registry_.CollectStats());
}

void CtlService::HandleLine(std::string_view line, std::string_view peer, std::string& out) {
  std::string error;
  std::optional<net::ctl::Request> request = net::ctl::ParseRequest(line, &error);
  if (!request) {
    net::ctl::kBadRequestDrops.Count();
    LOG_EVERY_SEC(Warn, "ctl: bad request from %s: %s", peer, error);
    AppendError(net::ctl::Error::kBadRequest, "-", error, out);
    out += net::ctl::kEnd;
    return;
  }
  switch (request->verb) {
    case net::ctl::Request::Verb::kGet:
      AppendValue(request->name, out);
      break;
    case net::ctl::Request::Verb::kList: {
      // One collection of the stats for the whole list: each one asks every worker.
      const core::StatTable stats = StatsFor(request->name);
      std::vector<std::string> names = registry_.List(request->name, true, &stats);
      if (names.empty()) {
        AppendError(net::ctl::Error::kUnknown, request->name,
                    StrCat("unknown key \"", request->name, "\""), out);
      }
      for (const std::string& name : names) AppendValue(name, out, &stats);
      break;
    }
    case net::ctl::Request::Verb::kSet: {
      absl::StatusOr<std::string> old_value = registry_.Get(request->name);
      absl::StatusOr<std::string> set = registry_.Set(request->name, request->value);
      if (!set.ok()) {
        AppendStatus(set.status(), request->name, out);
        break;
      }
      const core::TunableSpec* spec = registry_.Spec(request->name);
      if (!old_value.ok() || *old_value != *set) {
        LOG_INFO("ctl: %s = %s (was %s), set by %s", request->name, core::ShownValue(spec, *set),
                 old_value.ok() ? core::ShownValue(spec, *old_value) : "unset", peer);
      }
      net::ctl::Reply reply;
      reply.name = request->name;
      reply.text = spec != nullptr && spec->secret ? "********" : core::ShownValue(spec, *set);
      out += net::ctl::FormatReply(reply);
      break;
    }
    case net::ctl::Request::Verb::kDesc: {
      const core::StatTable stats = StatsFor(request->name);
      std::vector<std::string> names = registry_.List(request->name, true, &stats);
      if (names.empty()) {
        AppendError(net::ctl::Error::kUnknown, request->name,
                    StrCat("unknown key \"", request->name, "\""), out);
      }
      for (const std::string& name : names) {
        absl::StatusOr<std::string> text = registry_.Describe(name, &stats);
        if (!text.ok()) continue;  // a stat that vanished between List and Describe
        net::ctl::Reply reply;
        reply.kind = net::ctl::Reply::Kind::kDescription;
        reply.name = name;
        reply.text = *text;
        out += net::ctl::FormatReply(reply);
      }
      break;
    }
    case net::ctl::Request::Verb::kDelPath: {
      absl::Status removed = registry_.RemovePath(request->name);
      if (!removed.ok()) {
        AppendStatus(removed, StrCat("path.", request->name), out);
        break;
      }
      LOG_INFO("ctl: path %s removed by %s", request->name, peer);
      net::ctl::Reply reply;
      reply.name = StrCat("path.", request->name);
      reply.text = "removed";
      out += net::ctl::FormatReply(reply);
      break;
    }
    case net::ctl::Request::Verb::kReload: {
      absl::Status reloaded = reload_ ? reload_() : absl::UnimplementedError("no config files");
      if (!reloaded.ok()) {
        // The message may span lines (one per bad config line): send each as its own error.
        std::string_view message = ToStd(reloaded.message());
        while (!message.empty()) {
          size_t eol = message.find('\n');
          AppendError(net::ctl::ErrorFromStatus(reloaded), "config", message.substr(0, eol), out);
          message = eol == std::string_view::npos ? std::string_view() : message.substr(eol + 1);
        }
        break;
      }
      net::ctl::Reply reply;
      reply.name = "config";
      reply.text = "reloaded";
      out += net::ctl::FormatReply(reply);
      break;
    }
  }
  out += net::ctl::kEnd;
}

}  // namespace ringcast::daemon
