#include "dtc/decoder.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include "core/assert.h"
#include "dtc/codec.h"
#include "dtc/json_codec.h"
#include "dtc/wire.h"

namespace daytrader::dtc {

struct Decoder::Inflater {
  z_stream z{};
  InflateLimits limits;
  bool ok = false;
  explicit Inflater(const InflateLimits& l) : limits(l) { ok = inflateInit(&z) == Z_OK; }
  ~Inflater() {
    if (ok) inflateEnd(&z);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
};

Decoder::Decoder(std::size_t max_message_size, std::size_t max_json_message_size)
    : max_message_size_(max_message_size), max_json_message_size_(max_json_message_size) {
  DT_ASSERT(max_message_size >= kHeaderSize && max_message_size <= 65535,
            "Decoder max_message_size must be within [4, 65535]");
  DT_ASSERT(max_json_message_size >= 16, "Decoder max_json_message_size must be at least 16");
}

Decoder::~Decoder() = default;
Decoder::Decoder(Decoder&&) noexcept = default;
Decoder& Decoder::operator=(Decoder&&) noexcept = default;

void Decoder::set_encoding(Encoding encoding) {
  DT_ASSERT(is_spoken(encoding), "Decoder: binary, JSON or compact JSON only");
  encoding_ = encoding;
  detect_json_ = false;
  json_scanned_ = 0;
}

std::size_t Decoder::buffered_bytes() const noexcept {
  return (buffer_.size() - read_pos_) + (compressed_.size() - compressed_pos_);
}

void Decoder::compact_buffer() {
  if (read_pos_ == 0) return;
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(read_pos_));
  read_pos_ = 0;
}

void Decoder::feed(std::span<const std::uint8_t> bytes) {
  if (error_ || bytes.empty()) return;
  if (inflater_) {
    if (compressed_pos_ > 0) {
      compressed_.erase(compressed_.begin(),
                        compressed_.begin() + static_cast<std::ptrdiff_t>(compressed_pos_));
      compressed_pos_ = 0;
    }
    compressed_.insert(compressed_.end(), bytes.begin(), bytes.end());
    return;
  }
  // Drop the returned frames first, so the buffer holds at most the unreturned bytes.
  compact_buffer();
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

void Decoder::start_inflate(const InflateLimits& limits) {
  if (error_ || inflater_) return;
  auto inflater = std::make_unique<Inflater>(limits);
  if (!inflater->ok) {
    (void)fail(core::Error{"DTC zlib: inflateInit failed (out of memory)"});
    return;
  }
  inflater_ = std::move(inflater);
  // Everything not returned yet came after the message that announced the compression.
  compressed_.assign(buffer_.begin() + static_cast<std::ptrdiff_t>(read_pos_), buffer_.end());
  compressed_pos_ = 0;
  buffer_.clear();
  read_pos_ = 0;
  json_scanned_ = 0;
}

core::Result<Message> Decoder::fail(core::Error error) noexcept {
  error_ = std::move(error);
  buffer_.clear();
  buffer_.shrink_to_fit();
  read_pos_ = 0;
  json_scanned_ = 0;
  compressed_.clear();
  compressed_.shrink_to_fit();
  compressed_pos_ = 0;
  inflater_.reset();
  return core::Result<Message>(*error_);
}

std::optional<core::Result<Message>> Decoder::next() noexcept {
  if (error_) return core::Result<Message>(*error_);
  for (;;) {
    if (detect_json_ && read_pos_ < buffer_.size()) {
      // Only the stream's very first byte decides: '{' cannot start a binary LOGON_REQUEST or
      // ENCODING_REQUEST of any size the protocol's editions use.
      if (stream_offset_ == 0 && buffer_[read_pos_] == '{') encoding_ = Encoding::kJson;
      detect_json_ = false;
    }
    auto frame = is_json(encoding_) ? next_json() : next_binary();
    if (frame) return frame;
    if (!inflater_) return std::nullopt;
    if (!inflate_some()) {
      if (error_) return core::Result<Message>(*error_);
      return std::nullopt;
    }
  }
}

std::optional<core::Result<Message>> Decoder::next_binary() noexcept {
  const std::size_t available = buffer_.size() - read_pos_;
  if (available < kHeaderSize) return std::nullopt;

  const std::uint8_t* frame = buffer_.data() + read_pos_;
  const std::uint16_t size = wire::load_u16(frame);
  const std::uint16_t type = wire::load_u16(frame + 2);
  if (size < kHeaderSize || size > max_message_size_) {
    const std::string why = size < kHeaderSize
                                ? fmt::format("is smaller than the {}-byte header", kHeaderSize)
                                : fmt::format("exceeds the {}-byte frame bound", max_message_size_);
    // '{"' read as a Size is 8827: a peer speaking JSON while the binary encoding is in force.
    const bool looks_json = frame[0] == '{' && (frame[1] == '"' || frame[1] == ' ' || frame[1] == '\n');
    return fail(core::Error{fmt::format(
        "DTC framing error at stream byte {}: Size {} (type {} {}) {}; the stream cannot be "
        "re-synchronised{}",
        stream_offset_, size, type, message_name(type), why,
        looks_json ? " (the bytes look like JSON text, but the binary encoding is in force: an encoding "
                     "mismatch)"
                   : "")});
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
  last_form_ = Encoding::kBinary;
  read_pos_ += size;
  stream_offset_ += size;
  if (read_pos_ == buffer_.size()) {  // common case: everything consumed, reuse from the start
    buffer_.clear();
    read_pos_ = 0;
  }
  return core::Result<Message>(std::move(message));
}

std::optional<core::Result<Message>> Decoder::next_json() noexcept {
  for (;;) {
    const std::size_t available = buffer_.size() - read_pos_;
    const std::uint8_t* begin = buffer_.data() + read_pos_;
    const void* nul = available > json_scanned_
                          ? std::memchr(begin + json_scanned_, 0, available - json_scanned_)
                          : nullptr;
    const std::size_t length =
        nul != nullptr ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(nul) - begin) : available;
    if (length > max_json_message_size_) {
      const bool looks_binary = available > 0 && begin[0] != '{' && begin[0] != ' ' && begin[0] != '\n';
      return fail(core::Error{fmt::format(
          "DTC JSON framing error at stream byte {}: {} bytes without the NUL that ends a message, more than "
          "the {}-byte message bound{}",
          stream_offset_, length, max_json_message_size_,
          looks_binary ? " (the bytes do not start with '{': binary data while a JSON encoding is in force?)"
                       : "")});
    }
    if (nul == nullptr) {
      json_scanned_ = available;
      return std::nullopt;
    }
    const std::string_view text(reinterpret_cast<const char*>(begin), length);
    const std::uint64_t at = stream_offset_;
    read_pos_ += length + 1;
    stream_offset_ += length + 1;
    json_scanned_ = 0;
    // `text` points into the buffer: it is cleared (when used up) only after decoding.
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      if (read_pos_ == buffer_.size()) {
        buffer_.clear();
        read_pos_ = 0;
      }
      continue;  // an empty message (a stray NUL or a line break): nothing to decode
    }
    Encoding form = Encoding::kJson;
    auto decoded = decode_json(text, &form);
    if (read_pos_ == buffer_.size()) {
      buffer_.clear();
      read_pos_ = 0;
    }
    if (!decoded)
      return fail(core::Error{fmt::format("{} (at stream byte {})", decoded.error().message, at)});
    ++stats_.frames;
    stats_.bytes += length + 1;
    if (std::holds_alternative<UnknownMessage>(decoded.value())) ++stats_.unknown_types;
    last_form_ = form;
    return decoded;
  }
}

bool Decoder::inflate_some() noexcept {
  if (compressed_pos_ >= compressed_.size()) return false;
  z_stream& z = inflater_->z;
  constexpr std::size_t kChunk = 64 * 1024;
  compact_buffer();
  const std::size_t old = buffer_.size();
  buffer_.resize(old + kChunk);
  const std::size_t in_avail =
      std::min<std::size_t>(compressed_.size() - compressed_pos_, std::numeric_limits<uInt>::max());
  z.next_in = compressed_.data() + compressed_pos_;
  z.avail_in = static_cast<uInt>(in_avail);
  z.next_out = buffer_.data() + old;
  z.avail_out = static_cast<uInt>(kChunk);
  const int rc = inflate(&z, Z_NO_FLUSH);
  const std::size_t used = in_avail - z.avail_in;
  const std::size_t made = kChunk - z.avail_out;
  buffer_.resize(old + made);
  compressed_pos_ += used;
  stats_.compressed_bytes += used;
  stats_.inflated_bytes += made;
  if (rc == Z_STREAM_END) {
    // The stream is over: what follows it is plain again.
    buffer_.insert(buffer_.end(), compressed_.begin() + static_cast<std::ptrdiff_t>(compressed_pos_),
                   compressed_.end());
    compressed_.clear();
    compressed_pos_ = 0;
    inflater_.reset();
    return true;
  }
  if (rc != Z_OK && rc != Z_BUF_ERROR) {
    (void)fail(
        core::Error{fmt::format("DTC zlib: inflate failed after {} compressed bytes: {} (zlib error {})",
                                stats_.compressed_bytes, z.msg != nullptr ? z.msg : "corrupt data", rc)});
    return false;
  }
  const InflateLimits& lim = inflater_->limits;
  if (stats_.inflated_bytes > lim.max_inflated_bytes) {
    (void)fail(core::Error{fmt::format(
        "DTC zlib: the compressed data inflated to more than {} bytes, the limit (from {} compressed bytes); "
        "refusing it as a zip bomb",
        lim.max_inflated_bytes, stats_.compressed_bytes)});
    return false;
  }
  if (stats_.inflated_bytes > lim.ratio_floor_bytes &&
      static_cast<double>(stats_.inflated_bytes) >
          lim.max_ratio * static_cast<double>(stats_.compressed_bytes)) {
    (void)fail(
        core::Error{fmt::format("DTC zlib: {} compressed bytes inflated to {} bytes, a ratio above the "
                                "{:.0f} : 1 limit; refusing it as a "
                                "zip bomb",
                                stats_.compressed_bytes, stats_.inflated_bytes, lim.max_ratio)});
    return false;
  }
  return used > 0 || made > 0;
}

}  // namespace daytrader::dtc
