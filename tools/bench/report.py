"""bench/REPORT.md, its charts and summary.csv, from bench.py's results (plain dicts).

Every figure comes from a measurement of this run (or of an earlier run of the same scenario,
merged by name, whose date is in its row); nothing is estimated. Where a scenario did not run,
the report says why instead of showing a number. Charts need python3-matplotlib; without it the
report says so and keeps its tables.
"""

import csv
import json
import os

TARGET_CPU_PERCENT = 3.0
TARGET_RSS_MB = 20.0
TARGET_FLOOR_RATIO = 1.5
TARGET_JANUS_RATIO = 10.0
W64_ROWS = ["W64", "W64-batch250", "W64-batch1000", "W64-nack0", "W64-sr3", "W64-nack0-sr3",
            "W64-libsrtp", "W64-pion",
            "W64-pion-mdns", "W64-pion-opt", "W64-pion-shared", "W64-janus"]
TARGET_PION_CPU_RATIO = 10.0   # W64: ringcastd's CPU ≤ 1/10 of MediaMTX's engine's
TARGET_PION_RSS_RATIO = 10.0   # and its RSS ≤ 1/10
TARGET_JANUS_W64_RATIO = 8.0   # and its CPU ≤ 1/8 of Janus's


def fmt(value, digits=1, unit=""):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}{unit}"
    return f"{value:,}{unit}"


def mb(kb):
    return None if kb is None else kb / 1024.0


def ok(result):
    return result is not None and not result.get("error") and result.get("cpu_percent") is not None


def one_line(r):
    """The one-line summary bench.py prints after a scenario."""
    return (f"{r['name']}: CPU {fmt(r.get('cpu_percent'), 2)}% of one core, RSS "
            f"{fmt(mb(r.get('rss_kb_mean')))} MB, threads {r.get('threads_max')}, delivered "
            f"{fmt(r.get('delivered_pps'), 0)} pkt/s ({fmt(100 * r.get('delivery_ratio', 0), 1)}%"
            f" of expected), {fmt(r.get('ns_per_packet'), 0)} ns/packet, lost {r.get('lost')}"
            + ("" if r.get("sustained") else " — NOT sustained: " + "; ".join(r["problems"])))


def within_noise(a, b):
    """Whether two runs' CPU % differ by less than twice their combined standard error."""
    se = (a.get("cpu_percent_se", 0) ** 2 + b.get("cpu_percent_se", 0) ** 2) ** 0.5
    diff = abs(a["cpu_percent"] - b["cpu_percent"])
    return diff <= 2 * se, diff, 2 * se


def machine_line(machine):
    return (f"{machine['nproc']} × {machine['cpu_model']}, Linux {machine['kernel']}, "
            f"{machine['date']}")


def largest_sustained(results, group, min_viewers=0):
    best = None
    for r in results:
        if r.get("group") == group and ok(r) and r.get("sustained") and r["viewers"] >= min_viewers:
            if best is None or r["viewers"] > best["viewers"]:
                best = r
    return best


def floor_ns(r, key="floor"):
    floor = r.get(key) or {}
    return floor.get("cpu_ns_per_packet")


# --- charts --------------------------------------------------------------------------------

