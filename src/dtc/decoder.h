#pragma once
// Decoder: the sans-I/O framer of a DTC binary byte stream (dtc.md §9.1).
//
// TCP delivers arbitrary fragments, so the transport feeds whatever it read and pulls out the
// messages that are complete:
//
//   decoder.feed(bytes_read);
//   while (auto frame = decoder.next()) {
//     if (!*frame) return close(frame->error().message);  // framing error: the stream is lost
//     std::visit(handler, frame->value());                 // UnknownMessage included
//   }
//
// next() returns nothing while a frame is incomplete (a partial header or body waits for more
// bytes), a Message for each complete frame, and an error when the header is impossible: Size
// below the 4-byte header (0 included) or above the decoder's bound. There is no delimiter to
// re-synchronise on after such a header, so the error is sticky: every later next() returns
// it again and feed() drops its input. The caller closes the connection with the message.
//
// Unknown types are not errors: they come out as UnknownMessage and are counted in stats().
//
// Memory: the error is reported as soon as the 4 header bytes are in, so a hostile Size never
// makes the decoder wait for or buffer more than max_message_size bytes of one frame. What is
// buffered beyond that is what the caller fed and has not pulled yet; pulling every frame
// after each feed() keeps the buffer below one frame plus one read.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/result.h"
#include "dtc/message.h"
#include "dtc/protocol.h"

namespace daytrader::dtc {

// Counters for the session's metrics (§9.5 asks for unknown types to be counted).
struct DecoderStats {
  std::uint64_t frames = 0;              // complete frames returned, unknown ones included
  std::uint64_t bytes = 0;               // bytes of those frames
  std::uint64_t unknown_types = 0;       // frames returned as UnknownMessage
  std::uint64_t shorter_than_known = 0;  // older peer: the missing fields took defaults
  std::uint64_t longer_than_known = 0;   // newer peer: the unknown tail was ignored
};

class Decoder {
 public:
  // max_message_size: frames with a larger Size are framing errors; within [4, 65535].
  explicit Decoder(std::size_t max_message_size = kDefaultMaxMessageSize);

  // Appends bytes read from the stream. Ignored once the decoder has failed.
  void feed(std::span<const std::uint8_t> bytes);

  // The next complete frame, decoded; nullopt when more bytes are needed. See the file comment.
  [[nodiscard]] std::optional<core::Result<Message>> next() noexcept;

  [[nodiscard]] bool has_failed() const noexcept { return error_.has_value(); }
  // Bytes fed and not yet returned as frames.
  [[nodiscard]] std::size_t buffered_bytes() const noexcept { return buffer_.size() - read_pos_; }
  [[nodiscard]] std::size_t max_message_size() const noexcept { return max_message_size_; }
  [[nodiscard]] const DecoderStats& stats() const noexcept { return stats_; }

 private:
  std::size_t max_message_size_;
  std::vector<std::uint8_t> buffer_;
  std::size_t read_pos_ = 0;          // start of the first unreturned byte in buffer_
  std::uint64_t stream_offset_ = 0;   // stream position of buffer_[read_pos_], for errors
  std::optional<core::Error> error_;  // set once, on the first framing error
  DecoderStats stats_;
};

}  // namespace daytrader::dtc
