#include "bars/scid_bars.h"

#include <cmath>

#include <fmt/format.h>

#include "market/from_scid.h"

namespace daytrader::bars {

namespace {
constexpr std::size_t kMaxProblems = 5;
constexpr std::size_t kProgressEvery = 1 << 22;

// Which price field of a record the adapter refused, and why.
std::string describe_bad_price(const scid::Record& r, const core::Instrument& instrument,
                               const market::PriceBand& band) {
  struct Field {
    const char* name;
    float value;
  };
  const scid::RecordKind kind = scid::classify(r);
  Field fields[4] = {{"Close", r.close}, {"Open", r.open}, {"High", r.high}, {"Low", r.low}};
  std::size_t n = kind == scid::RecordKind::kBar ? 4 : 1;
  if (kind == scid::RecordKind::kQuote) {
    fields[0] = {"Low (bid)", r.low};
    fields[1] = {"High (ask)", r.high};
    n = 2;
  }
  for (std::size_t k = 0; k < n; ++k) {
    const auto p = static_cast<double>(fields[k].value);
    if (!std::isfinite(p))
      return fmt::format("{} {} is not a finite price", fields[k].name, fields[k].value);
    if (!(p > band.min_price && p <= band.max_price))
      return fmt::format("{} {} is outside the accepted price band ({}, {}]", fields[k].name,
                         fields[k].value, band.min_price, band.max_price);
    const double x = p / instrument.tick_size;
    if (std::fabs(x - std::round(x)) > 1e-2)
      return fmt::format("{} {} is not on the {} tick grid", fields[k].name, fields[k].value,
                         instrument.tick_size);
    const double snapped = std::round(x) * instrument.tick_size;
    if (!(snapped > band.min_price && snapped <= band.max_price))
      return fmt::format("{} {} rounds to {}, outside the accepted price band ({}, {}]", fields[k].name,
                         fields[k].value, snapped, band.min_price, band.max_price);
  }
  return fmt::format("price {} is not usable", r.close);
}

// Counts a record that is not a trade and keeps the first few problems for the report.
[[gnu::noinline, gnu::cold]] void note_non_trade(market::ScidEvent e, const scid::Record& r,
                                                 std::size_t i, const core::Instrument& instrument,
                                                 const market::PriceBand& band,
                                                 const std::string& prefix, ScidBuildReport& rep) {
  switch (e) {
    case market::ScidEvent::kTrade: break;
    case market::ScidEvent::kBar: break;
    case market::ScidEvent::kQuote: ++rep.quotes; break;
    case market::ScidEvent::kSkip: ++rep.skipped; break;
    case market::ScidEvent::kBadPrice:
      if (++rep.bad_price <= kMaxProblems)
        rep.problems.push_back(
            fmt::format("{}record {}: {}; skipped", prefix, i, describe_bad_price(r, instrument, band)));
      break;
    case market::ScidEvent::kZeroVolume:
      if (++rep.zero_volume <= kMaxProblems)
        rep.problems.push_back(fmt::format(
            "{}record {}: TotalVolume 0 on a {} record at price {}; skipped", prefix, i,
            scid::classify(r) == scid::RecordKind::kBar ? "bar" : "trade", r.close));
      break;
    case market::ScidEvent::kBadTime:
      if (++rep.bad_time <= kMaxProblems)
        rep.problems.push_back(
            scid::classify_time(r.date_time) == scid::TimeError::kOutOfRange
                ? fmt::format("{}record {}: DateTime {} is past the last representable time "
                              "(2262-04-04 UTC); skipped", prefix, i, r.date_time)
                : fmt::format("{}record {}: DateTime {} is neither microseconds since 1899-12-30 nor "
                              "a legacy day count; skipped", prefix, i, r.date_time));
      break;
  }
}

}  // namespace

std::uint64_t bad_records(const ScidBuildReport& rep) noexcept {
  return rep.bad_price + rep.bad_time + rep.zero_volume + rep.out_of_range;
}

ScidBuildReport build_bars_from_scid(std::span<const scid::Record> records,
                                     const core::Instrument& instrument, FootprintBuilder& builder,
                                     const BarSink& sink, bool flush_at_end,
                                     const std::string& source, const Progress& progress,
                                     const market::PriceBand& band) {
  ScidBuildReport rep;
  rep.records = records.size();
  const market::ScidAdapter adapter(instrument, band);
  market::Quote quote;
  market::Trade bar_close;
  market::BarExtent extent;
  const std::string prefix = source.empty() ? std::string() : source + ": ";
  const std::uint64_t range_before = builder.stats().out_of_range;

  for (std::size_t begin = 0; begin < records.size(); begin += kProgressEvery) {
    const std::size_t end = std::min(records.size(), begin + kProgressEvery);
    std::size_t i = begin;
    bool pending_bar = false;
    // Yields the trades of [begin, end); stops at a bar record (handled below) and counts
    // anything else out of line.
    auto next = [&](market::Trade& trade) __attribute__((always_inline)) {
      for (; i < end; ++i) {
        const market::ScidEvent e = adapter.convert(records[i], trade, quote, extent);
        if (e == market::ScidEvent::kTrade) [[likely]] {
          ++i;
          return true;
        }
        if (e == market::ScidEvent::kBar) {
          bar_close = trade;
          pending_bar = true;
          ++i;
          return false;
        }
        note_non_trade(e, records[i], i, instrument, band, prefix, rep);
      }
      return false;
    };
    for (;;) {
      builder.on_trades(next, sink);
      if (!pending_bar) break;
      pending_bar = false;
      const std::uint64_t rejected = builder.stats().out_of_range;
      if (auto bar = builder.on_bar_record(bar_close, extent.open, extent.high, extent.low))
        sink(std::move(*bar));
      if (builder.stats().out_of_range != rejected) {
        if (rep.problems.size() < 2 * kMaxProblems)
          rep.problems.push_back(fmt::format(
              "{}record {}: bar record High {} .. Low {} would make a bar wider than {} ticks; "
              "skipped", prefix, i - 1, records[i - 1].high, records[i - 1].low,
              builder.max_range_ticks()));
      } else {
        ++rep.bar_records;
      }
    }
    if (progress) progress(end, records.size());
  }
  rep.out_of_range = builder.stats().out_of_range - range_before;
  rep.trades = rep.records - rep.quotes - rep.skipped - rep.bad_price - rep.bad_time - rep.zero_volume -
               rep.out_of_range;
  if (flush_at_end) {
    if (auto bar = builder.flush()) sink(std::move(*bar));
  }
  return rep;
}

}  // namespace daytrader::bars
