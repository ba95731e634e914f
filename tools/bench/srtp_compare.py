#!/usr/bin/python3
"""SRTP per-packet cost on BoringSSL and on OpenSSL 3, side by side: bench/SRTP.md.

Runs ringcast-srtp-bench of a BoringSSL build and of an OpenSSL build (RINGCAST_CRYPTO=openssl)
one after the other, `--repeat` times each, alternating, pinned to one CPU, on this machine in
this run. Each figure is the median over the repeats of a run's fastest round: on a shared VM a
round's time is the transform's cost plus whatever else the host did meanwhile, so the fastest
rounds are the ones that measure the transform (the medians are kept in srtp.json, with every
run's figures). libsrtp2 is the same
Debian library in both builds and serves as the control: its figures should match across the
two columns, within the run's noise.

    tools/bench/srtp_compare.py [--boringssl build/bin/ringcast-srtp-bench]
                                [--openssl build-openssl/bin/ringcast-srtp-bench]
                                [--repeat 5] [--out bench]
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


def run(binary, args):
    pin = ["taskset", "-c", str(os.cpu_count() - 1)] if shutil.which("taskset") else []
    out = subprocess.run([*pin, binary, *args], capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        sys.exit(f"{binary} exited {out.returncode}: {out.stderr.strip()}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boringssl", default=os.path.join(ROOT, "build/bin/ringcast-srtp-bench"))
    parser.add_argument("--openssl",
                        default=os.path.join(ROOT, "build-openssl/bin/ringcast-srtp-bench"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--size", type=int, default=1200)
    parser.add_argument("--out", default=os.path.join(ROOT, "bench"))
    args = parser.parse_args()

    builds = {"BoringSSL": args.boringssl, "OpenSSL": args.openssl}
    samples = {}  # (build, engine, profile) -> {"protect": [...], "unprotect": [...]}
    versions = {}
    times_before = cpu_times()
    for _ in range(args.repeat):
        for build, binary in builds.items():
            for row in run(binary, ["--size", str(args.size)]):
                if row["failures"]:
                    sys.exit(f"{build}: {row['engine']} {row['profile']}: {row['failures']} failures")
                versions[build] = row["library"]
                key = (build, row["engine"], row["profile"])
                entry = samples.setdefault(key, {"protect": [], "unprotect": [],
                                                 "protect_median": [], "unprotect_median": []})
                entry["protect"].append(row["protect_ns_min"])
                entry["unprotect"].append(row["unprotect_ns_min"])
                entry["protect_median"].append(row["protect_ns"])
                entry["unprotect_median"].append(row["unprotect_ns"])
    steal = steal_percent(times_before, cpu_times())

    results = []
    for (build, engine, profile), entry in sorted(samples.items()):
        results.append({"build": build, "library": versions[build], "engine": engine,
                         "profile": profile,
                         "protect_ns": statistics.median(entry["protect"]),
                         "unprotect_ns": statistics.median(entry["unprotect"]),
                         "protect_median_ns": statistics.median(entry["protect_median"]),
                         "unprotect_median_ns": statistics.median(entry["unprotect_median"]),
                         "protect_runs": entry["protect"], "unprotect_runs": entry["unprotect"],
                         "protect_median_runs": entry["protect_median"],
                         "unprotect_median_runs": entry["unprotect_median"]})
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "srtp.json"), "w") as f:
        json.dump({"date": when, "cpu": cpu_model(), "steal_percent": round(steal, 2),
                   "size": args.size, "repeat": args.repeat, "results": results}, f, indent=1)

    def figure(build, engine, profile, op):
        for r in results:
            if (r["build"], r["engine"], r["profile"]) == (build, engine, profile):
                return r[f"{op}_ns"]
        return None

    lines = [
        "# SRTP per packet: BoringSSL and OpenSSL 3",
        "",
        f"Measured {when} by `tools/bench/srtp_compare.py` on {os.cpu_count()} × {cpu_model()} "
        f"(steal {steal:.1f}% of CPU time during the run). {args.size}-byte RTP packets "
        f"(header + payload, before the tag), one SSRC, pinned to one CPU; each figure is the "
        f"median over {args.repeat} alternating runs of `ringcast-srtp-bench` per build of the "
        "run's fastest round of 2,000 packets (51 rounds per run; on this shared VM slower rounds "
        "measure the neighbours too — the rounds' medians are in srtp.json). Protect includes "
        "writing the packet, unprotect copying it into the work buffer, as a receive leaves it.",
        "",
        f"- BoringSSL build: {versions.get('BoringSSL', '?')}",
        f"- OpenSSL build: {versions.get('OpenSSL', '?')}",
        "",
        "The built-in engine is crypto/srtp.cc on the library's primitives "
        "(crypto/srtp_cipher_boringssl.cc, crypto/srtp_cipher_openssl.cc); libsrtp2 is Debian's "
        "library, the same in both builds: its rows are the control.",
        "",
        "| Engine | Profile | Operation | BoringSSL ns | OpenSSL ns | OpenSSL / BoringSSL |",
        "|---|---|---|---:|---:|---:|",
    ]
    for engine in ("builtin", "libsrtp2"):
        for profile in ("AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"):
            for op in ("protect", "unprotect"):
                b = figure("BoringSSL", engine, profile, op)
                o = figure("OpenSSL", engine, profile, op)
                ratio = f"{o / b:.2f}" if b and o else "–"
                lines.append(f"| {engine} | {profile} | {op} | {b:.0f} | {o:.0f} | {ratio} |")
    lines.append("")
    with open(os.path.join(args.out, "SRTP.md"), "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
