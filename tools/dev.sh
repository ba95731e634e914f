#!/bin/bash
# The two set-up commands of the README.
#
#   tools/dev.sh run    install build deps, build, run ringcastd in the foreground with the
#                       default config (packaging/ringcast.conf)
#   tools/dev.sh test   install all deps, build with -Werror, run the whole suite through ctest,
#                       then again under ASan+UBSan with the fuzz targets
#
# Build trees: build/ (RelWithDebInfo, gcc) and build-asan/ (Debug, clang, sanitizers).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

configure_and_build() {  # dir, cmake args...
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

case "${1:-}" in
  run)
    tools/setup-deps.sh build
    configure_and_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
    shift
    exec build/bin/ringcastd --config packaging/ringcast.conf "$@"
    ;;
  test)
    tools/setup-deps.sh
    configure_and_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRINGCAST_WERROR=ON
    (cd build && ctest --output-on-failure -j "$jobs")
    configure_and_build build-asan -DCMAKE_BUILD_TYPE=Debug -DRINGCAST_WERROR=ON \
      -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
      -DRINGCAST_SANITIZE=address,undefined -DRINGCAST_FUZZ=ON
    (cd build-asan &&
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --output-on-failure -j "$jobs")
    ;;
  *)
    echo "usage: tools/dev.sh run|test" >&2
    exit 2
    ;;
esac