def charts(out, machine, results):
    """Writes the PNG charts; returns their file names, or a reason they are missing."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return [], "python3-matplotlib is not installed (tools/setup-deps.sh bench): no charts"
    sweep = sorted((r for r in results if r.get("group") == "sweep" and ok(r)),
                   key=lambda r: r["viewers"])
    if not sweep:
        return [], "no sweep point ran: no charts"
    footer = machine_line(machine)
    names = []
    viewers = [r["viewers"] for r in sweep]

    fig, ax = plt.subplots(figsize=(8, 4.8))
    ax.plot(viewers, [r["cpu_percent"] for r in sweep], "o-", color="tab:blue", label="CPU")
    ax.set_xscale("log")
    ax.set_xlabel("viewers (WebRTC sessions)")
    ax.set_ylabel("ringcastd CPU, % of one core", color="tab:blue")
    ax2 = ax.twinx()
    ax2.plot(viewers, [mb(r["rss_kb_mean"]) for r in sweep], "s--", color="tab:red", label="RSS")
    ax2.set_ylabel("ringcastd RSS, MB", color="tab:red")
    ax2.set_ylim(bottom=0)
    ax.set_ylim(bottom=0)
    for r in sweep:
        if not r.get("sustained"):
            ax.annotate("not sustained", (r["viewers"], r["cpu_percent"]), fontsize=7)
    ax.set_title("ringcastd CPU and RSS vs viewers (fan-out sweep)")
    fig.text(0.01, 0.01, footer, fontsize=7)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    names.append("sweep_cpu_rss.png")
    fig.savefig(os.path.join(out, names[-1]), dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 4.8))
    points = [r for r in sweep if r.get("ns_per_packet")]
    ax.plot([r["viewers"] for r in points], [r["ns_per_packet"] for r in points], "o-",
            label="ringcastd: CPU ns per delivered packet")
    floored = [r for r in points if floor_ns(r)]
    if floored:
        ax.plot([r["viewers"] for r in floored], [floor_ns(r) for r in floored], "k-",
                label="floor: bare GSO sender + AES-GCM, same packet rate")
        ax.plot([r["viewers"] for r in floored],
                [TARGET_FLOOR_RATIO * floor_ns(r) for r in floored],
                "k:", label=f"target: {TARGET_FLOOR_RATIO}× the floor")
    unpaced = [r for r in points if floor_ns(r, "floor_unpaced")]
    if unpaced:
        ax.plot([r["viewers"] for r in unpaced], [floor_ns(r, "floor_unpaced") for r in unpaced],
                "k--", alpha=0.5, label="floor sent flat out (no wake-ups between batches)")
    janus_points = [r for r in results if r.get("group") == "janus" and ok(r)
                    and r.get("ns_per_packet")]
    for server, marker, fed in (("ringcast", "^", "RTSP/UDP"), ("janus", "x", "plain RTP/UDP")):
        pts = sorted((r for r in janus_points if r["server"] == server), key=lambda r: r["viewers"])
        if pts:
            ax.plot([r["viewers"] for r in pts], [r["ns_per_packet"] for r in pts], marker + "--",
                    label=f"{server} in the network namespace, {fed}-fed")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("viewers (WebRTC sessions)")
    ax.set_ylabel("server CPU ns per delivered packet")
    ax.set_title("CPU per delivered packet vs viewers")
    ax.legend(fontsize=7, loc="best", framealpha=0.8)
    fig.text(0.01, 0.01, footer, fontsize=7)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    names.append("sweep_ns_per_packet.png")
    fig.savefig(os.path.join(out, names[-1]), dpi=110)
    plt.close(fig)
    scaling = scaling_chart(out, plt, results)
    if scaling:
        names.append(scaling)
    return names, None


def every_run(r):
    """The ns per delivered packet of each run of a repeated scenario, in run order."""
    return " · ".join(fmt(x.get("ns_per_packet"), 0) for x in r.get("runs", [r]))


def scaling_chart(out, plt, results):
    """Per-thread CPU of each scaling scenario, stacked: scaling.png, or None."""
    runs = [r for r in results if r.get("group") == "scaling" and ok(r)
            and r.get("thread_cpu_percent")]
    if not runs:
        return None
    names = sorted({n for r in runs for n in r["thread_cpu_percent"]})
    fig, ax = plt.subplots(figsize=(8, 4.5))
    bottoms = [0.0] * len(runs)
    labels = [r["name"] for r in runs]
    for name in names:
        values = [r["thread_cpu_percent"].get(name, 0.0) for r in runs]
        if max(values) < 0.05:
            continue
        ax.bar(labels, values, bottom=bottoms, label=name)
        bottoms = [b + v for b, v in zip(bottoms, values)]
    ax.set_ylabel("CPU % of one core, by thread")
    ax.set_title("ringcastd on 1 and 2 workers, same load")
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "scaling.png"), dpi=110)
    plt.close(fig)
    return "scaling.png"


# --- REPORT.md -----------------------------------------------------------------------------

SCALING_SHARE_TOLERANCE = 0.10  # each of 2 workers carries 50% ± 10% of the work
SCALING_COST_TOLERANCE = 0.10   # ns per delivered packet within 10% of the 1-worker figure


def scaling_pairs(results):
    """(1-worker, 2-worker) results of each scaling load, both measured, by name prefix."""
    by = {}
    for r in results:
        if r.get("group") == "scaling" and ok(r) and r.get("ns_per_packet"):
            by.setdefault(r["name"].rsplit("-w", 1)[0], {})[r["workers"]] = r
    return [(k, v[1], v[2]) for k, v in sorted(by.items()) if 1 in v and 2 in v]


def scaling_rows(results):
    rows = []
    for load, one, two in scaling_pairs(results):
        shares = sorted((two.get("worker_share") or {}).items())
        balanced = (len(shares) == 2 and all(abs(v - 0.5) <= SCALING_SHARE_TOLERANCE
                                             for _, v in shares))
        rows.append((f"{load}: 2 workers each carry 50% ± {SCALING_SHARE_TOLERANCE * 100:.0f}%",
                     " / ".join(f"{n} {100 * v:.1f}%" for n, v in shares) or "–", balanced))
        ratio = two["ns_per_packet"] / one["ns_per_packet"]
        caveat = ("" if one.get("sustained") else
                  "; the 1-worker run did not sustain the load, which inflates its figure")
        rows.append((f"{load}: ns per delivered packet on 2 workers at most "
                     f"{SCALING_COST_TOLERANCE * 100:.0f}% above 1 worker's",
                     f"{two['ns_per_packet']:.0f} vs {one['ns_per_packet']:.0f} ns "
                     f"({ratio:.2f}×{caveat})", ratio <= 1 + SCALING_COST_TOLERANCE))
    return rows


def scaling_table(results):
    lines = ["| scenario | workers | CPU % (all threads) | per thread CPU % | worker shares | "
             "sessions per worker | ns per delivered packet | every run: ns per packet (worker "
             "shares) | delivered pkt/s | forwarded datagrams/s | loadgen CPU % | sustained |",
             "|---|---:|---:|---|---|---|---:|---|---:|---:|---:|---|"]
    for r in results:
        if r.get("group") != "scaling":
            continue
        if not ok(r):
            lines.append(f"| {r['name']} | {r.get('workers')} | "
                         f"{r.get('error', '').splitlines()[0]} |||||||||| |")
            continue
        every = "; ".join(
            f"{fmt(x.get('ns_per_packet'), 0)}"
            + (" (" + "/".join(f"{100 * v:.0f}%" for _, v in sorted(x["worker_share"].items()))
               + ")" if x.get("worker_share") and len(x["worker_share"]) > 1 else "")
            + ("" if x.get("sustained") else " not sustained")
            for x in r.get("runs", [r]))
        switches = r.get("thread_switches_per_s", {})
        threads = ", ".join(
            f"{n} {v:.1f}" + (f" ({switches[n][0]:,.0f}/{switches[n][1]:,.0f})"
                              if n.startswith("ringcast-w") and n in switches else "")
            for n, v in sorted(r["thread_cpu_percent"].items()) if v >= 0.05)
        shares = ", ".join(f"{100 * v:.1f}%" for _, v in sorted(r.get("worker_share", {}).items()))
        stats = r.get("worker_stats", {})
        sessions = " / ".join(f"{stats[k]:.0f}" for k in sorted(stats) if k.endswith(".sessions"))
        lines.append(
            f"| {r['name']} | {r['workers']} | {r['cpu_percent']:.1f} ± {r['cpu_percent_se']:.1f} "
            f"| {threads} | {shares or '–'} | {sessions or '–'} | "
            f"{fmt(r['ns_per_packet'], 0)} | {every} | {r['delivered_pps']:,.0f} | "
            f"{fmt(r.get('forwarded_pps'), 0)} | {fmt(r.get('loadgen_cpu_percent'), 0)} | "
            f"{'yes' if r.get('sustained') else 'NO: ' + '; '.join(r['problems'])} |")
    return lines


def viewers_per_core(r):
    """Viewers of a 2 Mbit/s stream one core carries at `r`'s cost per delivered packet."""
    per_viewer_pps = r["delivered_pps"] / r["viewers"]
    return 1e9 / (r["ns_per_packet"] * per_viewer_pps), per_viewer_pps

