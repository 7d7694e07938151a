#include "bars/footprint_builder.h"

#include <algorithm>

#include "core/assert.h"

namespace daytrader::bars {

namespace {
constexpr std::int64_t kInitialGrid = kMinRangeTicks;  // ticks; a 1-minute ES bar spans a few dozen
constexpr auto kOneNs = core::Nanoseconds(1);
}  // namespace

FootprintBuilder::FootprintBuilder(BarSpec spec, const core::SessionCalendar& calendar)
    : spec_(spec), calendar_(&calendar), grid_(kInitialGrid) {}

std::optional<FootprintBar> FootprintBuilder::on_trade_slow(const market::Trade& in) {
  market::Trade t = in;
  std::optional<FootprintBar> done;
  if (has_bar_) {
    if (full_ || t.ts >= bar_close_) {
      done = close_bar(full_ || spec_.kind != BarKind::kTime ? last_ts_ + kOneNs : bar_close_);
    } else {
      // Earlier than the open bar's start (timestamps went backwards): keep its volume, at the
      // bar's latest time, so that the bar's times never go back (a volume or tick bar closes
      // 1 ns after its last trade, which must not come before its open).
      ++stats_.out_of_order;
      t.ts = last_ts_;
      add(t);
      return done;
    }
  }
  if (t.ts < last_close_) {
    // Earlier than a bar already emitted: it cannot change that bar, so it joins the next one.
    ++stats_.out_of_order;
    t.ts = last_close_;
  }
  if (!has_session_ || !session_.contains(t.ts)) {
    if (t.ts >= gap_begin_ && t.ts < gap_end_) {  // still inside a known halt or weekend
      ++stats_.out_of_session;
      return done;
    }
    const core::Session s = calendar_->session(calendar_->trade_date(t.ts));
    if (!s.contains(t.ts) || !core::SessionCalendar::is_weekday(s.trade_date)) {
      gap_begin_ = t.ts;
      gap_end_ = calendar_->session_at_or_after(t.ts).open;
      ++stats_.out_of_session;
      return done;
    }
    start_session(s);
  }
  open_bar(t, t.ts);
  add(t);
  return done;
}

void FootprintBuilder::count_toward_size(const market::Trade& t) {
  size_count_ += spec_.kind == BarKind::kVolume ? t.volume : t.num_trades;
  if (size_count_ >= spec_.size) full_ = true;
}

std::optional<FootprintBar> FootprintBuilder::on_time(core::Timestamp now) {
  if (!has_bar_) return std::nullopt;
  if (full_) return close_bar(last_ts_ + kOneNs);
  if (now >= bar_close_) return close_bar(spec_.kind == BarKind::kTime ? bar_close_ : last_ts_ + kOneNs);
  return std::nullopt;
}

std::optional<FootprintBar> FootprintBuilder::flush() {
  if (!has_bar_) return std::nullopt;
  return close_bar(spec_.kind == BarKind::kTime && !full_ ? bar_close_ : last_ts_ + kOneNs);
}

void FootprintBuilder::start_session(const core::Session& s) {
  session_ = s;
  has_session_ = true;
  ++stats_.sessions;
}

void FootprintBuilder::open_bar(const market::Trade& t, core::Timestamp ts) {
  has_bar_ = true;
  full_ = false;
  size_count_ = 0;
  if (spec_.kind == BarKind::kTime) {
    const auto period = core::Nanoseconds(spec_.size * 1'000'000'000LL);
    const auto k = (ts - session_.open) / period;
    bar_open_ = session_.open + k * period;
    bar_close_ = std::min(bar_open_ + period, session_.close);
  } else {
    bar_open_ = ts;
    bar_close_ = session_.close;
  }
  open_ = high_ = low_ = close_ = t.price;
  grid_base_ = t.price.count() - static_cast<std::int64_t>(grid_.size() / 2);
}

bool FootprintBuilder::grow(core::Ticks price) {
  // Re-centre a larger grid around the bar's range and the new price.
  const std::int64_t lo = std::min(low_.count(), price.count());
  const std::int64_t hi = std::max(high_.count(), price.count());
  if (hi - lo >= max_range_ticks_) return false;  // hi - lo + 1 > max: one bad print, not a bar
  const auto new_size = static_cast<std::size_t>(std::max<std::int64_t>(
      static_cast<std::int64_t>(grid_.size()) * 2, (hi - lo + 1) * 2));
  std::vector<LevelAcc> bigger(new_size);
  const std::int64_t new_base = lo - static_cast<std::int64_t>(new_size / 4);
  if (has_bar_) {
    for (std::int64_t p = low_.count(); p <= high_.count(); ++p)
      bigger[static_cast<std::size_t>(p - new_base)] = grid_[static_cast<std::size_t>(p - grid_base_)];
  }
  grid_ = std::move(bigger);
  grid_base_ = new_base;
  return true;
}

void FootprintBuilder::reject_out_of_range(const market::Trade& t) {
  if (stats_.out_of_range++ == 0) stats_.first_out_of_range = t;
}

bool FootprintBuilder::add_touch(core::Ticks price) {
  // A price the bar reached without volume placed there (a bar record's open, high or low).
  const auto idx = static_cast<std::uint64_t>(price.count() - grid_base_);
  if (idx >= grid_.size() && !grow(price)) return false;
  high_ = price > high_ ? price : high_;
  low_ = price < low_ ? price : low_;
  return true;
}

std::optional<FootprintBar> FootprintBuilder::on_bar_record(const market::Trade& close, core::Ticks open,
                                                            core::Ticks high, core::Ticks low) {
  DT_ASSERT(low <= open && open <= high && low <= close.price && close.price <= high,
            "a bar record's open and close lie inside its high..low");
  if (high.count() - low.count() >= max_range_ticks_) {
    reject_out_of_range(close);
    return std::nullopt;
  }
  // The open as a print without volume: it closes a finished bar, opens the next one, starts a
  // session, or finds the record outside any session, exactly as a trade would.
  market::Trade first = close;
  first.price = open;
  first.volume = first.bid_volume = first.ask_volume = first.num_trades = 0;
  const std::uint64_t skipped = stats_.out_of_session, trades = stats_.trades, rejected = stats_.out_of_range;
  auto done = on_trade(first);
  if (stats_.out_of_session != skipped || stats_.out_of_range != rejected) return done;
  if (!add_touch(high) || !add_touch(low)) {
    // The record fits alone but not together with the bar so far (an earlier bad print).
    reject_out_of_range(close);
    return done;
  }
  market::Trade last = close;
  last.ts = last_ts_;  // re-timed like the open when it came earlier than a closed bar
  add(last);
  stats_.trades = trades + 1;
  ++stats_.bar_records;
  return done;
}

FootprintBar FootprintBuilder::close_bar(core::Timestamp close_time) {
  FootprintBar bar;
  bar.open_time = bar_open_;
  bar.close_time = close_time;
  bar.trade_date = static_cast<std::int32_t>(session_.trade_date.time_since_epoch().count());
  bar.open = open_;
  bar.high = high_;
  bar.low = low_;
  bar.close = close_;
  bar.levels.reserve(static_cast<std::size_t>(high_.count() - low_.count() + 1));
  for (std::int64_t p = low_.count(); p <= high_.count(); ++p) {
    LevelAcc& l = grid_[static_cast<std::size_t>(p - grid_base_)];
    if (l.trades != 0 || l.volume != 0) {
      bar.levels.push_back(PriceLevel{core::Ticks(p), l.bid, l.ask, l.volume, l.trades});
      bar.volume += l.volume;
      bar.bid_volume += l.bid;
      bar.ask_volume += l.ask;
      bar.num_trades += l.trades;
    }
    l = LevelAcc{};
  }
  studies_.on_bar(bar);
  ++stats_.bars;
  has_bar_ = false;
  full_ = false;
  bar_open_ = core::Timestamp::max();
  bar_close_ = core::Timestamp::min();
  last_close_ = close_time;
  return bar;
}

}  // namespace daytrader::bars
