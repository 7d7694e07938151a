#pragma once
// Sierra Chart intraday data file (.scid) layout: a 56-byte header and 40-byte records, all
// little-endian (the file is a raw image of Sierra's x86 structs). Facts: shared/spec/scid.md.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>

#include "core/timestamp.h"

namespace daytrader::scid {

static_assert(std::endian::native == std::endian::little,
              "the SCID reader maps records in place and needs a little-endian host");

inline constexpr std::uint32_t kMagic = 0x44494353;  // "SCID" read as a little-endian uint32
inline constexpr std::uint32_t kHeaderSize = 56;
inline constexpr std::uint32_t kRecordSize = 40;
inline constexpr std::uint16_t kVersion = 1;

// Open-field markers of tick records; compare by bit pattern, they are 8 ULPs apart.
inline constexpr std::uint32_t kSingleTradeBits = 0x00000000u;
inline constexpr std::uint32_t kFirstSubTradeBits = 0xFD709EF9u;
inline constexpr std::uint32_t kLastSubTradeBits = 0xFD709F01u;
inline const float kFirstSubTrade = std::bit_cast<float>(kFirstSubTradeBits);
inline const float kLastSubTrade = std::bit_cast<float>(kLastSubTradeBits);

struct Header {
  std::uint32_t magic = kMagic;
  std::uint32_t header_size = kHeaderSize;
  std::uint32_t record_size = kRecordSize;
  std::uint16_t version = kVersion;
  std::uint16_t unused1 = 0;
  std::uint32_t utc_start_index = 0;
  std::uint8_t reserve[36] = {};
};
static_assert(sizeof(Header) == kHeaderSize);

// One record exactly as on disk. For tick records High is the best ask, Low the best bid,
// Close the trade price and Open a marker; for bar records they are ordinary OHLC.
struct Record {
  std::int64_t date_time = 0;  // microseconds since 1899-12-30 00:00 UTC (see time.h)
  float open = 0;
  float high = 0;
  float low = 0;
  float close = 0;
  std::uint32_t num_trades = 0;
  std::uint32_t total_volume = 0;
  std::uint32_t bid_volume = 0;
  std::uint32_t ask_volume = 0;
};
static_assert(sizeof(Record) == kRecordSize);
static_assert(offsetof(Record, open) == 8 && offsetof(Record, num_trades) == 24 &&
              offsetof(Record, ask_volume) == 36);

enum class RecordKind : std::uint8_t {
  kEmpty,  // all zero: skip
  kQuote,  // best bid/ask update without a trade
  kTrade,  // one trade with the bid/ask at the time
  kBar,    // aggregated OHLC record (or a quote-less tick)
};

// Sierra's own classification order (spec section 5.2).
[[nodiscard]] inline RecordKind classify(const Record& r) noexcept {
  const std::uint32_t open_bits = std::bit_cast<std::uint32_t>(r.open) & 0x7FFFFFFFu;
  const bool marker = open_bits == 0 || std::bit_cast<std::uint32_t>(r.open) == kFirstSubTradeBits ||
                      std::bit_cast<std::uint32_t>(r.open) == kLastSubTradeBits;
  if (r.num_trades == 1 && marker) [[likely]] {
    if (open_bits == 0 && r.total_volume == 0 && r.high != 0 && r.low != 0) return RecordKind::kQuote;
    return RecordKind::kTrade;
  }
  if (r.date_time == 0 && r.open == 0 && r.high == 0 && r.low == 0 && r.close == 0 &&
      r.num_trades == 0 && r.total_volume == 0)
    return RecordKind::kEmpty;
  return RecordKind::kBar;
}

// --- DateTime ---------------------------------------------------------------------------
// Microseconds between 1899-12-30 and 1970-01-01.
inline constexpr std::int64_t kEpochOffsetUs = 2'209'161'600'000'000;
inline constexpr std::int64_t kUsPerDay = 86'400'000'000;
// Plausible modern values lie in about 2.8e15..6.3e15; above 1e17 is a legacy double.
inline constexpr std::int64_t kMaxIntegerDateTime = 100'000'000'000'000'000;
// core::Timestamp is int64 nanoseconds since 1970, so it ends in 2262-04-11. A trade's session
// (and the next one, after a weekend) closes up to a few days after it, and must fit too: the
// largest SCID DateTime (microseconds since 1899-12-30) accepted is a week before that end,
// 2262-04-04 23:47:16.854775 UTC.
inline constexpr std::int64_t kMaxRepresentableDateTime =
    std::numeric_limits<std::int64_t>::max() / 1000 + kEpochOffsetUs - 7 * kUsPerDay;
inline constexpr double kMaxRepresentableDays =
    static_cast<double>(kMaxRepresentableDateTime / kUsPerDay);  // 132,313 days: 2262-04-04

enum class TimeError : std::uint8_t { kNone, kNotATime, kOutOfRange };

// Why decode_time() refuses a value: neither form at all, or a valid form past 2262.
[[nodiscard]] inline TimeError classify_time(std::int64_t raw) noexcept {
  if (raw > 0 && raw < kMaxIntegerDateTime) [[likely]]
    return raw <= kMaxRepresentableDateTime ? TimeError::kNone : TimeError::kOutOfRange;
  const double days = std::bit_cast<double>(raw);
  if (!(days >= 1.0 && days <= 2'958'465.0)) return TimeError::kNotATime;
  return days < kMaxRepresentableDays ? TimeError::kNone : TimeError::kOutOfRange;
}

// Decodes a record's DateTime, integer microseconds or the legacy double of days.
// nullopt for a value that is neither, or one past the range of core::Timestamp (2262);
// classify_time() tells which.
[[nodiscard]] inline std::optional<core::Timestamp> decode_time(std::int64_t raw) noexcept {
  if (raw > 0 && raw < kMaxIntegerDateTime) [[likely]] {
    if (raw > kMaxRepresentableDateTime) [[unlikely]] return std::nullopt;
    return core::from_unix_ns((raw - kEpochOffsetUs) * 1000);
  }
  const double days = std::bit_cast<double>(raw);
  if (!(days >= 1.0 && days < kMaxRepresentableDays)) return std::nullopt;
  const auto us = static_cast<std::int64_t>(days * static_cast<double>(kUsPerDay) + 0.5);
  return core::from_unix_ns((us - kEpochOffsetUs) * 1000);
}

[[nodiscard]] inline std::int64_t encode_time(core::Timestamp t) noexcept {
  // Floors to the microsecond; SCID has no finer resolution.
  const std::int64_t ns = core::to_unix_ns(t);
  const std::int64_t us = ns >= 0 ? ns / 1000 : -((-ns + 999) / 1000);
  return us + kEpochOffsetUs;
}

}  // namespace daytrader::scid