def target_rows(by_name, results):
    rows = []
    w = by_name.get("W64")
    if ok(w):
        rows += [
            (f"W64 CPU ≤ {TARGET_CPU_PERCENT:g}% of one core", f"{w['cpu_percent']:.2f}%",
             w["cpu_percent"] <= TARGET_CPU_PERCENT),
            (f"W64 RSS ≤ {TARGET_RSS_MB:g} MB", f"{mb(w['rss_kb_max']):.1f} MB (max)",
             mb(w["rss_kb_max"]) <= TARGET_RSS_MB),
            ("W64 threads ≤ workers + 2", f"{w['threads_max']} (workers {w['workers']})",
             w["threads_max"] <= w["workers"] + 2),
            ("W64 zero loss", f"lost {w['lost']}, {w['viewers_media']}/{w['viewers']} viewers",
             w["lost"] == 0 and w["viewers_media"] == w["viewers"]),
        ]
        whole = floor_ns(w, "floor_whole")
        if whole and w.get("ns_per_packet"):
            ratio = w["ns_per_packet"] / whole
            rows.append((f"W64 ≤ {TARGET_FLOOR_RATIO}× the whole-job floor",
                         f"{ratio:.2f}× ({w['ns_per_packet']:.0f} vs {whole:.0f} ns per packet)",
                         ratio <= TARGET_FLOOR_RATIO))
        else:
            rows.append((f"W64 ≤ {TARGET_FLOOR_RATIO}× the whole-job floor",
                         ((w.get("floor_whole") or {}).get("error") or "not measured"), None))
    else:
        rows.append(("W64", (w or {}).get("error", "not run").splitlines()[0], None))
    for peer, label, ratio_target, key in (
            ("W64-pion", "MediaMTX's engine's CPU", TARGET_PION_CPU_RATIO, "cpu_percent"),
            ("W64-pion", "MediaMTX's engine's RSS", TARGET_PION_RSS_RATIO, "rss_kb_mean"),
            ("W64-janus", "Janus's CPU", TARGET_JANUS_W64_RATIO, "cpu_percent")):
        p = by_name.get(peer)
        what = "RSS" if key == "rss_kb_mean" else "CPU"
        title = f"W64 {what} ≤ 1/{ratio_target:g} of {label} (same run)"
        if ok(w) and ok(p) and w.get(key):
            ratio = p[key] / w[key]
            unit = (f"{mb(w[key]):.1f} vs {mb(p[key]):.1f} MB" if key == "rss_kb_mean" else
                    f"{w[key]:.2f}% vs {p[key]:.2f}%")
            same_day = (w.get("started_utc", "")[:10] == p.get("started_utc", "")[:10])
            rows.append((title, f"{unit}: 1/{ratio:.1f}" + ("" if same_day else
                                                             " (not the same run)"),
                         ratio >= ratio_target))
        else:
            rows.append((title, (p or {}).get("error", "not measured").splitlines()[0], None))
    big = largest_sustained(results, "sweep", 500)
    if big and floor_ns(big):
        ratio = big["ns_per_packet"] / floor_ns(big)
        rows.append((f"delivered packet ≤ {TARGET_FLOOR_RATIO}× the floor at ≥ 500 viewers",
                     f"{ratio:.2f}× at {big['viewers']} viewers ({big['ns_per_packet']:.0f} vs "
                     f"{floor_ns(big):.0f} ns)", ratio <= TARGET_FLOOR_RATIO))
    else:
        rows.append(("delivered packet ≤ 1.5× the floor at ≥ 500 viewers",
                     "no sustained sweep point with ≥ 500 viewers and a floor", None))
    pairs = janus_pairs(results)
    if pairs:
        ringcast, jan = pairs[-1]
        ratio = jan["ns_per_packet"] / ringcast["ns_per_packet"]
        rows.append((f"≥ {TARGET_JANUS_RATIO:g}× less CPU per delivered packet than Janus",
                     f"{ratio:.1f}× at {jan['viewers']} viewers", ratio >= TARGET_JANUS_RATIO))
    else:
        rows.append(("≥ 10× less CPU per delivered packet than Janus", "not measured", None))
    for a, b, label in (("W64", "W64-nack0", "NACK on vs off"),
                        ("W64", "W64-sr3", "SR 1 s vs 3 s")):
        ra, rb = by_name.get(a), by_name.get(b)
        if ok(ra) and ok(rb) and ra.get("started_utc", "")[:10] != rb.get("started_utc", "")[:10]:
            rows.append((f"{label} within noise", "measured on different days: run both "
                         "again together", None))
        elif ok(ra) and ok(rb):
            same, diff, noise = within_noise(ra, rb)
            rows.append((f"{label} within noise", f"{ra['cpu_percent']:.2f}% vs "
                         f"{rb['cpu_percent']:.2f}% (Δ {diff:.2f}, noise ±{noise:.2f})", same))
        else:
            rows.append((f"{label} within noise", "not measured", None))
    return rows


