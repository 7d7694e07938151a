#include "dtc/decoder.h"

#include <fmt/format.h>

#include <string>

#include "core/assert.h"
#include "dtc/codec.h"
#include "dtc/wire.h"

namespace daytrader::dtc {

Decoder::Decoder(std::size_t max_message_size) : max_message_size_(max_message_size) {
  DT_ASSERT(max_message_size >= kHeaderSize && max_message_size <= 65535,
            "Decoder max_message_size must be within [4, 65535]");
}

void Decoder::feed(std::span<const std::uint8_t> bytes) {
  if (error_ || bytes.empty()) return;
  // Drop the returned frames first, so the buffer holds at most the unreturned bytes.
  if (read_pos_ > 0) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(read_pos_));
    read_pos_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

std::optional<core::Result<Message>> Decoder::next() noexcept {
  if (error_) return core::Result<Message>(*error_);
  const std::size_t available = buffer_.size() - read_pos_;
  if (available < kHeaderSize) return std::nullopt;

  const std::uint8_t* frame = buffer_.data() + read_pos_;
  const std::uint16_t size = wire::load_u16(frame);
  const std::uint16_t type = wire::load_u16(frame + 2);
  if (size < kHeaderSize || size > max_message_size_) {
    const std::string why = size < kHeaderSize
                                ? fmt::format("is smaller than the {}-byte header", kHeaderSize)
                                : fmt::format("exceeds the {}-byte frame bound", max_message_size_);
    error_ = core::Error{fmt::format(
        "DTC framing error at stream byte {}: Size {} (type {} {}) {}; the stream cannot be "
        "re-synchronised",
        stream_offset_, size, type, message_name(type), why)};
    buffer_.clear();
    read_pos_ = 0;
    return core::Result<Message>(*error_);
  }
  if (available < size) return std::nullopt;

  Message message = decode_frame(std::span<const std::uint8_t>(frame, size));
  ++stats_.frames;
  stats_.bytes += size;
  if (const std::size_t known = known_size(type); known == 0) {
    ++stats_.unknown_types;
  } else if (size < known) {
    ++stats_.shorter_than_known;
  } else if (size > known) {
    ++stats_.longer_than_known;
  }
  read_pos_ += size;
  stream_offset_ += size;
  if (read_pos_ == buffer_.size()) {  // common case: everything consumed, reuse from the start
    buffer_.clear();
    read_pos_ = 0;
  }
  return core::Result<Message>(std::move(message));
}

}  // namespace daytrader::dtc
