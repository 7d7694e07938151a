#pragma once
// Encoding and decoding of single DTC binary messages (dtc.md §2, §9). Sans-I/O: bytes in,
// bytes out. For a byte stream with partial reads use Decoder (decoder.h), which frames the
// stream and calls decode() on each complete frame.
//
// Decoding follows the spec's compatibility rules (§2.8, §9.2-§9.3): the frame's Size is
// trusted; a field is read only when offset + width <= Size, otherwise it keeps the struct's
// default (an older, shorter peer); bytes past the known size are ignored (a newer, longer
// peer). A known type therefore always decodes, whatever its Size >= 4; only framing can fail.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/result.h"
#include "dtc/message.h"
#include "dtc/protocol.h"
#include "dtc/wire.h"

namespace daytrader::dtc {

// Appends the wire image of m: kSize bytes of the current layout, zero-filled, so padding and
// unused text bytes are 0 (§2.3, §9.13).
template <KnownMessage M>
void encode_into(const M& m, std::vector<std::uint8_t>& out) {
  const std::size_t base = out.size();
  out.resize(base + M::kSize, 0);
  std::uint8_t* frame = out.data() + base;
  wire::store_u16(frame, M::kSize);
  wire::store_u16(frame + 2, M::kType);
  M::for_each_field(m, [frame](std::string_view, std::size_t offset, const auto& field) {
    wire::store(frame + offset, field);
  });
}

// A header with Type = message.type and Size = max(message.size, 4), then zeros.
void encode_into(const UnknownMessage& message, std::vector<std::uint8_t>& out);
void encode_into(const Message& message, std::vector<std::uint8_t>& out);

template <class M>
requires KnownMessage<M> || std::is_same_v<M, UnknownMessage> || std::is_same_v<M, Message>
[[nodiscard]] std::vector<std::uint8_t> encode(const M& m) {
  std::vector<std::uint8_t> out;
  encode_into(m, out);
  return out;
}

// Decodes a frame known to be of type M. frame is the whole frame, header included, and its
// length is the frame's Size. Never fails and never reads outside frame: fields that do not fit
// keep their defaults.
template <KnownMessage M>
[[nodiscard]] M decode_as(std::span<const std::uint8_t> frame) noexcept {
  M m{};
  M::for_each_field(m, [frame](std::string_view, std::size_t offset, auto& field) {
    using Field = std::remove_cvref_t<decltype(field)>;
    if (offset + wire::kWidth<Field> <= frame.size()) wire::load(frame.data() + offset, field);
  });
  return m;
}

// Decodes one complete frame that framing has already delimited: frame.size() is the frame's
// Size and at least the 4-byte header (asserted). Dispatches on Type; never fails.
[[nodiscard]] Message decode_frame(std::span<const std::uint8_t> frame) noexcept;

// Decodes the one message at the start of bytes. Bytes past its Size are not looked at.
// Errors: fewer than 4 bytes, a Size below the header or above max_message_size, or fewer bytes
// than Size. An unknown type is not an error: it decodes to UnknownMessage.
[[nodiscard]] core::Result<Message> decode(
    std::span<const std::uint8_t> bytes,
    std::size_t max_message_size = kDefaultMaxMessageSize) noexcept;

}  // namespace daytrader::dtc