def janus_pairs(results):
    """(ringcast, janus) results at the same load, both measured, by viewers."""
    by = {}
    for r in results:
        if r.get("group") == "janus" and ok(r) and r.get("ns_per_packet"):
            by.setdefault(r["viewers"], {})[r["server"]] = r
    return [(v["ringcast"], v["janus"]) for _, v in sorted(by.items())
            if "ringcast" in v and "janus" in v and v["janus"].get("sustained")]


def w64_table(by_name):
    lines = ["| configuration | CPU % of one core | RSS MB | threads | CPU % per stream | "
             "memory per stream, KB | ns per delivered packet | every run: ns per packet | "
             "context switches/s (voluntary/involuntary) | delivered pkt/s | lost | "
             "recovered | viewers |",
             "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|"]
    for name in W64_ROWS:
        r = by_name.get(name)
        if r is None:
            continue
        if not ok(r):
            lines.append(f"| {r['title']} | {r.get('error', '').splitlines()[0]} |||||||||||| |")
            continue
        switches = r.get("thread_switches_per_s") or {}
        switched = (f"{sum(v[0] for v in switches.values()):,.0f} / "
                    f"{sum(v[1] for v in switches.values()):,.0f}" if switches else "–")
        every = every_run(r)
        streams = r["streams"]
        per_stream_kb = ((r["rss_kb_mean"] - r["rss_idle_kb"]) / streams
                         if r.get("rss_idle_kb") else None)
        lines.append(
            f"| {r['title'].split(': ', 1)[1]} | "
            f"{r['cpu_percent']:.2f} ± {r['cpu_percent_se']:.2f} "
            f"| {mb(r['rss_kb_mean']):.1f} | {r['threads_max']} | "
            f"{r['cpu_percent'] / streams:.3f} | {fmt(per_stream_kb, 0)} | "
            f"{fmt(r['ns_per_packet'], 0)} | {every} | {switched} | "
            f"{r['delivered_pps']:,.0f} | {r['lost']} | "
            f"{r['recovered']} | {r['viewers_media']}/{r['viewers']} |")
    return lines


def memory_section(by_name):
    """Where W64's memory goes: the idle daemon, then per stream the packet History (what it
    holds and what it had to keep) and everything else (session state, sockets, allocator)."""
    w = by_name.get("W64")
    if not w or not ok(w) or not w.get("rss_idle_kb") or not w.get("history_bytes"):
        return []
    streams = w["streams"]
    per_stream = (w["rss_kb_mean"] - w["rss_idle_kb"]) / streams
    history = w["history_bytes"] / 1024 / streams
    needed = w.get("history_needed_bytes", 0) / 1024 / streams
    L = ["", "### Memory at W64", "",
         "RSS of the idle daemon (the libraries' resident pages, the workers' first receive "
         "buffers) and, per stream, the growth under load split into the stream's packet "
         "History (the one copy of its packets that NACK, fast start and RTSP readers share: "
         "`stats.path.NAME.history_bytes`), what that History had to keep at most lately (the "
         "GOP since the last keyframe or the 1 s NACK window, whichever is longer: "
         "`history_needed_bytes`) and the rest (the viewer's session — ICE, DTLS, SRTP, RTCP "
         "state —, the publisher's connection, the worker's pools as they grew with the load, "
         "socket and allocator overhead). The pools are shown beside it: the receive buffers "
         "given to the kernel (`stats.worker.N.rx_buffer_bytes`; each becomes resident as the "
         "kernel fills it) and the send slots reserved (`stats.webrtc.send_slot_bytes`; resident "
         "only as far as slots were in use at once).", "",
         "| server | idle RSS MB | RSS at W64 MB | per stream KB | History per stream KB "
         "(needed) | rest per stream KB | receive buffers MB | send slots reserved MB |",
         "|---|---:|---:|---:|---:|---:|---:|---:|",
         f"| ringcastd | {mb(w['rss_idle_kb']):.1f} | {mb(w['rss_kb_mean']):.1f} | "
         f"{per_stream:.0f} | {history:.0f} ({needed:.0f}) | {per_stream - history:.0f} | "
         f"{w.get('rx_buffer_bytes', 0) / 2**20:.1f} | {w.get('send_slot_bytes', 0) / 2**20:.1f} |"]
    for name in ("W64-pion", "W64-pion-opt", "W64-janus"):
        r = by_name.get(name)
        if r and ok(r) and r.get("rss_idle_kb"):
            L.append(f"| {r['title'].split(': ', 1)[1]} | {mb(r['rss_idle_kb']):.1f} | "
                     f"{mb(r['rss_kb_mean']):.1f} | "
                     f"{(r['rss_kb_mean'] - r['rss_idle_kb']) / r['streams']:.0f} "
                     "| – | – | – | – |")
    return L


