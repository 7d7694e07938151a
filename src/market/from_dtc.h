#pragma once
// DTC market data messages -> Trade / Quote: the live side of the seam (market/trade.h).
// Header-only like from_scid.h. Uses only the message structs of dtc/ (no sessions, no I/O);
// code including it links daytrader_dtc anyway, since that is where the messages come from.
//
// Prices: DTC sends doubles (or floats); they become ticks through the instrument, rounding to
// the nearest tick and refusing values off the grid (STYLE.md "Units"). float prices of
// instruments whose tick is not a power of two (0.1, 0.01) are checked with a float tolerance.
// Times: every DTC time unit becomes core::Timestamp (UTC ns) here and nowhere else:
//   - double Unix seconds with a fraction (107, 108 snapshot times, 137, 804): rounded to the
//     microsecond, the finest unit any DTC source carries (SCID records are microseconds);
//   - uint32 Unix seconds (108, 112, 117);
//   - int64 whose unit is classified by magnitude (dtc.md §2.4): < 1e11 seconds, < 1e14
//     milliseconds, else microseconds (144, 146, 803).
// Messages without a timestamp (142, 143) take the time of the previous timestamped trade (142)
// or quote (143) of the same SymbolID, as §5.5/§5.6 prescribe, which the adapter remembers;
// before any, `received` (the caller's receive time), or kBadTime when that is unset.
//
// Every trade and quote variant a DTC server may send (§5.9) converts the same way: 107, 112,
// 137, 142, 146 to Trade; 108, 117, 143, 144 to Quote. A trade's side comes from AtBidOrAsk
// (uint16 or uint8 form); compact (112/117) times are whole seconds, as the protocol sends them.

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>

#include "core/instrument.h"
#include "core/timestamp.h"
#include "dtc/message.h"
#include "market/trade.h"

