// FUZZ_CHECK(cond): a property every fuzz target asserts about its parser (a round trip, two
// engines agreeing). Unlike CHECK it is on in every build type, and it aborts so that libFuzzer
// (and the replay driver, under the sanitizers) report the input that broke it.
#ifndef RINGCAST_TESTS_FUZZ_FUZZ_CHECK_H_
#define RINGCAST_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (false)

#endif  // RINGCAST_TESTS_FUZZ_FUZZ_CHECK_H_
