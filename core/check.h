// CHECK and DCHECK: invariants that no peer can break.
//
// CHECK(cond) aborts the process with file:line and the condition when cond is false; use it
// only for the impossible (the kernel refusing a call that cannot fail). DCHECK(cond) is the
// same in debug builds and compiles to nothing (without evaluating cond) under NDEBUG.
// Untrusted input must never reach either: a bad packet is dropped and counted instead.
#ifndef RINGCAST_CORE_CHECK_H_
#define RINGCAST_CORE_CHECK_H_

namespace ringcast::core {
[[noreturn]] void CheckFailed(const char* file, int line, const char* condition,
                              const char* detail);
}  // namespace ringcast::core

#define CHECK(cond)                                                      \
  do {                                                                   \
    if (!(cond)) [[unlikely]]                                            \
      ::ringcast::core::CheckFailed(__FILE__, __LINE__, #cond, nullptr); \
  } while (false)

// CHECK_MSG(cond, "text") adds a fixed explanation to the failure line.
#define CHECK_MSG(cond, msg)                                         \
  do {                                                               \
    if (!(cond)) [[unlikely]]                                        \
      ::ringcast::core::CheckFailed(__FILE__, __LINE__, #cond, msg); \
  } while (false)

#ifdef NDEBUG
#define DCHECK(cond) \
  do {               \
  } while (false && (cond))
#else
#define DCHECK(cond) CHECK(cond)
#endif

#endif  // RINGCAST_CORE_CHECK_H_
