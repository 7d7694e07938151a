#pragma once
// Footprint bars for seed files: a thin synthetic market (gen::MarketGenerator, `orders` orders a
// session) through the offline bar path, 1-minute bars. Header-only; the corpus tests that
// include it link daytrader_gen and daytrader_bars.

#include <gtest/gtest.h>

#include <vector>

#include "bars/scid_bars.h"
#include "gen/market_generator.h"

namespace daytrader::fuzz::testing {

inline std::vector<bars::FootprintBar> generated_bars(int sessions, double orders) {
  gen::GeneratorConfig config;
  config.sessions = sessions;
  config.orders_per_session = orders;
  auto g = gen::MarketGenerator::create(config);
  EXPECT_TRUE(g) << g.error().message;
  std::vector<scid::Record> records;
  while (g && !g->done()) (void)g->next_session(records);
  bars::FootprintBuilder builder(bars::BarSpec{bars::BarKind::kTime, 60});
  std::vector<bars::FootprintBar> out;
  (void)bars::build_bars_from_scid(records, core::Instrument::es(), builder,
                                   [&out](bars::FootprintBar&& b) { out.push_back(std::move(b)); });
  return out;
}

}  // namespace daytrader::fuzz::testing