def sweep_table(results):
    lines = ["| streams | viewers | verify | CPU % | RSS MB | delivered pkt/s | ns/packet | "
             "floor ns/packet | × floor | floor flat out | pkts per sendmsg | loadgen CPU % | "
             "sustained |",
             "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        if r.get("group") not in ("sweep", "libsrtp") or r.get("name", "").startswith("W64"):
            continue
        label = r["name"]
        if not ok(r):
            why = r.get("error", "").splitlines()[0]
            lines.append(f"| {r['streams']} | {r['viewers']} | | {why} ||||||||| |")
            continue
        f = floor_ns(r)
        lines.append(
            f"| {r['streams']} | {r['viewers']}{' (libsrtp)' if 'libsrtp' in label else ''} | "
            f"{r.get('verify_mode')} | {r['cpu_percent']:.1f} | {mb(r['rss_kb_mean']):.1f} | "
            f"{r['delivered_pps']:,.0f} | {fmt(r['ns_per_packet'], 0)} | {fmt(f, 0)} | "
            f"{fmt(r['ns_per_packet'] / f if f and r['ns_per_packet'] else None, 2)} | "
            f"{fmt(floor_ns(r, 'floor_unpaced'), 0)} | "
            f"{fmt(r.get('server_packets_per_sendmsg'), 1)} | "
            f"{fmt(r.get('loadgen_cpu_percent'), 0)} | "
            f"{'yes' if r.get('sustained') else 'NO: ' + '; '.join(r['problems'])} |")
    return lines


def write_summary_csv(out, results):
    columns = ["name", "server", "workers", "streams", "viewers", "verify_mode", "started_utc",
               "cpu_percent", "cpu_percent_se", "rss_kb_mean", "rss_kb_max", "rss_idle_kb",
               "history_bytes", "history_needed_bytes", "rx_buffer_bytes", "send_slot_bytes",
               "threads_max", "delivered_pps", "expected_pps", "ns_per_packet",
               "floor_ns_per_packet", "floor_unpaced_ns_per_packet", "lost",
               "gaps", "recovered", "duplicates", "verify_failed", "viewers_media",
               "loadgen_cpu_percent", "server_packets_per_sendmsg", "forwarded_pps", "sustained",
               "error"]
    with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, columns, extrasaction="ignore")
        w.writeheader()
        for r in results:
            row = dict(r)
            row["floor_ns_per_packet"] = floor_ns(r)
            row["floor_unpaced_ns_per_packet"] = floor_ns(r, "floor_unpaced")
            row["error"] = (r.get("error") or "").splitlines()[0] if r.get("error") else ""
            w.writerow({k: (f"{v:.3f}" if isinstance(v, float) else v) for k, v in row.items()})


