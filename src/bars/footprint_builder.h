#pragma once
// Builds footprint bars and their session studies from a stream of trades.
//
// The builder is pure: it reacts to on_trade() and on_time() and never reads a clock, so a file
// replay and a live feed produce the same bars. A bar's contents depend only on trades inside its
// period; a time bar is complete once time reaches its close (the next trade or on_time() tells).
// Bars are aligned to the session open in exchange time and never span two sessions; periods
// without trades produce no bar. Studies (delta, CVD, session open/high/low, previous session
// high/low, VWAP) are computed when a bar closes, from the bar itself and earlier bars only.

#include <cstdint>
#include <optional>
#include <vector>

#include "bars/bar_spec.h"
#include "bars/footprint_bar.h"
#include "bars/session_studies.h"
#include "core/session_calendar.h"
#include "market/trade.h"

namespace daytrader::bars {

struct BuilderStats {
  std::uint64_t trades = 0;          // trades added to bars
  std::uint64_t out_of_session = 0;  // trades in a halt or weekend: not part of any session, skipped
  std::uint64_t out_of_order = 0;    // trades earlier than a bar already closed/open: kept, re-timed
  std::uint64_t bars = 0;
  std::uint64_t sessions = 0;
  std::uint64_t bar_records = 0;     // of `trades`, the bar records added through on_bar_record()
  std::uint64_t out_of_range = 0;    // trades that would stretch a bar past max_range_ticks: skipped
  std::optional<market::Trade> first_out_of_range;  // the first of them, for the message
};

// The widest bar the builder accepts, high - low + 1 in ticks. A bar keeps one slot per tick of
// its range, so one bad print (price 1e8) would otherwise cost gigabytes. 40,000 ES ticks are
// 10,000 points, far beyond any real bar.
inline constexpr std::int64_t kDefaultMaxRangeTicks = 40'000;
inline constexpr std::int64_t kMinRangeTicks = 1024;

class FootprintBuilder {
 public:
  explicit FootprintBuilder(BarSpec spec,
                            const core::SessionCalendar& calendar = core::SessionCalendar::cme_globex());

  // Adds a trade. Returns the bar that this trade shows to be complete (a time bar whose period
  // ended before the trade, a volume or tick bar filled by earlier trades), if any.
  [[nodiscard]] std::optional<FootprintBar> on_trade(const market::Trade& t) {
    if (t.ts >= bar_close_ || t.ts < bar_open_ || full_) [[unlikely]] return on_trade_slow(t);
    add(t);
    return std::nullopt;
  }

  // Adds one aggregated record (a SCID bar record: Sierra's storage unit is not one tick) whose
  // totals are in `close` (price = its close, volume, bid/ask volume, trade count) and whose open,
  // high and low are given. The bar that receives it gets the record's open (when the record
  // opens it), high, low and close exactly, and its volume, bid/ask volume and trades exactly.
  // Footprint rule: the record's whole volume, bid/ask volume and trade count are placed at its
  // close price; its open, high and low widen the bar's range without a price level of their own.
  // Returns the bar the record shows complete, as on_trade() does.
  [[nodiscard]] std::optional<FootprintBar> on_bar_record(const market::Trade& close, core::Ticks open,
                                                          core::Ticks high, core::Ticks low);

  // Adds trades in bulk: `next(Trade&)` yields trades until it returns false, `sink(FootprintBar&&)`
  // receives completed bars. Same result as on_trade() one by one, but faster: while trades stay
  // inside the open time bar, the bar's running state lives in registers.
  template <typename Next, typename Sink>
  void on_trades(Next&& next, Sink&& sink);

  // Time has reached `now` with no trade: closes the current bar if its period is over (or it is
  // full). Live trading calls this from its clock so bars close on schedule in quiet markets.
  [[nodiscard]] std::optional<FootprintBar> on_time(core::Timestamp now);

  // End of data: the bar in progress, if any, even though its period has not ended.
  [[nodiscard]] std::optional<FootprintBar> flush();

  [[nodiscard]] const BuilderStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const BarSpec& spec() const noexcept { return spec_; }
  [[nodiscard]] bool has_open_bar() const noexcept { return has_bar_; }
  // Widest accepted bar (high - low + 1, ticks); a trade that would exceed it is skipped and
  // counted in stats().out_of_range. At least kMinRangeTicks (the grid a bar starts with, within
  // which no range is checked), so a smaller value is raised to it.
  void set_max_range_ticks(std::int64_t ticks) noexcept {
    max_range_ticks_ = ticks < kMinRangeTicks ? kMinRangeTicks : ticks;
  }
  [[nodiscard]] std::int64_t max_range_ticks() const noexcept { return max_range_ticks_; }

