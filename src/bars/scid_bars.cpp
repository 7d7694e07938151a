#include "bars/scid_bars.h"

#include <fmt/format.h>

#include "market/from_scid.h"

namespace daytrader::bars {

namespace {
constexpr std::size_t kMaxProblems = 5;
constexpr std::size_t kProgressEvery = 1 << 22;
// Counts a record that is not a trade and keeps the first few problems for the report.
[[gnu::noinline, gnu::cold]] void note_non_trade(market::ScidEvent e, const scid::Record& r,
                                                 std::size_t i, const core::Instrument& instrument,
                                                 const std::string& prefix, ScidBuildReport& rep) {
  switch (e) {
    case market::ScidEvent::kTrade: break;
    case market::ScidEvent::kQuote: ++rep.quotes; break;
    case market::ScidEvent::kSkip: ++rep.skipped; break;
    case market::ScidEvent::kBadPrice:
      if (++rep.bad_price <= kMaxProblems)
        rep.problems.push_back(fmt::format("{}record {}: price {} is not on the {} tick grid",
                                           prefix, i, r.close, instrument.tick_size));
      break;
    case market::ScidEvent::kBadTime:
      if (++rep.bad_time <= kMaxProblems)
        rep.problems.push_back(fmt::format(
            "{}record {}: DateTime {} is neither microseconds since 1899-12-30 nor a legacy day "
            "count", prefix, i, r.date_time));
      break;
  }
}

}  // namespace

ScidBuildReport build_bars_from_scid(std::span<const scid::Record> records,
                                     const core::Instrument& instrument, FootprintBuilder& builder,
                                     const BarSink& sink, bool flush_at_end,
                                     const std::string& source, const Progress& progress) {
  ScidBuildReport rep;
  rep.records = records.size();
  const market::ScidAdapter adapter(instrument);
  market::Quote quote;
  const std::string prefix = source.empty() ? std::string() : source + ": ";

  for (std::size_t begin = 0; begin < records.size(); begin += kProgressEvery) {
    const std::size_t end = std::min(records.size(), begin + kProgressEvery);
    std::size_t i = begin;
    // Yields the trades of [begin, end); anything else is counted out of line.
    auto next = [&](market::Trade& trade) __attribute__((always_inline)) {
      for (; i < end; ++i) {
        const market::ScidEvent e = adapter.convert(records[i], trade, quote);
        if (e == market::ScidEvent::kTrade) [[likely]] {
          ++i;
          return true;
        }
        note_non_trade(e, records[i], i, instrument, prefix, rep);
      }
      return false;
    };
    builder.on_trades(next, sink);
    if (progress) progress(end, records.size());
  }
  rep.trades = rep.records - rep.quotes - rep.skipped - rep.bad_price - rep.bad_time;
  if (flush_at_end) {
    if (auto bar = builder.flush()) sink(std::move(*bar));
  }
  return rep;
}

}  // namespace daytrader::bars