def write(out, machine, results, quick=False, janus_missing=None):
    by_name = {r["name"]: r for r in results}
    chart_names, chart_note = charts(out, machine, results)
    write_summary_csv(out, results)
    L = ["# ringcast benchmark report", ""]
    if quick:
        L += ["**Quick mode** (`--quick`): reduced scenarios for trying the harness — these are "
              "not the benchmark's figures.", ""]
    L += [f"Machine: {machine_line(machine)}. Load average at the start: "
          f"{' '.join(machine['loadavg_at_start'])}.",
          f"Build: `{machine['ringcastd']}`, git `{machine['git']}`"
          + (f"; Janus {machine['janus']} (Debian)" if machine.get("janus") else "") + ".",
          ""]
    # --only merges into an earlier run: say which rows the machine and build line is not for.
    days = sorted({r.get("started_utc", "")[:10] for r in results if r.get("started_utc")})
    if len(days) > 1:
        latest = days[-1]
        older = [r["name"] for r in results if r.get("started_utc", "")[:10] != latest]
        L += [f"The machine and build above are those of the latest run ({latest}). Rows of "
              f"earlier runs (see \"started\" under \"Scenarios and raw data\"): "
              f"{', '.join(older)}. Compare figures of one run only.", ""]
    L += ["Produced by `tools/bench/run` (tools/bench/bench.py). Each scenario starts its own "
          f"ringcastd (core.workers = {results[0].get('workers', 1) if results else 1}: the load "
          "generator runs on the same machine and has the other core) and `ringcast-loadgen` "
          "(RTSP/TCP publishers replaying a 1280×720 30 fps ≈ 2 Mbit/s H.264 clip with a 1 s "
          "GOP, "
          "and WHEP viewers with real ICE, DTLS, SRTP, RTCP and NACK). CPU is ringcastd's "
          "utime+stime over the steady-state window (after the warm-up) as % of one core, ± the "
          "standard error of the per-second samples; RSS is VmRSS (mean over the window); "
          "threads the maximum. \"ns per delivered packet\" is the server's CPU time divided by "
          "the packets the viewers received in the window. Viewers decrypt and verify every "
          "packet up to 100 viewers; above that the load generator's sampling mode verifies 1 "
          "packet in 16 and counts the rest by sequence number (column \"verify\").", ""]

    L += ["## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for label, value, met in target_rows(by_name, results):
        L.append(f"| {label} | {value} | {'yes' if met else 'n/a' if met is None else '**NO**'} |")
    if any(met is False for _, _, met in target_rows(by_name, results)):
        L += ["", "Where a target is missed (**NO**), the profiles below (section \"Profiles\") "
              "show where the server's CPU goes."]
    L += ["", "\"Within noise\": the difference in CPU % is at most twice the combined standard "
          "error of the two runs' per-second samples.", ""]

    # The analysis written by people after a run (why a target is missed, what a change moved)
    # lives in NOTES.md beside the report, so that re-running a scenario keeps it.
    notes = os.path.join(out, "NOTES.md")
    if os.path.exists(notes):
        with open(notes) as f:
            L += [f.read().rstrip("\n"), ""]

    L += ["## W64 — the reference report's load", "",
          "64 RTSP/TCP streams (1280×720 30 fps ≈ 2 Mbit/s, GOP 1 s), one WebRTC viewer each. "
          "Memory per stream is (RSS − RSS of the idle daemon) / streams; CPU per stream is the "
          "CPU % / streams.", ""]
    w64 = w64_table(by_name)
    L += w64 if len(w64) > 2 else ["Not run in this report."]
    w = by_name.get("W64")
    whole = (w or {}).get("floor_whole") or {}
    if whole.get("cpu_ns_per_packet"):
        L += ["", f"The whole job's floor at this load (`ringcast-floor --ingest "
              f"{whole.get('streams')}`, same run: {whole.get('streams')} streams received over "
              "loopback TCP as RTSP interleaved frames, each packet copied, sealed with AES-GCM "
              "and sent in one GSO run per stream and read, one viewer each; no History, no "
              f"sessions, no RTCP): {whole['cpu_ns_per_packet']:.0f} ns per packet "
              f"({whole.get('crypto_ns_per_packet', 0):.0f} ns copy + seal, "
              f"{whole.get('send_ns_per_packet', 0):.0f} ns receive + send), against "
              f"ringcastd's {w['ns_per_packet']:.0f} ns: "
              f"{w['ns_per_packet'] / whole['cpu_ns_per_packet']:.2f}×."]
    L += memory_section(by_name)
    L += ["", "For comparison, the reference report measured MediaMTX at this load (on its own "
          "machine, not this one): 45.5% of a core and 253 MB heap with NACK and mDNS; 31% and "
          "31 MB after removing NACK and mDNS, SR every 3 s and pooled buffers.", ""]

    L += ["## Fan-out sweep and the floor", "",
          "Viewers from 1 up, spread over 1–64 streams (viewer i watches stream i mod streams), "
          "until this machine stops sustaining the load (a point is sustained when every viewer "
          "receives media, ≥ 97% of the expected packets arrive and ≤ 0.1% stay lost). After "
          "each point `ringcast-floor` sends the same packet rate from a bare sender — "
          "AES-GCM (BoringSSL) + one UDP GSO sendmsg per frame's run of 1200-byte packets to "
          "loopback — the physical floor of one delivered packet on this machine, same run "
          "(the sender thread's CPU time, the loopback delivery done on its behalf included). "
          "\"floor flat out\" is the same sender unpaced: the per-packet cost without its "
          "sleeps and wake-ups between batches. At low packet rates all of these are dominated "
          "by per-wake-up costs, not per-packet work; the target applies from 500 viewers.", ""]
    sweep = sweep_table(results)
    L += sweep if len(sweep) > 2 else ["Not run in this report."]
    L.append("")
    if chart_note:
        L += [f"Charts: {chart_note}.", ""]
    for name in chart_names:
        if name != "scaling.png":
            L += [f"![{name}]({name})", ""]

    L += ["## Scaling over workers", "",
          "The same load on `core.workers = 1` and then 2, back to back (with `--repeat N`, "
          "N times over, interleaved: each row is the run with the median ns per delivered "
          "packet, and every run is listed). The load generator runs "
          "beside them on this 2-core machine in its cheapest viewer mode (1 packet in 256 "
          "decrypted, the rest counted by sequence number), so the two workers and the load "
          "generator share two cores. Per-thread CPU is utime+stime of each thread "
          "(/proc/PID/task) over the window; `ringcast-wN` are the workers (in brackets their "
          "voluntary/involuntary context switches per second), `ringcastd` the control "
          "thread. A worker's share is its CPU over the workers' total. \"Forwarded\" counts "
          "viewers' datagrams (STUN, DTLS, SRTCP) that the kernel's SO_REUSEPORT hash gave to a "
          "worker other than the session's, passed on by a posted task.", ""]
    scaling = scaling_table(results)
    L += scaling if len(scaling) > 2 else ["Not run in this report."]
    L.append("")
    for label, value, met in scaling_rows(results):
        L.append(f"- {label}: {value} — {'met' if met else '**missed**'}.")
    for load, one, two in scaling_pairs(results):
        per_core, per_viewer = viewers_per_core(two)
        L.append(f"- {load} on 2 workers: {two['ns_per_packet']:.0f} ns per delivered packet at "
                 f"{per_viewer:.0f} packets/s per viewer (≈ 2 Mbit/s) is ≈ {per_core:,.0f} "
                 "viewers per core of this machine, before the kernel's share of the viewers' "
                 "receive is taken off (loopback charges part of it to the sender).")
    L.append("")
    if "scaling.png" in chart_names:
        L += ["![scaling.png](scaling.png)", ""]

    L += ["## Batched wake-ups (core.batch_wait_us)", "",
          "Each worker's wait for completions asks the kernel's min-wait for up to 128 "
          "completions, returning once the window has passed with at least one (never past the "
          "next timer). Same load with and without, interleaved where --repeat ran them; context "
          "switches are the whole process's, per second.", ""]
    n = len(L)
    for a, b in (("W64", "W64-batch250"), ("W64", "W64-batch1000"), ("S500", "S500-batch1000")):
        ra, rb = by_name.get(a), by_name.get(b)
        if not (ok(ra) and ok(rb) and ra.get("ns_per_packet") and rb.get("ns_per_packet")):
            continue

        def switches(r):
            sw = r.get("thread_switches_per_s") or {}
            return (f"{sum(v[0] for v in sw.values()):,.0f}/{sum(v[1] for v in sw.values()):,.0f}"
                    if sw else "–")

        L.append(f"- {rb['title'].split(': ', 1)[-1]} against none, {rb['streams']} streams × "
                 f"{rb['viewers']} viewers: {rb['ns_per_packet']:.0f} vs {ra['ns_per_packet']:.0f} "
                 f"ns per delivered packet ({rb['ns_per_packet'] / ra['ns_per_packet']:.2f}×; "
                 f"every run {every_run(rb)} vs {every_run(ra)}), "
                 f"CPU {rb['cpu_percent']:.2f}% vs {ra['cpu_percent']:.2f}%, context switches "
                 f"(voluntary/involuntary) {switches(rb)} vs {switches(ra)}.")
    if len(L) == n:
        L.append("Not run in this report.")
    L.append("")

    L += ["## crypto.srtp_engine = libsrtp", ""]
    n = len(L)
    for a, b in (("W64", "W64-libsrtp"), ("S500", "S500-libsrtp"), ("S100", "S100-libsrtp")):
        ra, rb = by_name.get(a), by_name.get(b)
        if ok(ra) and ok(rb) and ra.get("ns_per_packet") and rb.get("ns_per_packet"):
            L.append(f"- {rb['streams']} streams × {rb['viewers']} viewers: BoringSSL "
                     f"{ra['ns_per_packet']:.0f} ns per delivered packet, libsrtp "
                     f"{rb['ns_per_packet']:.0f} ns "
                     f"({rb['ns_per_packet'] / ra['ns_per_packet']:.2f}×); "
                     f"CPU {ra['cpu_percent']:.2f}% vs {rb['cpu_percent']:.2f}%.")
    if len(L) == n:
        L.append("Not run in this report (needs W64 and W64-libsrtp, or S500 and S500-libsrtp).")
    L.append("")

    L += ["## SRTP on BoringSSL and on OpenSSL 3", ""]
    srtp = os.path.join(out, "srtp.json")
    if os.path.exists(srtp):
        with open(srtp) as f:
            measured = json.load(f)
        rows = {(r["build"], r["engine"], r["profile"]): r for r in measured["results"]}
        L.append(f"From bench/SRTP.md ({measured['date']}, {measured['cpu']}, "
                 f"`tools/bench/srtp_compare.py`): ns per {measured['size']}-byte packet of the "
                 "built-in engine, protect / unprotect.")
        L.append("")
        for profile in ("AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"):
            b = rows.get(("BoringSSL", "builtin", profile))
            o = rows.get(("OpenSSL", "builtin", profile))
            if b and o:
                L.append(f"- {profile}: BoringSSL {b['protect_ns']:.0f} / {b['unprotect_ns']:.0f}, "
                         f"OpenSSL 3 {o['protect_ns']:.0f} / {o['unprotect_ns']:.0f} "
                         f"({o['protect_ns'] / b['protect_ns']:.2f}× / "
                         f"{o['unprotect_ns'] / b['unprotect_ns']:.2f}×).")
    else:
        L.append("Not measured (run tools/bench/srtp_compare.py).")
    L.append("")
    libraries = os.path.join(out, "libraries.json")
    if os.path.exists(libraries):
        with open(libraries) as f:
            measured = json.load(f)
        rows = {(r["library"], r["scenario"]): r for r in measured["rows"]}
        L.append(f"The whole server on each library, from bench/LIBRARIES.md ({measured['date']}, "
                 f"{measured['cpu']}, steal {measured['steal_percent']}%, "
                 f"`tools/bench/library_compare.py`, {measured['repeat']} alternating runs each, "
                 "medians; the same load generator for both):")
        L.append("")
        L.append("| Scenario | BoringSSL CPU % | OpenSSL 3 CPU % | BoringSSL ns/packet | "
                 "OpenSSL 3 ns/packet | OpenSSL / BoringSSL | BoringSSL RSS MB | OpenSSL 3 RSS MB |")
        L.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for scenario in sorted({r["scenario"] for r in measured["rows"]}):
            b, o = rows.get(("BoringSSL", scenario)), rows.get(("OpenSSL", scenario))
            if b and o and b.get("ns_per_packet") and o.get("ns_per_packet"):
                L.append(f"| {scenario} ({b['streams']} × {b['viewers']}) | "
                         f"{b['cpu_percent']:.2f} | {o['cpu_percent']:.2f} | "
                         f"{b['ns_per_packet']:.0f} | {o['ns_per_packet']:.0f} | "
                         f"{o['ns_per_packet'] / b['ns_per_packet']:.2f}× | "
                         f"{b['rss_kb_mean'] / 1024:.1f} | {o['rss_kb_mean'] / 1024:.1f} |")
    else:
        L.append("The whole server on each library: not measured (run "
                 "tools/bench/library_compare.py).")
    L.append("")

    L += ["## Versus Janus", ""]
    if janus_missing:
        L += [f"**Not measured**: {janus_missing}. The harness is ready for it (Janus and "
              "ringcastd in one network namespace, mountpoints fed plain RTP/UDP by the load "
              "generator); no figures are shown rather than invented ones.", ""]
    else:
        L += ["Janus (Debian's, streaming plugin, `ice_enforce_list` = the veth) and "
              "ringcastd run in turn inside one network namespace with a veth pair "
              "(10.99.0.1/10.99.0.2); the load generator feeds Janus's mountpoints plain RTP/UDP "
              "and ringcastd RTSP/UDP, with the same viewers. The load grows until Janus stops "
              "keeping up.", "",
              "| streams | viewers | ringcast ns/packet | Janus ns/packet | ratio | ringcast CPU % "
              "| Janus CPU % | ringcast RSS MB | Janus RSS MB | Janus sustained |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        by = {}
        for r in results:
            if r.get("group") == "janus":
                by.setdefault(r["viewers"], {})[r["server"]] = r
        for viewers, pair in sorted(by.items()):
            rc, jn = pair.get("ringcast"), pair.get("janus")
            if not (ok(rc) and ok(jn)):
                why = next((x.get("error", "") for x in (rc, jn) if x and not ok(x)), "")
                L.append(f"| | {viewers} | {why.splitlines()[0] if why else '–'} |||||||| |")
                continue
            ratio = (jn["ns_per_packet"] / rc["ns_per_packet"]
                     if jn.get("ns_per_packet") and rc.get("ns_per_packet") else None)
            L.append(f"| {rc['streams']} | {viewers} | {fmt(rc['ns_per_packet'], 0)} | "
                     f"{fmt(jn['ns_per_packet'], 0)} | {fmt(ratio, 1)} | {rc['cpu_percent']:.1f} | "
                     f"{jn['cpu_percent']:.1f} | {mb(rc['rss_kb_mean']):.1f} | "
                     f"{mb(jn['rss_kb_mean']):.1f} | "
                     f"{'yes' if jn.get('sustained') else 'NO: ' + '; '.join(jn['problems'])} |")
        L.append("")

    profiled = [r for r in results if r.get("perf_top")]
    if profiled:
        L += ["## Profiles", "",
              "`perf record -g -p PID -- sleep 10` of the server, taken just after the measured "
              "window (so it does not inflate it); `perf report --stdio --no-children`, entries "
              "≥ 0.5%. Full call graphs in the linked files. Where memory is the question, the "
              "largest resident mappings follow each profile.", ""]
        for r in profiled:
            L += [f"### {r['name']} ({r['streams']} streams × {r['viewers']} viewers) — "
                  f"[{r['perf_file']}]({r['perf_file']})", "", "```"]
            L += r["perf_top"]
            L += ["```", ""]
            if r.get("largest_mappings"):
                L += [f"Memory at the end of the window: RSS {mb(r['rss_kb_max']):.1f} MB "
                      f"(idle daemon {fmt(mb(r.get('rss_idle_kb')))} MB); largest resident "
                      "mappings (/proc/PID/smaps):", "", "```"]
                L += [f"{kb:>9,} kB  {what}" for kb, what in r["largest_mappings"]]
                L += ["```", ""]

    problems = [r for r in results if r.get("error") or r.get("problems")]
    if problems:
        L += ["## Scenarios that failed, were skipped or were not sustained", ""]
        for r in problems:
            what = r.get("error") or "; ".join(r.get("problems", []))
            L.append(f"- **{r['name']}**: {what.splitlines()[0]}")
        L.append("")

    L += ["## Scenarios and raw data", "",
          "| scenario | what | started (UTC) | warm-up s | measured s | samples |",
          "|---|---|---|---:|---:|---|"]
    for r in results:
        samples = r.get("samples_file")
        L.append(f"| {r['name']} | {r.get('title', '')} | {r.get('started_utc', '–')} | "
                 f"{r.get('warmup_s', '–')} | {r.get('measured_s', '–')} | "
                 f"{f'[{samples}]({samples})' if samples else '–'} |")
    L += ["", "summary.csv has one row per scenario; results.json everything, including each "
          "scenario's load generator command line. samples-NAME.csv: one row per second "
          "(server CPU %, RSS, threads, packets delivered and published, load generator CPU %; "
          "in_window marks the steady-state window).", ""]
    with open(os.path.join(out, "REPORT.md"), "w") as f:
        f.write("\n".join(L))
