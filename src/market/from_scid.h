#pragma once
// SCID records -> Trade / Quote. Header-only so the bar builder's hot loop inlines it.

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "core/instrument.h"
#include "market/trade.h"
#include "scid/scid_format.h"

namespace daytrader::market {

enum class ScidEvent : std::uint8_t { kSkip, kTrade, kQuote, kBadPrice, kBadTime };

// Converts one record. Tick records become a Trade (Close = price, side from Bid/AskVolume) or a
// Quote (High = ask, Low = bid); bar records become one Trade at the bar's close carrying the
// bar's volume and trade count (a footprint from bar records is approximate, as in Sierra).
class ScidAdapter {
 public:
  explicit ScidAdapter(const core::Instrument& instrument) : inv_tick_(1.0 / instrument.tick_size) {}

  [[nodiscard]] ScidEvent convert(const scid::Record& r, Trade& trade, Quote& quote) const noexcept {
    const scid::RecordKind kind = scid::classify(r);
    if (kind == scid::RecordKind::kEmpty) [[unlikely]] return ScidEvent::kSkip;
    const auto t = scid::decode_time(r.date_time);
    if (!t) [[unlikely]] return ScidEvent::kBadTime;
    if (kind == scid::RecordKind::kQuote) [[unlikely]] {
      if (!to_ticks(r.low, quote.bid) || !to_ticks(r.high, quote.ask)) return ScidEvent::kBadPrice;
      quote.ts = *t;
      return ScidEvent::kQuote;
    }
    if (!to_ticks(r.close, trade.price)) [[unlikely]] return ScidEvent::kBadPrice;
    trade.ts = *t;
    trade.volume = r.total_volume;
    trade.bid_volume = r.bid_volume;
    trade.ask_volume = r.ask_volume;
    trade.num_trades = r.num_trades;
    if (kind == scid::RecordKind::kTrade) [[likely]] {
      quote.ts = *t;
      // A tick's quote is informative only when both sides are present.
      if (r.high > 0 && r.low > 0 && to_ticks(r.low, quote.bid) && to_ticks(r.high, quote.ask))
        return ScidEvent::kTrade;
      quote.bid = quote.ask = core::Ticks(0);
    }
    return ScidEvent::kTrade;
  }

 private:
  // Float prices of ES are exact multiples of 0.25, so price / 0.25 is an exact integer and the
  // first test settles it; other tick sizes (0.1, 0.01) are not exact in float32 and take the
  // tolerant path.
  [[nodiscard]] bool to_ticks(float price, core::Ticks& out) const noexcept {
    const double x = static_cast<double>(price) * inv_tick_;
    if (!(std::fabs(x) < 9.0e15)) [[unlikely]] return false;  // also rejects NaN
    const auto k = static_cast<std::int64_t>(x);
    if (static_cast<double>(k) == x) [[likely]] {
      out = core::Ticks(k);
      return true;
    }
    const auto r = static_cast<std::int64_t>(x < 0 ? x - 0.5 : x + 0.5);
    out = core::Ticks(r);
    const double err = x - static_cast<double>(r);
    return err <= 1e-2 && err >= -1e-2;  // float32 rounding of other tick sizes
  }
  double inv_tick_;
};

}  // namespace daytrader::market
