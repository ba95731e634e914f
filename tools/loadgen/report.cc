#include "tools/loadgen/report.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>

#include "core/strings.h"

namespace ringcast::loadgen {
namespace {

using core::StrAppend;
using core::StrCat;

// Every counter of ViewerCounts with its JSON name, in output order.
// One counter per line; clang-format 14 re-flows this list differently on every pass.
// clang-format off
#define LOADGEN_VIEWER_COUNTERS(X)            \
  X(packets, seq.packets)                     \
  X(bytes, bytes)                             \
  X(gaps, seq.gaps)                           \
  X(recovered, seq.recovered)                 \
  X(late, seq.late)                           \
  X(lost, seq.lost)                           \
  X(duplicates, seq.duplicates)               \
  X(too_old, seq.too_old)                     \
  X(nacks_sent, seq.nacks_sent)               \
  X(nack_seqs, seq.nack_seqs)                 \
  X(verified, verified)                       \
  X(verify_failed, verify_failed)             \
  X(srs, srs)                                 \
  X(rrs_sent, rrs_sent)                       \
  X(rtcp_failed, rtcp_failed)                 \
  X(foreign, foreign)                         \
  X(consent_sent, consent_sent)               \
  X(consent_answered, consent_answered)       \
  X(dropped_on_purpose, dropped_on_purpose)   \
  X(migrations, migrations)                   \
  X(packets_after_migration, packets_after_migration) \
  X(attack_nacks, attack_nacks)               \
  X(attack_seqs, attack_seqs)
// clang-format on

std::string Num(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.3f", v);
  return buffer;
}

std::string CountsJson(const ViewerCounts& c) {
  std::string out = "{";
  bool first = true;
#define X(name, field)                                         \
  StrAppend(out, first ? "" : ",", "\"" #name "\":", c.field); \
  first = false;
  LOADGEN_VIEWER_COUNTERS(X)
#undef X
  out += "}";
  return out;
}

struct Distribution {
  double min = 0, median = 0, max = 0;
  size_t count = 0;
};
Distribution Describe(std::vector<double> values) {
  Distribution d;
  d.count = values.size();
  if (values.empty()) return d;
  std::sort(values.begin(), values.end());
  d.min = values.front();
  d.max = values.back();
  d.median = values[values.size() / 2];
  return d;
}
std::string DistributionJson(const Distribution& d) {
  return StrCat("{\"count\":", d.count, ",\"min\":", Num(d.min), ",\"median\":", Num(d.median),
                ",\"max\":", Num(d.max), "}");
}

struct Totals {
  ViewerCounts sum;
  int media = 0;
  int failed = 0;
  std::map<std::string, int> errors;  // reason → viewers
  Distribution keyframe_ms, packets, bytes;
};
Totals Total(const RunResult& run) {
  Totals t;
  std::vector<double> keyframe, packets, bytes;
  for (const ViewerResult& v : run.viewers) {
    Accumulate(t.sum, v.counts);
    if (v.state == "media") ++t.media;
    if (!v.error.empty()) {
      ++t.failed;
      ++t.errors[v.error];
    }
    if (v.first_keyframe_ms >= 0) keyframe.push_back(v.first_keyframe_ms);
    packets.push_back(static_cast<double>(v.counts.seq.packets));
    bytes.push_back(static_cast<double>(v.counts.bytes));
  }
  t.keyframe_ms = Describe(keyframe);
  t.packets = Describe(packets);
  t.bytes = Describe(bytes);
  return t;
}

std::string VerifyMode(const Options& o) {
  return o.verify_one_in == 1 ? "all" : StrCat("1/", o.verify_one_in);
}

}  // namespace

ViewerCounts Subtract(const ViewerCounts& a, const ViewerCounts& b) {
  ViewerCounts out;
#define X(name, field) out.field = a.field - b.field;
  LOADGEN_VIEWER_COUNTERS(X)
#undef X
  return out;
}

void Accumulate(ViewerCounts& sum, const ViewerCounts& add) {
#define X(name, field) sum.field += add.field;
  LOADGEN_VIEWER_COUNTERS(X)
#undef X
}

std::string FormatJson(const RunResult& run) {
  const Options& o = run.options;
  const Totals t = Total(run);
  uint64_t pub_packets = 0, pub_bytes = 0;
  int pub_streaming = 0, pub_failed = 0;
  std::map<std::string, int> pub_errors;
  for (const PublisherResult& p : run.publishers) {
    pub_packets += p.packets;
    pub_bytes += p.bytes;
    if (p.state == "streaming") ++pub_streaming;
    if (!p.error.empty()) {
      ++pub_failed;
      ++pub_errors[p.error];
    }
  }
  auto errors_json = [](const std::map<std::string, int>& errors) {
    std::string out = "{";
    for (const auto& [reason, n] : errors) {
      StrAppend(out, out.size() > 1 ? "," : "", core::JsonQuoted(reason), ":", n);
    }
    return out + "}";
  };
  const double cpu = run.cpu_user_s + run.cpu_system_s;
  const double measured = run.measured_s > 0 ? run.measured_s : 1;

  std::string j = "{\n";
  StrAppend(j, "\"schema\":\"ringcast-loadgen/1\",\n\"started_utc\":",
            core::JsonQuoted(run.started_utc), ",\n\"wall_s\":", Num(run.wall_s),
            ",\n\"measured_s\":", Num(run.measured_s), ",\n\"warmup_s\":", Num(o.warmup_s),
            ",\n\"interrupted\":", run.interrupted ? "true" : "false", ",\n");
  StrAppend(
      j, "\"config\":{\"publish\":", o.publish, ",\"rtp_streams\":", o.rtp_streams,
      ",\"transport\":", core::JsonQuoted(o.transport == PublishTransport::kTcp ? "tcp" : "udp"),
      ",\"rtsp_url\":", core::JsonQuoted(o.rtsp_url),
      ",\"rtp_publish\":", core::JsonQuoted(o.rtp_publish), ",\"stagger_ms\":", o.stagger_ms,
      ",\"view\":", o.view, ",\"whep_url\":", core::JsonQuoted(o.whep_url), ",\"paths\":", o.paths,
      ",\"verify_one_in\":", o.verify_one_in, ",\"ramp_per_s\":", o.ramp_per_s,
      ",\"max_pending\":", o.max_pending, ",\"nack\":", o.nack ? "true" : "false",
      ",\"rr_interval_ms\":", o.rr_interval_ms,
      ",\"simulate_loss_one_in\":", o.simulate_loss_one_in, ",\"nack_attack\":",
      core::JsonQuoted(o.nack_attack == NackAttack::kAll      ? "all"
                       : o.nack_attack == NackAttack::kRepeat ? "repeat"
                                                              : "none"),
      ",\"nack_attackers\":", o.nack_attackers, ",\"migrate_after_s\":", Num(o.migrate_after_s),
      ",\"fps\":", o.fps, "},\n");
  StrAppend(j, "\"verify\":{\"mode\":", core::JsonQuoted(VerifyMode(o)),
            ",\"one_in\":", o.verify_one_in, "},\n");
  StrAppend(j, "\"loadgen_cpu\":{\"user_s\":", Num(run.cpu_user_s),
            ",\"system_s\":", Num(run.cpu_system_s),
            ",\"percent_of_one_core\":", Num(100 * cpu / measured),
            ",\"max_rss_kb\":", run.max_rss_kb, "},\n");
  StrAppend(j, "\"publishers\":{\"count\":", run.publishers.size(),
            ",\"streaming\":", pub_streaming, ",\"failed\":", pub_failed,
            ",\"packets\":", pub_packets, ",\"bytes\":", pub_bytes,
            ",\"packets_per_s\":", Num(static_cast<double>(pub_packets) / measured),
            ",\"errors\":", errors_json(pub_errors), ",\"list\":[");
  for (size_t i = 0; i < run.publishers.size(); ++i) {
    const PublisherResult& p = run.publishers[i];
    StrAppend(j, i ? "," : "", "\n {\"index\":", p.index,
              ",\"target\":", core::JsonQuoted(p.target), ",\"state\":", core::JsonQuoted(p.state),
              ",\"error\":", core::JsonQuoted(p.error), ",\"packets\":", p.packets,
              ",\"bytes\":", p.bytes, ",\"send_errors\":", p.send_errors, "}");
  }
  j += "]},\n";
  StrAppend(j, "\"viewers\":{\"count\":", run.viewers.size(), ",\"media\":", t.media,
            ",\"failed\":", t.failed, ",\"errors\":", errors_json(t.errors),
            ",\n \"totals\":", CountsJson(t.sum),
            ",\n \"packets_per_s\":", Num(static_cast<double>(t.sum.seq.packets) / measured),
            ",\"bits_per_s\":", Num(8.0 * static_cast<double>(t.sum.bytes) / measured),
            ",\n \"first_keyframe_ms\":", DistributionJson(t.keyframe_ms),
            ",\n \"per_viewer_packets\":", DistributionJson(t.packets),
            ",\n \"per_viewer_bytes\":", DistributionJson(t.bytes), ",\n \"list\":[");
  for (size_t i = 0; i < run.viewers.size(); ++i) {
    const ViewerResult& v = run.viewers[i];
    StrAppend(j, i ? "," : "", "\n  {\"index\":", v.index, ",\"path\":", core::JsonQuoted(v.path),
              ",\"state\":", core::JsonQuoted(v.state), ",\"error\":", core::JsonQuoted(v.error),
              ",\"first_keyframe_ms\":", Num(v.first_keyframe_ms),
              ",\"counts\":", CountsJson(v.counts), "}");
  }
  j += "]},\n\"per_second\":[";
  for (size_t i = 0; i < run.seconds.size(); ++i) {
    const SecondSample& s = run.seconds[i];
    StrAppend(j, i ? "," : "", "\n {\"t_s\":", Num(s.t_s),
              ",\"measured\":", s.measured ? "true" : "false",
              ",\"viewers_media\":", s.viewers_media,
              ",\"publisher_packets\":", s.publisher_packets,
              ",\"cpu_percent\":", Num(s.cpu_percent), ",\"viewers\":", CountsJson(s.viewers), "}");
  }
  j += "]\n}\n";
  return j;
}

std::string FormatSummary(const RunResult& run) {
  const Options& o = run.options;
  const Totals t = Total(run);
  const double measured = run.measured_s > 0 ? run.measured_s : 1;
  const double cpu = run.cpu_user_s + run.cpu_system_s;
  uint64_t pub_packets = 0;
  int pub_streaming = 0;
  for (const PublisherResult& p : run.publishers) {
    pub_packets += p.packets;
    if (p.state == "streaming") ++pub_streaming;
  }
  std::string s =
      StrCat("ringcast-loadgen: ", Num(run.measured_s), " s measured (", Num(o.warmup_s),
             " s warm-up)", run.interrupted ? ", interrupted" : "", "\n");
  StrAppend(s, "  publishers: ", pub_streaming, "/", run.publishers.size(), " streaming, ",
            pub_packets, " packets (", Num(static_cast<double>(pub_packets) / measured), "/s)\n");
  for (const PublisherResult& p : run.publishers) {
    if (!p.error.empty()) StrAppend(s, "    publisher ", p.index, ": ", p.error, "\n");
  }
  StrAppend(s, "  viewers: ", t.media, "/", run.viewers.size(), " receiving media, ", t.failed,
            " failed; verify mode: ", VerifyMode(o),
            o.verify_one_in == 1 ? " (every packet decrypted)"
                                 : " (decrypted 1 in K; the rest counted by sequence number)",
            "\n");
  for (const auto& [reason, n] : t.errors) StrAppend(s, "    ", n, " × ", reason, "\n");
  const ViewerCounts& c = t.sum;
  StrAppend(s, "  delivered: ", c.seq.packets, " packets (",
            Num(static_cast<double>(c.seq.packets) / measured), "/s), ",
            Num(8e-6 * static_cast<double>(c.bytes) / measured), " Mbit/s\n");
  StrAppend(s, "  gaps ", c.seq.gaps, ", recovered ", c.seq.recovered, ", late ", c.seq.late,
            ", lost ", c.seq.lost, ", duplicates ", c.seq.duplicates, ", NACKs ", c.seq.nacks_sent,
            " (", c.seq.nack_seqs, " seqs), SRs ", c.srs, ", RRs ", c.rrs_sent, "\n");
  StrAppend(s, "  verified ", c.verified, ", verify failures ", c.verify_failed,
            ", SRTCP failures ", c.rtcp_failed, "\n");
  StrAppend(s, "  per viewer packets min/median/max ", Num(t.packets.min), "/",
            Num(t.packets.median), "/", Num(t.packets.max), "; first keyframe ms min/median/max ",
            Num(t.keyframe_ms.min), "/", Num(t.keyframe_ms.median), "/", Num(t.keyframe_ms.max),
            " (", t.keyframe_ms.count, " viewers)\n");
  StrAppend(s, "  loadgen CPU: ", Num(run.cpu_user_s), " s user + ", Num(run.cpu_system_s),
            " s system = ", Num(100 * cpu / measured), "% of one core; max RSS ",
            run.max_rss_kb / 1024, " MB\n");
  return s;
}

}  // namespace ringcast::loadgen
