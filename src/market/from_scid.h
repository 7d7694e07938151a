#pragma once
// SCID records -> Trade / Quote. Header-only so the bar builder's hot loop inlines it.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "core/instrument.h"
#include "market/trade.h"
#include "scid/scid_format.h"

namespace daytrader::market {

// kBar only from the overload that takes a BarExtent; the 3-argument convert() reports a bar
// record as kTrade at its close. kBadPrice: off the tick grid, not finite, or outside the
// instrument's price band; kZeroVolume: a trade or bar record with no volume.
enum class ScidEvent : std::uint8_t { kSkip, kTrade, kQuote, kBadPrice, kBadTime, kZeroVolume, kBar };

// Prices accepted from a file, in index points: min_price < price <= max_price. A bad print far
// outside (0, a negative price, 1e8) would otherwise make a bar allocate one slot per tick of its
// range. The defaults suit ES (trading near 1,000-7,000 points).
struct PriceBand {
  double min_price = 0.0;          // exclusive: price 0 and negative prices are refused
  double max_price = 1'000'000.0;  // inclusive
  // False for NaN as well. Text readers (interop/) check their prices with this too.
  [[nodiscard]] bool contains(double price) const noexcept { return price > min_price && price <= max_price; }
};

// The open, high and low of a bar record (its close and totals are in the Trade).
struct BarExtent {
  core::Ticks open;
  core::Ticks high;
  core::Ticks low;
};

// Converts one record. Tick records become a Trade (Close = price, side from Bid/AskVolume) or a
// Quote (High = ask, Low = bid). Bar records (Sierra's storage unit is not 1 tick) become a Trade
// at the bar's close carrying the bar's volume, bid/ask volume and trade count, plus (4-argument
// form) the record's open, high and low, which bars::FootprintBuilder::on_bar_record keeps exact.
class ScidAdapter {
 public:
  explicit ScidAdapter(const core::Instrument& instrument, PriceBand band = {})
      : inv_tick_(1.0 / instrument.tick_size), band_(band) {}

  [[nodiscard]] ScidEvent convert(const scid::Record& r, Trade& trade, Quote& quote) const noexcept {
    BarExtent extent;
    const ScidEvent e = convert(r, trade, quote, extent);
    return e == ScidEvent::kBar ? ScidEvent::kTrade : e;
  }

  [[nodiscard]] ScidEvent convert(const scid::Record& r, Trade& trade, Quote& quote,
                                  BarExtent& extent) const noexcept {
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
    if (r.total_volume == 0) [[unlikely]] return ScidEvent::kZeroVolume;
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
      return ScidEvent::kTrade;
    }
    if (!to_ticks(r.open, extent.open) || !to_ticks(r.high, extent.high) || !to_ticks(r.low, extent.low))
      return ScidEvent::kBadPrice;
    // A quote-less tick (O = H = L = C) is a one-price bar; a bar whose close or open lies
    // outside its own high..low is widened to hold them, so OHLC stays consistent.
    extent.high = std::max({extent.high, extent.open, trade.price});
    extent.low = std::min({extent.low, extent.open, trade.price});
    return ScidEvent::kBar;
  }

  [[nodiscard]] const PriceBand& band() const noexcept { return band_; }

 private:
  // Float prices of ES are exact multiples of 0.25, so price / 0.25 is an exact integer and the
  // first test settles it; other tick sizes (0.1, 0.01) are not exact in float32 and take the
  // tolerant path.
  [[nodiscard]] bool to_ticks(float price, core::Ticks& out) const noexcept {
    const auto p = static_cast<double>(price);
    if (!(p > band_.min_price && p <= band_.max_price)) [[unlikely]] return false;  // also NaN
    const double x = p * inv_tick_;
    if (!(std::fabs(x) < 9.0e15)) [[unlikely]] return false;  // also rejects NaN
    const auto k = static_cast<std::int64_t>(x);
    if (static_cast<double>(k) == x) [[likely]] {
      out = core::Ticks(k);
      return true;
    }
    const auto r = static_cast<std::int64_t>(x < 0 ? x - 0.5 : x + 0.5);
    out = core::Ticks(r);
    const double err = x - static_cast<double>(r);
    // The tick it rounds to must be in the band too: 1e-40 is above 0 but rounds to price 0.
    const double snapped = static_cast<double>(r) / inv_tick_;
    return err <= 1e-2 && err >= -1e-2 &&  // float32 rounding of other tick sizes
           snapped > band_.min_price && snapped <= band_.max_price;
  }
  double inv_tick_;
  PriceBand band_;
};

}  // namespace daytrader::market
