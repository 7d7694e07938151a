// Import of the original system's ES_tuples.csv, in rows/s (compare with
// scripts/bench-original-pandas.py on the same file, which the benchmark leaves in the temp
// folder as daytrader_bench_ES_tuples.csv).

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "bars/scid_bars.h"
#include "gen/market_generator.h"
#include "interop/original_csv.h"

namespace {

using namespace daytrader;

// 40 sessions of the synthetic market as 1-minute bars in the original CSV format.
const std::string& csv_file() {
  static const std::string path = [] {
    gen::GeneratorConfig config;
    config.sessions = 40;
    auto generator = gen::MarketGenerator::create(config);
    if (!generator) std::abort();
    std::vector<scid::Record> records;
    while (!generator->done()) (void)generator->next_session(records);
    bars::FootprintBuilder builder(bars::BarSpec{bars::BarKind::kTime, 60});
    std::vector<bars::FootprintBar> bars;
    (void)bars::build_bars_from_scid(records, core::Instrument::es(), builder,
                                     [&](bars::FootprintBar&& b) { bars.push_back(std::move(b)); });
    const auto p = (std::filesystem::temp_directory_path() / "daytrader_bench_ES_tuples.csv").string();
    if (!interop::export_original_csv(p, bars, core::Instrument::es(), core::SessionCalendar::cme_globex()))
      std::abort();
    return p;
  }();
  return path;
}

void BM_ImportOriginalCsv(benchmark::State& state) {
  const auto& path = csv_file();
  std::uint64_t rows = 0, bars = 0;
  for (auto _ : state) {
    interop::CsvImportReport report;
    auto result = interop::import_original_csv(path, core::Instrument::es(), core::SessionCalendar::cme_globex(),
                                               interop::CsvImportOptions{}, &report);
    if (!result) {
      state.SkipWithError(result.error().message.c_str());
      return;
    }
    rows = report.rows;
    bars = report.bars;
    benchmark::DoNotOptimize(result->data());
  }
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["bars/s"] = benchmark::Counter(static_cast<double>(bars), benchmark::Counter::kIsIterationInvariantRate);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * rows));
}
BENCHMARK(BM_ImportOriginalCsv)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
