#pragma once
// The encoding-request handshake (dtc.md §3.4), as pure functions for the client and server
// sessions.
//
// ENCODING_REQUEST and ENCODING_RESPONSE are always sent in binary, whatever encoding is in
// force, because the peer cannot know the encoding yet, so both sides use the ordinary codec for
// them and switch encodings right after. This project speaks the binary encoding and the two JSON
// encodings (json_codec.h): the client asks for the one it is configured with and accepts that one
// or binary (§3.4: the client must use what the server answers, or disconnect); the server (our
// simulator) answers with the encoding asked for when it speaks it, binary otherwise.

#include "core/result.h"
#include "dtc/messages_session.h"

namespace daytrader::dtc {

// Client: the first message after connecting. ProtocolVersion 8, `encoding` (binary by default),
// "DTC".
[[nodiscard]] EncodingRequest make_encoding_request(Encoding encoding = Encoding::kBinary) noexcept;

// Client: the encoding to use from now on: the one asked for, or binary (which every DTC server
// speaks and so do we); anything else is an error the session logs before it disconnects.
[[nodiscard]] core::Result<Encoding> accept_encoding_response(const EncodingResponse& response,
                                                              Encoding requested);
// The same for a client that asked for binary: only a binary answer is accepted.
[[nodiscard]] core::Status check_encoding_response(const EncodingResponse& response);

// Server: the answer to a request: the encoding asked for when it is binary or (with allow_json)
// one of the JSON encodings, else binary (§3.4 project rule for the simulator; the client then
// continues or disconnects).
[[nodiscard]] EncodingResponse answer_encoding_request(const EncodingRequest& request,
                                                       bool allow_json = true) noexcept;

}  // namespace daytrader::dtc
