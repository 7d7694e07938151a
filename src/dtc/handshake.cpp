#include "dtc/handshake.h"

#include <fmt/format.h>

namespace daytrader::dtc {

EncodingRequest make_encoding_request(Encoding encoding) noexcept {
  // The struct's defaults are exactly the request §3.2 prescribes; named here so that the
  // session's intent reads at the call site.
  EncodingRequest r;
  r.encoding = encoding;
  return r;
}

core::Result<Encoding> accept_encoding_response(const EncodingResponse& response, Encoding requested) {
  if (response.encoding == requested || response.encoding == Encoding::kBinary) return response.encoding;
  const std::string expected =
      requested == Encoding::kBinary
          ? std::string("expected 0 (BINARY_ENCODING)")
          : fmt::format("expected {} ({}) or 0 (BINARY_ENCODING)", static_cast<std::int32_t>(requested),
                        to_string(requested));
  return core::Error{fmt::format("DTC ENCODING_RESPONSE: Encoding {} ({}) is not supported, {}",
                                 static_cast<std::int32_t>(response.encoding), to_string(response.encoding),
                                 expected)};
}

core::Status check_encoding_response(const EncodingResponse& response) {
  auto r = accept_encoding_response(response, Encoding::kBinary);
  if (!r) return r.error();
  return {};
}

EncodingResponse answer_encoding_request(const EncodingRequest& request, bool allow_json) noexcept {
  // The request's ProtocolVersion is not checked here because §3.4 leaves the decision about a
  // mismatch to the client.
  EncodingResponse r;
  r.encoding = allow_json && is_json(request.encoding) ? request.encoding : Encoding::kBinary;
  return r;
}

}  // namespace daytrader::dtc
