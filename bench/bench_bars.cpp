// SCID read and ticks -> 1-minute footprint bars, in ticks/s.
//
// The input is a SCID tick file written once per run to the temp folder (a random walk over the
// CME calendar, 4 trades/ms bursts) and memory-mapped, so after the first pass it is read from
// the page cache, as a footprint build over a local file would be.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "bars/scid_bars.h"
#include "market/from_scid.h"
#include "scid/reader.h"
#include "scid/writer.h"

namespace {

using namespace daytrader;

constexpr std::size_t kTicks = 20'000'000;

const std::string& tick_file() {
  static const std::string path = [] {
    const auto p = (std::filesystem::temp_directory_path() / "daytrader_bench_ticks.scid").string();
    auto w = scid::Writer::open(p, scid::Writer::Mode::kTruncate);
    if (!w) std::abort();
    std::mt19937_64 rng(42);
    // Monday 2024-03-04 00:00 CT = 06:00 UTC, inside the session; 20M ticks at ~1 per 4 ms
    // span about 22 hours, one session and a bit.
    std::int64_t t = scid::encode_time(core::from_unix_ns(1'709'532'000LL * 1'000'000'000));
    std::int64_t price = 20000;
    for (std::size_t i = 0; i < kTicks; ++i) {
      const std::uint64_t r = rng();
      t += static_cast<std::int64_t>(r % 8000);
      price += static_cast<std::int64_t>((r >> 16) % 3) - 1;
      const auto size = static_cast<std::uint32_t>(1 + (r >> 24) % 5);
      const bool at_ask = (r >> 40) & 1;
      scid::Record rec;
      rec.date_time = t;
      rec.high = static_cast<float>((at_ask ? price : price + 1) * 0.25);
      rec.low = static_cast<float>((at_ask ? price - 1 : price) * 0.25);
      rec.close = static_cast<float>(price * 0.25);
      rec.num_trades = 1;
      rec.total_volume = size;
      rec.bid_volume = at_ask ? 0 : size;
      rec.ask_volume = at_ask ? size : 0;
      w->append(rec);
    }
    if (!w->close()) std::abort();
    return p;
  }();
  return path;
}

void BM_ScidScan(benchmark::State& state) {
  auto reader = scid::Reader::open(tick_file());
  if (!reader) { state.SkipWithError(reader.error().message.c_str()); return; }
  for (auto _ : state) {
    std::uint64_t volume = 0;
    for (const auto& r : reader->records()) volume += r.total_volume;
    benchmark::DoNotOptimize(volume);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * reader->size()));
}
BENCHMARK(BM_ScidScan)->Unit(benchmark::kMillisecond);

void BM_ScidToFootprintBars1m(benchmark::State& state) {
  auto reader = scid::Reader::open(tick_file());
  if (!reader) { state.SkipWithError(reader.error().message.c_str()); return; }
  std::size_t bars = 0;
  for (auto _ : state) {
    bars::FootprintBuilder builder(bars::BarSpec{bars::BarKind::kTime, 60});
    bars = 0;
    const auto rep = bars::build_bars_from_scid(reader->records(), core::Instrument::es(), builder,
                                                [&](bars::FootprintBar&& b) { bars += b.levels.size() > 0; });
    benchmark::DoNotOptimize(rep);
  }
  state.counters["bars"] = static_cast<double>(bars);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * reader->size()));
}
BENCHMARK(BM_ScidToFootprintBars1m)->Unit(benchmark::kMillisecond);

}  // namespace



namespace {
void BM_ScidToTrades(benchmark::State& state) {
  auto reader = daytrader::scid::Reader::open(tick_file());
  const daytrader::market::ScidAdapter adapter(daytrader::core::Instrument::es());
  for (auto _ : state) {
    std::int64_t sum = 0;
    daytrader::market::Trade t;
    daytrader::market::Quote q;
    for (const auto& r : reader->records())
      if (adapter.convert(r, t, q) == daytrader::market::ScidEvent::kTrade) sum += t.price.count() + t.volume;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * reader->size()));
}
BENCHMARK(BM_ScidToTrades)->Unit(benchmark::kMillisecond);
}  // namespace
BENCHMARK_MAIN();
