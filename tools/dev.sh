#!/bin/bash
# The two set-up commands of the README.
#
#   tools/dev.sh run    install build deps, build, run ringcastd in the foreground with the
#                       default config (packaging/ringcast.conf)
#   tools/dev.sh test   install all deps, build with -Werror, run the whole suite through ctest,
#                       then again under ASan+UBSan with the fuzz targets, then the tests
#                       whose outcome can depend on the TLS library on the OpenSSL 3 build (the
#                       .rpm's), then the tests that run code on several threads under
#                       ThreadSanitizer
#
# Build trees: build/ (RelWithDebInfo, gcc), build-asan/ (Debug, clang, sanitizers),
# build-openssl/ (RelWithDebInfo, gcc, -DRINGCAST_CRYPTO=openssl; only the crypto_tests target)
# and build-tsan/ (RelWithDebInfo, clang, -fsanitize=thread; only the thread_tests target). The
# test command builds them with RINGCAST_DEBUG_INFO=lines: file:line in every trace, a third less
# compile time (build/ keeps it when `run` reuses the tree; configure with =full for a debugger).
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
    configure_and_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRINGCAST_WERROR=ON \
      -DRINGCAST_DEBUG_INFO=lines
    (cd build && ctest --output-on-failure -j "$jobs")
    configure_and_build build-asan -DCMAKE_BUILD_TYPE=Debug -DRINGCAST_WERROR=ON \
      -DRINGCAST_DEBUG_INFO=lines -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
      -DRINGCAST_SANITIZE=address,undefined -DRINGCAST_FUZZ=ON
    (cd build-asan &&
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --output-on-failure -j "$jobs")
    # The packages were built and installed by the first tree's packaging test (the .rpm from an
    # OpenSSL tree of its own); here the OpenSSL build runs the tests labelled `crypto`, whose
    # outcome can depend on the TLS library: its unit tests and fuzz replays (crypto/, STUN, HTTP
    # auth, WebRTC sessions), the WHEP/WHIP/auth/hardening/ctl integration tests, every browser
    # test, and interop.dtls_cross_library against build/'s BoringSSL peer. The rest is the same
    # code on either library and has run above.
    cmake -S . -B build-openssl -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRINGCAST_WERROR=ON \
      -DRINGCAST_DEBUG_INFO=lines -DRINGCAST_CRYPTO=openssl >/dev/null
    cmake --build build-openssl -j "$jobs" --target crypto_tests
    (cd build-openssl && ctest --output-on-failure -j "$jobs" -L crypto)
    # ThreadSanitizer: the unit tests labelled `threads` and the daemon with several workers
    # (integration tests labelled `workers`). No suppressions: a report is a failure.
    cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRINGCAST_WERROR=ON \
      -DRINGCAST_DEBUG_INFO=lines -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
      -DRINGCAST_SANITIZE=thread >/dev/null
    cmake --build build-tsan -j "$jobs" --target thread_tests
    (cd build-tsan &&
      TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
        ctest --output-on-failure -j "$jobs" -L 'threads|workers')
    ;;
  *)
    echo "usage: tools/dev.sh run|test" >&2
    exit 2
    ;;
esac