 private:
  struct LevelAcc {
    std::uint32_t bid = 0, ask = 0, volume = 0, trades = 0;
  };

  void add(const market::Trade& t) {
    const auto idx = static_cast<std::uint64_t>(t.price.count() - grid_base_);
    if (idx >= grid_.size()) [[unlikely]] {
      if (!grow(t.price)) return reject_out_of_range(t);
    }
    LevelAcc& l = grid_[static_cast<std::size_t>(t.price.count() - grid_base_)];
    l.bid += t.bid_volume;
    l.ask += t.ask_volume;
    l.volume += t.volume;
    l.trades += t.num_trades;
    high_ = t.price > high_ ? t.price : high_;
    low_ = t.price < low_ ? t.price : low_;
    close_ = t.price;
    last_ts_ = t.ts;
    ++stats_.trades;
    if (spec_.kind != BarKind::kTime) [[unlikely]] count_toward_size(t);
  }

  std::optional<FootprintBar> on_trade_slow(const market::Trade& t);
  void count_toward_size(const market::Trade& t);
  [[nodiscard]] bool grow(core::Ticks price);
  void reject_out_of_range(const market::Trade& t);
  [[nodiscard]] bool add_touch(core::Ticks price);
  void start_session(const core::Session& s);
  void open_bar(const market::Trade& t, core::Timestamp ts);
  FootprintBar close_bar(core::Timestamp close_time);

  BarSpec spec_;
  const core::SessionCalendar* calendar_;
  BuilderStats stats_;

  // Current session.
  core::Session session_{};
  bool has_session_ = false;
  SessionStudies studies_;
  // The last halt or weekend seen, so trades inside it are skipped without a calendar lookup.
  core::Timestamp gap_begin_{};
  core::Timestamp gap_end_{};

  // Current bar.
  bool has_bar_ = false;
  bool full_ = false;  // a volume/tick bar reached its size; emitted at the next event
  core::Timestamp bar_open_ = core::Timestamp::max();
  core::Timestamp bar_close_ = core::Timestamp::min();
  core::Timestamp last_ts_{};
  core::Timestamp last_close_{};  // close time of the last emitted bar
  core::Ticks open_, high_, low_, close_;
  std::int64_t size_count_ = 0;  // contracts or trades toward a volume/tick bar

  // Volume at price of the current bar: grid_[price - grid_base_].
  std::vector<LevelAcc> grid_;
  std::int64_t grid_base_ = 0;
  std::int64_t max_range_ticks_ = kDefaultMaxRangeTicks;
};

template <typename Next, typename Sink>
void FootprintBuilder::on_trades(Next&& next, Sink&& sink) {
  market::Trade t;
  if (spec_.kind != BarKind::kTime) {
    while (next(t))
      if (auto bar = on_trade(t)) sink(std::move(*bar));
    return;
  }
  for (;;) {
    std::int64_t hi = high_.count(), lo = low_.count(), cl = close_.count();
    const std::int64_t base = grid_base_;
    LevelAcc* const grid = grid_.data();
    const std::uint64_t grid_size = grid_.size();
    const core::Timestamp open = bar_open_, close = bar_close_;
    core::Timestamp last = last_ts_;
    std::uint64_t n = 0;
    bool more;
    while ((more = next(t))) {
      const auto idx = static_cast<std::uint64_t>(t.price.count() - base);
      if (t.ts >= close || t.ts < open || idx >= grid_size) [[unlikely]] break;
      LevelAcc& l = grid[idx];
      l.bid += t.bid_volume;
      l.ask += t.ask_volume;
      l.volume += t.volume;
      l.trades += t.num_trades;
      const std::int64_t p = t.price.count();
      hi = p > hi ? p : hi;
      lo = p < lo ? p : lo;
      cl = p;
      last = t.ts;
      ++n;
    }
    if (n != 0) {
      high_ = core::Ticks(hi);
      low_ = core::Ticks(lo);
      close_ = core::Ticks(cl);
      last_ts_ = last;
      stats_.trades += n;
    }
    if (!more) return;
    // A new bar, a new session, a halt, or a price outside the grid: the general path.
    if (auto bar = on_trade(t)) sink(std::move(*bar));
  }
}

}  // namespace daytrader::bars
