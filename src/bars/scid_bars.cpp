#include "bars/scid_bars.h"

#include <fmt/format.h>

#include "market/from_scid.h"

namespace daytrader::bars {

namespace {
constexpr std::size_t kMaxProblems = 5;
constexpr std::size_t kProgressEvery = 1 << 22;
}  // namespace

ScidBuildReport build_bars_from_scid(std::span<const scid::Record> records,
                                     const core::Instrument& instrument, FootprintBuilder& builder,
                                     const BarSink& sink, bool flush_at_end,
                                     const std::string& source, const Progress& progress) {
  ScidBuildReport rep;
  rep.records = records.size();
  const market::ScidAdapter adapter(instrument);
  market::Trade trade;
  market::Quote quote;
  const std::string prefix = source.empty() ? std::string() : source + ": ";

  for (std::size_t begin = 0; begin < records.size(); begin += kProgressEvery) {
    const std::size_t end = std::min(records.size(), begin + kProgressEvery);
    for (std::size_t i = begin; i < end; ++i) {
      switch (adapter.convert(records[i], trade, quote)) {
        case market::ScidEvent::kTrade:
          ++rep.trades;
          if (auto bar = builder.on_trade(trade)) [[unlikely]] sink(std::move(*bar));
          break;
        case market::ScidEvent::kQuote: ++rep.quotes; break;
        case market::ScidEvent::kSkip: ++rep.skipped; break;
        case market::ScidEvent::kBadPrice:
          if (++rep.bad_price <= kMaxProblems)
            rep.problems.push_back(fmt::format("{}record {}: price {} is not on the {} tick grid",
                                               prefix, i, records[i].close, instrument.tick_size));
          break;
        case market::ScidEvent::kBadTime:
          if (++rep.bad_time <= kMaxProblems)
            rep.problems.push_back(fmt::format(
                "{}record {}: DateTime {} is neither microseconds since 1899-12-30 nor a legacy "
                "day count", prefix, i, records[i].date_time));
          break;
      }
    }
    if (progress) progress(end, records.size());
  }
  if (flush_at_end) {
    if (auto bar = builder.flush()) sink(std::move(*bar));
  }
  return rep;
}

}  // namespace daytrader::bars
