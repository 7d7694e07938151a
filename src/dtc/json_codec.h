#pragma once
// The JSON encodings of DTC messages: Sierra Chart's JSON_ENCODING (2) and JSON_COMPACT_ENCODING
// (3) of dtc.md §3.1, generic over every message's for_each_field() (no per-message code).
//
//   JSON_ENCODING          {"Type":101,"RequestAction":1,"SymbolID":1,"Symbol":"ESZ5",...}
//   JSON_COMPACT_ENCODING  {"Type":101,"F":[1,1,"ESZ5",...]}
//
// The keys are the DTC field names as for_each_field() lists them (those of Sierra's
// DTCProtocol.h) plus "Type"; the compact form lists the values in wire order. On the stream every
// message is followed by one NUL byte (0x00), which is how Decoder (decoder.h) frames it.
// ENCODING_REQUEST/ENCODING_RESPONSE are always binary (§3.4): the sessions switch after them.
//
// Values: integers and enums are JSON integers, float and double fields JSON numbers (the
// unset sentinels as their values, e.g. 1.7976931348623157e+308; NaN and infinities as null),
// text fields JSON strings (bytes that are not UTF-8 are dropped when encoding).
//
// Decoding is tolerant where binary decoding is (§9.2, §9.3): a missing key (or null) keeps the
// field's default, as an older peer's shorter message does; unknown keys and extra compact values
// are ignored, as a newer peer's longer message is; a "Size" key is ignored. It is strict where a
// value cannot mean anything: the wrong JSON type, an integer outside its field's range, a
// fraction for an integer field, text longer than the field's N-1 bytes or containing a NUL,
// a "Type" that is missing or not in 0..65535. Those are errors naming the message, the field
// and the value (never the value of a Password field). An object with a Type this codec does not
// know decodes to UnknownMessage, which is skipped like an unknown binary type (§9.5).
//
// Hostile input: decode_json() never throws and never recurses on the input: text nested deeper
// than kMaxJsonDepth is refused before it is parsed, and the caller bounds the text's length
// (Decoder: kDefaultMaxJsonMessageSize).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "dtc/message.h"
#include "dtc/protocol.h"

namespace daytrader::dtc {

// A message is an object (1); the compact form holds an array (2). Deeper text is an error.
inline constexpr int kMaxJsonDepth = 4;

// Appends m as JSON text of `form` (kJson or kJsonCompact, asserted) and its NUL terminator.
void encode_json_into(const Message& m, Encoding form, std::vector<std::uint8_t>& out);
[[nodiscard]] std::vector<std::uint8_t> encode_json(const Message& m, Encoding form);

// Appends m in `encoding`: binary (codec.h) or one of the JSON forms.
void encode_into(const Message& m, Encoding encoding, std::vector<std::uint8_t>& out);

// Decodes one message's text (without its NUL). `form`, when given, is set to the form the text
// used (kJsonCompact when it has an "F" array, else kJson). Errors: see the file comment.
[[nodiscard]] core::Result<Message> decode_json(std::string_view text, Encoding* form = nullptr) noexcept;

// The binary frames of `frames` (back to back, each complete) re-encoded in `encoding`: how a
// session in a JSON encoding sends what an application produced in binary (the simulator
// builds its replies as binary frames).
void transcode_binary_frames(std::span<const std::uint8_t> frames, Encoding encoding,
                             std::vector<std::uint8_t>& out);

}  // namespace daytrader::dtc
