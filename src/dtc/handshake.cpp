#include "dtc/handshake.h"

#include <fmt/format.h>

namespace daytrader::dtc {

EncodingRequest make_encoding_request() noexcept {
  // The struct's defaults are exactly the request §3.2 prescribes; named here so that the
  // session's intent reads at the call site.
  return EncodingRequest{};
}

core::Status check_encoding_response(const EncodingResponse& response) {
  if (response.encoding == Encoding::kBinary) return {};
  return core::Error{fmt::format(
      "DTC ENCODING_RESPONSE: Encoding {} ({}) is not supported, expected 0 (BINARY_ENCODING)",
      static_cast<std::int32_t>(response.encoding), to_string(response.encoding))};
}

EncodingResponse answer_encoding_request(const EncodingRequest& /*request*/) noexcept {
  // Whatever was asked, we answer binary; the request's ProtocolVersion is not checked here
  // because §3.4 leaves the decision about a mismatch to the client.
  return EncodingResponse{};
}

}  // namespace daytrader::dtc
