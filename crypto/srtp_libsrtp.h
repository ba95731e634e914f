// The libsrtp2 engine (crypto.srtp_engine = libsrtp): the reference implementation, kept as
// an operator's alternative to SrtpContext and as the conformance oracle of its tests
// (ARCHITECTURE.md, "Crypto"). Same contract as SrtpEngine in crypto/srtp.h: in place, one
// direction, one thread at a time. libsrtp allocates a stream the first time it sees an SSRC,
// never per packet after that.
#ifndef RINGCAST_CRYPTO_SRTP_LIBSRTP_H_
#define RINGCAST_CRYPTO_SRTP_LIBSRTP_H_

#include <memory>

#include "absl/status/statusor.h"
#include "crypto/srtp.h"

struct srtp_ctx_t_;

namespace ringcast::crypto {

class LibsrtpEngine final : public SrtpEngine {
 public:
  // Calls srtp_init() once per process.
  static absl::StatusOr<std::unique_ptr<LibsrtpEngine>> Create(SrtpProfile profile,
                                                               const SrtpKeys& keys,
                                                               SrtpDirection direction);
  ~LibsrtpEngine() override;
  LibsrtpEngine(const LibsrtpEngine&) = delete;
  LibsrtpEngine& operator=(const LibsrtpEngine&) = delete;

  SrtpResult Protect(std::span<uint8_t> buffer, size_t& length) override;
  SrtpResult Unprotect(std::span<uint8_t> buffer, size_t& length) override;
  SrtpResult ProtectRtcp(std::span<uint8_t> buffer, size_t& length) override;
  SrtpResult UnprotectRtcp(std::span<uint8_t> buffer, size_t& length) override;

 private:
  LibsrtpEngine(SrtpProfile profile, SrtpDirection direction)
      : profile_(profile), direction_(direction) {}

  SrtpProfile profile_;
  SrtpDirection direction_;
  srtp_ctx_t_* session_ = nullptr;
};

}  // namespace ringcast::crypto

#endif  // RINGCAST_CRYPTO_SRTP_LIBSRTP_H_