namespace daytrader::market {

// --- time ----------------------------------------------------------------------------------

[[nodiscard]] inline std::optional<core::Timestamp> from_dtc_seconds(double unix_s) noexcept {
  if (!(unix_s > 0) || !(unix_s < 1e11)) return std::nullopt;  // also rejects NaN, 0 = unset
  const auto us = static_cast<std::int64_t>(std::llround(unix_s * 1e6));
  return core::from_unix_ns(us * 1000);
}

[[nodiscard]] inline std::optional<core::Timestamp> from_dtc_seconds(std::uint32_t unix_s) noexcept {
  if (unix_s == 0) return std::nullopt;
  return core::from_unix_ns(static_cast<std::int64_t>(unix_s) * 1'000'000'000);
}

// §2.4's rule for 64-bit integer times of uncertain unit.
[[nodiscard]] inline std::optional<core::Timestamp> from_dtc_integer_time(std::int64_t v) noexcept {
  if (v <= 0) return std::nullopt;
  if (v < 100'000'000'000) return core::from_unix_ns(v * 1'000'000'000);  // seconds
  if (v < 100'000'000'000'000) return core::from_unix_ns(v * 1'000'000);  // milliseconds
  if (v < 9'000'000'000'000'000) return core::from_unix_ns(v * 1'000);    // microseconds
  return std::nullopt;
}

// Unix seconds with a fraction, as DTC's double time fields carry them.
[[nodiscard]] inline double to_dtc_seconds(core::Timestamp t) noexcept {
  // Through whole microseconds so that from_dtc_seconds() gives t back exactly.
  const std::int64_t us = core::to_unix_ns(t) / 1000;
  return static_cast<double>(us) / 1e6;
}

// --- prices --------------------------------------------------------------------------------

enum class DtcEvent : std::uint8_t {
  kSkip,      // not a trade or quote message, or the quote carries no price at all
  kTrade,     // `trade` was filled in
  kQuote,     // `quote` was filled in
  kBadPrice,  // a price off the tick grid, or non-finite
  kBadTime,   // a time of 0 or out of range
};

class DtcAdapter {
 public:
  explicit DtcAdapter(const core::Instrument& instrument) : instrument_(instrument) {}

  // Converts one message. For the quote messages a side sent as "unset" (DBL_MAX / FLT_MAX)
  // keeps the previous value of that side, since a DTC bid/ask update may change one side only.
  // Not const: it remembers each SymbolID's last trade and quote time for 142 and 143.
  // `received` is used by those before any time is known.
  [[nodiscard]] DtcEvent convert(const dtc::Message& m, core::Timestamp received, Trade& trade,
                                 Quote& quote) noexcept {
    using namespace dtc;
    if (const auto* t = std::get_if<MarketDataUpdateTrade>(&m))
      return make_trade(t->price, t->volume, side(t->at_bid_or_ask),
                        timed_trade(t->symbol_id, from_dtc_seconds(t->date_time)), trade);
    if (const auto* t = std::get_if<MarketDataUpdateTradeCompact>(&m))
      return make_trade(t->price, t->volume, side(t->at_bid_or_ask),
                        timed_trade(t->symbol_id, from_dtc_seconds(t->date_time)), trade);
    if (const auto* t = std::get_if<MarketDataUpdateTradeWithUnbundledIndicator>(&m))
      return make_trade(t->price, t->volume, side(t->at_bid_or_ask),
                        timed_trade(t->symbol_id, from_dtc_seconds(t->date_time)), trade);
    if (const auto* t = std::get_if<MarketDataUpdateTradeWithUnbundledIndicator2>(&m))
      return make_trade(t->price, t->volume, side(t->at_bid_or_ask),
                        timed_trade(t->symbol_id, from_dtc_integer_time(t->date_time)), trade);
    if (const auto* t = std::get_if<MarketDataUpdateTradeNoTimestamp>(&m))
      return make_trade(t->price, t->volume, side(t->at_bid_or_ask), untimed(t->symbol_id, false, received),
                        trade);
    if (const auto* q = std::get_if<MarketDataUpdateBidAsk>(&m))
      return make_quote(q->bid_price, q->ask_price, timed_quote(q->symbol_id, from_dtc_seconds(q->date_time)),
                        quote);
    if (const auto* q = std::get_if<MarketDataUpdateBidAskCompact>(&m))
      return make_quote(q->bid_price, q->ask_price, timed_quote(q->symbol_id, from_dtc_seconds(q->date_time)),
                        quote);
    if (const auto* q = std::get_if<MarketDataUpdateBidAskFloatWithMicroseconds>(&m))
      return make_quote(q->bid_price, q->ask_price,
                        timed_quote(q->symbol_id, from_dtc_integer_time(q->date_time)), quote);
    if (const auto* q = std::get_if<MarketDataUpdateBidAskNoTimestamp>(&m))
      return make_quote(q->bid_price, q->ask_price, untimed(q->symbol_id, true, received), quote);
    return DtcEvent::kSkip;
  }

  // The SymbolID of a trade or quote message (every variant), nullopt for any other message.
  [[nodiscard]] static std::optional<std::uint32_t> symbol_id(const dtc::Message& m) noexcept {
    return std::visit(
        []<class M>(const M& x) -> std::optional<std::uint32_t> {
          using namespace dtc;
          if constexpr (std::is_same_v<M, MarketDataUpdateTrade> ||
                        std::is_same_v<M, MarketDataUpdateTradeCompact> ||
                        std::is_same_v<M, MarketDataUpdateTradeWithUnbundledIndicator> ||
                        std::is_same_v<M, MarketDataUpdateTradeWithUnbundledIndicator2> ||
                        std::is_same_v<M, MarketDataUpdateTradeNoTimestamp> ||
                        std::is_same_v<M, MarketDataUpdateBidAsk> ||
                        std::is_same_v<M, MarketDataUpdateBidAskCompact> ||
                        std::is_same_v<M, MarketDataUpdateBidAskFloatWithMicroseconds> ||
                        std::is_same_v<M, MarketDataUpdateBidAskNoTimestamp>) {
            return x.symbol_id;
          } else {
            (void)x;
            return std::nullopt;
          }
        },
        m);
  }

  // One price, double or float, in ticks; false off the grid.
  [[nodiscard]] bool to_ticks(double price, core::Ticks& out) const noexcept {
    return instrument_.try_to_ticks(price, out);
  }
  [[nodiscard]] bool to_ticks(float price, core::Ticks& out) const noexcept {
    if (instrument_.try_to_ticks(static_cast<double>(price), out)) return true;
    // float32 cannot hold 0.1-multiples exactly: accept 1e-2 tick of float rounding.
    const double x = static_cast<double>(price) / instrument_.tick_size;
    if (!(std::fabs(x) < 9.0e15)) return false;
    const double r = std::nearbyint(x);
    out = core::Ticks(static_cast<std::int64_t>(r));
    return std::fabs(x - r) <= 1e-2;
  }

 private:
  static dtc::AtBidOrAsk side(dtc::AtBidOrAsk s) noexcept { return s; }
  static dtc::AtBidOrAsk side(dtc::AtBidOrAsk8 s) noexcept {
    return static_cast<dtc::AtBidOrAsk>(static_cast<std::uint16_t>(s));
  }

  template <class P, class V>
  DtcEvent make_trade(P price, V volume, dtc::AtBidOrAsk side, std::optional<core::Timestamp> ts,
                      Trade& trade) const noexcept {
    if (!ts) return DtcEvent::kBadTime;
    core::Ticks ticks;
    if (!to_ticks(price, ticks)) return DtcEvent::kBadPrice;
    const double v = static_cast<double>(volume);
    if (!(v >= 0 && v < 4.0e9)) return DtcEvent::kBadPrice;
    trade.ts = *ts;
    trade.price = ticks;
    trade.volume = static_cast<std::uint32_t>(std::llround(v));
    trade.bid_volume = side == dtc::AtBidOrAsk::kAtBid ? trade.volume : 0;
    trade.ask_volume = side == dtc::AtBidOrAsk::kAtAsk ? trade.volume : 0;
    trade.num_trades = 1;
    return DtcEvent::kTrade;
  }

  template <class P>
  DtcEvent make_quote(P bid, P ask, std::optional<core::Timestamp> ts, Quote& quote) const noexcept {
    if (!ts) return DtcEvent::kBadTime;
    constexpr P kUnset =
        std::is_same_v<P, float> ? static_cast<P>(dtc::kUnsetFloat) : static_cast<P>(dtc::kUnsetDouble);
    const bool has_bid = bid != kUnset;
    const bool has_ask = ask != kUnset;
    if (!has_bid && !has_ask) return DtcEvent::kSkip;
    core::Ticks b = quote.bid, a = quote.ask;
    if (has_bid && !to_ticks(bid, b)) return DtcEvent::kBadPrice;
    if (has_ask && !to_ticks(ask, a)) return DtcEvent::kBadPrice;
    quote.bid = b;
    quote.ask = a;
    quote.ts = *ts;
    return DtcEvent::kQuote;
  }

  // The last times per SymbolID that 142/143 reuse. A handful of symbols at most: a small
  // table, the least recently added entry replaced when it is full (noexcept, no allocation).
  struct LastTimes {
    std::uint32_t symbol_id = 0;
    std::optional<core::Timestamp> trade;
    std::optional<core::Timestamp> quote;
  };
  LastTimes& times_of(std::uint32_t symbol_id) noexcept {
    for (std::size_t i = 0; i < used_; ++i)
      if (times_[i].symbol_id == symbol_id) return times_[i];
    LastTimes& slot = used_ < times_.size() ? times_[used_++] : times_[next_victim_++ % times_.size()];
    slot = LastTimes{symbol_id, std::nullopt, std::nullopt};
    return slot;
  }
  std::optional<core::Timestamp> timed_trade(std::uint32_t symbol_id,
                                             std::optional<core::Timestamp> t) noexcept {
    if (t) times_of(symbol_id).trade = t;
    return t;
  }
  std::optional<core::Timestamp> timed_quote(std::uint32_t symbol_id,
                                             std::optional<core::Timestamp> t) noexcept {
    if (t) times_of(symbol_id).quote = t;
    return t;
  }
  std::optional<core::Timestamp> untimed(std::uint32_t symbol_id, bool quote,
                                         core::Timestamp received) noexcept {
    const LastTimes& l = times_of(symbol_id);
    if (const auto& t = quote ? l.quote : l.trade) return t;
    if (received == core::Timestamp{}) return std::nullopt;
    return received;
  }

  core::Instrument instrument_;
  std::array<LastTimes, 16> times_{};
  std::size_t used_ = 0;
  std::size_t next_victim_ = 0;
};

}  // namespace daytrader::market
