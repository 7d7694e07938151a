#pragma once
// The encoding-request handshake (dtc.md §3.4), as pure functions for the client and server
// sessions.
//
// ENCODING_REQUEST and ENCODING_RESPONSE are always sent in binary, whatever encoding is in
// force, because the peer cannot know the encoding yet; binary is also the only encoding this
// project speaks, so both sides use the ordinary codec for them. What is left is the decision:
// the client asks for binary and refuses any other answer; the server (our simulator) answers
// binary whatever was asked.

#include "core/result.h"
#include "dtc/messages_session.h"

namespace daytrader::dtc {

// Client: the first message after connecting. ProtocolVersion 8, binary, "DTC".
[[nodiscard]] EncodingRequest make_encoding_request() noexcept;

// Client: accepts the server's answer only if it names the binary encoding; otherwise an error
// the session logs before it disconnects (§3.4 project rule).
[[nodiscard]] core::Status check_encoding_response(const EncodingResponse& response);

// Server: the answer to any request, binary, since that is the only encoding we support (§3.4
// project rule for the simulator; the client then continues or disconnects).
[[nodiscard]] EncodingResponse answer_encoding_request(const EncodingRequest& request) noexcept;

}  // namespace daytrader::dtc
