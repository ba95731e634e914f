#!/bin/bash
# Installs every Debian package ringcast's build, tests and tools need. Idempotent: packages
# already present are left alone and apt-get runs only when something is missing.
#
#   tools/setup-deps.sh          build + tests
#   tools/setup-deps.sh build    build only (what `tools/dev.sh run` needs)
#   tools/setup-deps.sh bench    build + the benchmark's (tools/bench/run): charts, perf, Janus
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build pkg-config git
  liburing-dev android-libboringssl-dev libsrtp2-dev libabsl-dev
  libgtest-dev libgmock-dev
  ffmpeg                    # makes the demo clip at build time; RTSP peer in tests
)
test_packages=(
  clang libclang-rt-14-dev  # ASan/UBSan build and libFuzzer targets
  python3 curl util-linux iproute2 nftables
  python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-tools  # GStreamer RTSP server/client peers
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly
  gstreamer1.0-plugins-bad gstreamer1.0-libav
  chromium nodejs npm       # browser tests (tests/e2e: playwright-core drives Debian's chromium)
  # tests/packaging: build the .deb and .rpm (the .rpm against OpenSSL 3), lint the .deb,
  # bootstrap a Debian 12 root to install it into
  dpkg-dev fakeroot lintian rpm libssl-dev debootstrap systemd
)

bench_packages=(
  python3 iproute2
  python3-matplotlib        # bench/REPORT.md's charts
  linux-perf                # perf record -g of ringcastd where a target is missed
  janus                     # the peer: Janus's streaming plugin, same media, same viewers
  golang-go golang-github-pion-webrtc.v3-dev  # the pion peer: tools/bench/pion_relay (offline Go build)
)

wanted=("${build_packages[@]}")
if [[ "${1:-all}" == "bench" ]]; then
  wanted+=("${bench_packages[@]}")
elif [[ "${1:-all}" != "build" ]]; then
  wanted+=("${test_packages[@]}")
fi

missing=()
for package in "${wanted[@]}"; do
  if [[ "$package" == npm ]] && command -v npm >/dev/null; then
    continue  # NodeSource's nodejs bundles npm (and conflicts with Debian's npm package)
  fi
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if (( ${#missing[@]} > 0 )); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup-deps: missing packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "setup-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The browser tests' npm packages, at the versions in tests/e2e/package-lock.json. `npm ci`
# deletes and refetches node_modules, so it runs only when an installed version differs.
if [[ "${1:-all}" != "build" && "${1:-all}" != "bench" ]]; then
  e2e="$(dirname "$0")/../tests/e2e"
  if ! (cd "$e2e" && node -e '
      const lock = require("./package-lock.json").packages;
      for (const [path, entry] of Object.entries(lock)) {
        if (path && require("./" + path + "/package.json").version !== entry.version) process.exit(1);
      }' 2>/dev/null); then
    echo "setup-deps: npm ci in tests/e2e"
    (cd "$e2e" && npm ci --no-audit --no-fund)
  fi
fi
