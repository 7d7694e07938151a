#pragma once
// Decoder: the sans-I/O framer of a DTC byte stream (dtc.md §9.1), in the binary encoding or
// one of the JSON encodings (json_codec.h), optionally behind zlib (§6.7).
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
// bytes), a Message for each complete frame, and an error when the stream is unusable:
//   - binary: a Size below the 4-byte header (0 included) or above the decoder's bound;
//   - JSON: a message whose NUL terminator has not come within the JSON bound, or whose text is
//     not a DTC message (json_codec.h says which: bad JSON, too deep, wrong field types, ...);
//   - zlib: inflate failed, or the inflated size passed its limits (a zip bomb).
// The error is sticky: every later next() returns it again and feed() drops its input. The
// caller closes the connection with the message.
//
// Encodings: binary until set_encoding() says otherwise; the switch applies to the bytes not
// returned yet, so a session switches right after handling the ENCODING_RESPONSE (or REQUEST)
// even when the peer's next message came in the same read. detect_json_at_start() (server):
// a stream whose very first byte is '{' is JSON, for a client that logs on in JSON without an
// ENCODING_REQUEST.
//
// zlib (§6.7): start_inflate() makes every byte not returned yet, and every byte fed later, one
// zlib stream (RFC 1950) whose output is framed as above; after the stream's end, the bytes that
// follow are plain again. Inflation is lazy: next() inflates only as much as it needs for the
// next frame, so a small compressed input never becomes a large buffer at once.
//
// Unknown types are not errors: they come out as UnknownMessage and are counted in stats().
//
// Memory: the error is reported as soon as the header (binary) or the bound (JSON) shows the
// frame is impossible, so a hostile peer never makes the decoder buffer more than one frame's
// bound. What is buffered beyond that is what the caller fed and has not pulled yet; pulling every
// frame after each feed() keeps the buffer below one frame plus one read.

#include <cstddef>
#include <cstdint>
#include <memory>
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
  std::uint64_t bytes = 0;               // bytes of those frames (JSON: text and terminator)
  std::uint64_t unknown_types = 0;       // frames returned as UnknownMessage
  std::uint64_t shorter_than_known = 0;  // older peer: the missing fields took defaults
  std::uint64_t longer_than_known = 0;   // newer peer: the unknown tail was ignored
  std::uint64_t compressed_bytes = 0;    // zlib input consumed
  std::uint64_t inflated_bytes = 0;      // zlib output produced
};

// Bounds of one zlib stream (a zip bomb is a small input that inflates without end).
struct InflateLimits {
  std::uint64_t max_inflated_bytes = std::uint64_t{4} << 30;  // 4 GiB: years of ES ticks
  // Past ratio_floor_bytes of output, output / input may not exceed max_ratio. Tick records
  // compress about 5-20 : 1; deflate's own maximum is about 1032 : 1.
  double max_ratio = 200;
  std::uint64_t ratio_floor_bytes = std::uint64_t{1} << 20;
};

class Decoder {
 public:
  // max_message_size: binary frames with a larger Size are framing errors; within [4, 65535].
  // max_json_message_size: JSON text without a terminator within this many bytes is one.
  explicit Decoder(std::size_t max_message_size = kDefaultMaxMessageSize,
                   std::size_t max_json_message_size = kDefaultMaxJsonMessageSize);
  ~Decoder();
  Decoder(Decoder&&) noexcept;
  Decoder& operator=(Decoder&&) noexcept;

  // Appends bytes read from the stream. Ignored once the decoder has failed.
  void feed(std::span<const std::uint8_t> bytes);

  // The next complete frame, decoded; nullopt when more bytes are needed. See the file comment.
  [[nodiscard]] std::optional<core::Result<Message>> next() noexcept;

  // kBinary, kJson or kJsonCompact (both JSON forms are read either way; see json_codec.h).
  void set_encoding(Encoding encoding);
  [[nodiscard]] Encoding encoding() const noexcept { return encoding_; }
  void detect_json_at_start(bool on) noexcept { detect_json_ = on; }
  // The form of the last frame returned: kBinary, kJson or kJsonCompact.
  [[nodiscard]] Encoding last_form() const noexcept { return last_form_; }

  // See the file comment. Idempotent while a stream is being inflated.
  void start_inflate(const InflateLimits& limits = {});
  [[nodiscard]] bool is_inflating() const noexcept { return inflater_ != nullptr; }

  [[nodiscard]] bool has_failed() const noexcept { return error_.has_value(); }
  // Bytes fed and not yet returned as frames (zlib input not inflated yet included).
  [[nodiscard]] std::size_t buffered_bytes() const noexcept;
  [[nodiscard]] std::size_t max_message_size() const noexcept { return max_message_size_; }
  [[nodiscard]] std::size_t max_json_message_size() const noexcept { return max_json_message_size_; }
  [[nodiscard]] const DecoderStats& stats() const noexcept { return stats_; }

 private:
  struct Inflater;  // zlib's z_stream, which must not move

  std::optional<core::Result<Message>> next_binary() noexcept;
  std::optional<core::Result<Message>> next_json() noexcept;
  // Inflates more into buffer_; false when it needs more input (or failed: error_ is set).
  bool inflate_some() noexcept;
  core::Result<Message> fail(core::Error error) noexcept;
  void compact_buffer();

  std::size_t max_message_size_;
  std::size_t max_json_message_size_;
  Encoding encoding_ = Encoding::kBinary;
  Encoding last_form_ = Encoding::kBinary;
  bool detect_json_ = false;
  std::vector<std::uint8_t> buffer_;  // plain (inflated) bytes
  std::size_t read_pos_ = 0;          // start of the first unreturned byte in buffer_
  std::size_t json_scanned_ = 0;      // JSON: bytes after read_pos_ known to hold no NUL
  std::uint64_t stream_offset_ = 0;   // plain stream position of buffer_[read_pos_], for errors
  std::unique_ptr<Inflater> inflater_;
  std::vector<std::uint8_t> compressed_;  // zlib input not inflated yet
  std::size_t compressed_pos_ = 0;
  std::optional<core::Error> error_;  // set once, on the first framing error
  DecoderStats stats_;
};

}  // namespace daytrader::dtc
