#!/usr/bin/python3
"""ringcastd on BoringSSL and on OpenSSL 3 under the same load: bench/LIBRARIES.md.

Runs bench.py's W64 (64 streams x 1 WebRTC viewer, NACK on, reports every second) and S500 (64
streams x 500 viewers) scenarios against the ringcastd of a BoringSSL build and of an OpenSSL
build (RINGCAST_CRYPTO=openssl), alternating, `--repeat` times each (the order flips each round),
on this machine in this run. The load generator, the floor sender and ringcastctl are the
BoringSSL build's in every run, so only the server changes. Each figure is the median over the
repeats; every run's figures are kept in libraries.json. Needs both builds' ringcastd and the
first build's ringcast-loadgen, ringcast-floor and ringcastctl (RelWithDebInfo, as
tools/bench/run builds them).

    tools/bench/library_compare.py [--boringssl-build build] [--openssl-build build-openssl]
                                   [--repeat 2] [--only W64,S500] [--out bench]
"""
import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys

from host import cpu_model, cpu_times, steal_percent

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIGURES = ("cpu_percent", "ns_per_packet", "rss_kb_mean", "delivered_pps", "delivery_ratio",
           "lost", "recovered", "nacks_sent", "server_retransmits")


def version(ringcastd):
    return subprocess.run([ringcastd, "--version"], capture_output=True, text=True).stdout.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boringssl-build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--openssl-build", default=os.path.join(ROOT, "build-openssl"))
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--only", default="W64,S500")
    parser.add_argument("--out", default=os.path.join(ROOT, "bench"))
    args = parser.parse_args()

    first = args.boringssl_build
    servers = {"BoringSSL": os.path.join(args.boringssl_build, "bin", "ringcastd"),
               "OpenSSL": os.path.join(args.openssl_build, "bin", "ringcastd")}
    for name, path in servers.items():
        if not os.access(path, os.X_OK):
            sys.exit(f"{name}: {path} is not built")
        if f"crypto: {name}" not in version(path):
            sys.exit(f"{path} is not a {name} build: {version(path)}")
    work = os.path.join(first, "library-compare")
    shutil.rmtree(work, ignore_errors=True)
    env = dict(os.environ,
               RINGCASTCTL=os.path.join(first, "bin", "ringcastctl"),
               RINGCAST_LOADGEN=os.path.join(first, "bin", "ringcast-loadgen"),
               RINGCAST_FLOOR=os.path.join(first, "bin", "ringcast-floor"))
    runs = {}  # (library, scenario) -> [result, ...]
    times_before = cpu_times()
    order = list(servers)
    for repeat in range(args.repeat):
        for library in (order if repeat % 2 == 0 else order[::-1]):
            out = os.path.join(work, f"{library}-{repeat}")
            print(f"library_compare: round {repeat + 1}/{args.repeat}, {library}", flush=True)
            r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bench", "bench.py"),
                                "--build", first, "--only", args.only, "--out", out],
                               env=dict(env, RINGCASTD=servers[library]))
            if r.returncode != 0:
                sys.exit(f"bench.py for {library} exited {r.returncode} (see {out})")
            with open(os.path.join(out, "results.json")) as f:
                for result in json.load(f)["results"]:
                    runs.setdefault((library, result["name"]), []).append(result)
    steal = steal_percent(times_before, cpu_times())

    rows = []
    for (library, scenario), results in sorted(runs.items()):
        row = {"library": library, "scenario": scenario, "title": results[0]["title"],
               "streams": results[0]["streams"], "viewers": results[0]["viewers"],
               "sustained": all(r.get("sustained") for r in results),
               "runs": [{k: r.get(k) for k in FIGURES} for r in results]}
        for k in FIGURES:
            values = [r[k] for r in results if r.get(k) is not None]
            row[k] = statistics.median(values) if values else None
        rows.append(row)
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    versions = {name: version(path) for name, path in servers.items()}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "libraries.json"), "w") as f:
        json.dump({"date": when, "cpu": cpu_model(), "nproc": os.cpu_count(),
                   "steal_percent": round(steal, 2), "repeat": args.repeat,
                   "versions": versions, "rows": rows}, f, indent=1)

    def get(library, scenario):
        return next((r for r in rows if (r["library"], r["scenario"]) == (library, scenario)),
                    None)

    lines = [
        "# ringcastd on BoringSSL and on OpenSSL 3",
        "",
        f"Measured {when} by `tools/bench/library_compare.py` on {os.cpu_count()} × "
        f"{cpu_model()} (steal {steal:.1f}% of CPU time during the run). bench.py's "
        f"scenarios against each build's ringcastd, alternating, {args.repeat} runs each (the "
        "order flips each round); the load generator, floor sender and ringcastctl are the "
        "BoringSSL build's in every run, so only the server differs. Medians over the runs; "
        "every run is in libraries.json. One worker (core.workers as bench.py sets it).",
        "",
        f"- BoringSSL build: `{versions['BoringSSL']}`",
        f"- OpenSSL build: `{versions['OpenSSL']}`",
        "",
        "| Scenario | Library | CPU % of a core | ns per delivered packet | RSS MB | delivered "
        "packets/s | delivery | lost | sustained | runs (ns per packet) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for scenario in args.only.split(","):
        for library in servers:
            r = get(library, scenario)
            if r is None:
                continue
            each = ", ".join(f"{x['ns_per_packet']:.0f}" for x in r["runs"]
                             if x.get("ns_per_packet"))
            lines.append(
                f"| {scenario} ({r['streams']} × {r['viewers']}) | {library} | "
                f"{r['cpu_percent']:.2f} | {r['ns_per_packet']:.0f} | "
                f"{r['rss_kb_mean'] / 1024:.1f} | {r['delivered_pps']:,.0f} | "
                f"{r['delivery_ratio']:.4f} | {r['lost']:.0f} | "
                f"{'yes' if r['sustained'] else 'no'} | {each} |")
    lines.append("")
    for scenario in args.only.split(","):
        b, o = get("BoringSSL", scenario), get("OpenSSL", scenario)
        if b and o and b["ns_per_packet"] and o["ns_per_packet"]:
            lines.append(f"- {scenario}: OpenSSL / BoringSSL = "
                         f"{o['ns_per_packet'] / b['ns_per_packet']:.2f}× per delivered packet, "
                         f"{o['cpu_percent'] / b['cpu_percent']:.2f}× CPU, RSS "
                         f"{(o['rss_kb_mean'] - b['rss_kb_mean']) / 1024:+.1f} MB.")
    lines.append("")
    with open(os.path.join(args.out, "LIBRARIES.md"), "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
