// No look-ahead: whatever happens after time t, every bar closed by t, its studies and its
// feature row are bit-identical. The ticks come from the synthetic market; after t every tick's
// price, size and side is changed.

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "bars/scid_bars.h"
#include "features/feature_pipeline.h"
#include "gen/market_generator.h"

namespace daytrader {
namespace {

struct Built {
  std::vector<bars::FootprintBar> bars;
  std::vector<float> features;
};

Built build(const std::vector<scid::Record>& records) {
  const auto& cal = core::SessionCalendar::cme_globex();
  bars::FootprintBuilder builder(bars::BarSpec{bars::BarKind::kTime, 60}, cal);
  features::FeaturePipeline pipeline(features::FeatureConfig{}, cal);
  Built out;
  const std::size_t n = pipeline.feature_set().size();
  (void)bars::build_bars_from_scid(records, core::Instrument::es(), builder, [&](bars::FootprintBar&& b) {
    out.features.resize(out.features.size() + n);
    pipeline.on_bar(b, std::span<float>(out.features).last(n));
    out.bars.push_back(std::move(b));
  });
  return out;
}

std::vector<scid::Record> generate_sessions(int sessions) {
  gen::GeneratorConfig config;
  config.sessions = sessions;
  config.seed = 5;
  config.orders_per_session = 20'000;
  auto generator = gen::MarketGenerator::create(config);
  EXPECT_TRUE(generator);
  std::vector<scid::Record> records;
  while (!generator->done()) (void)generator->next_session(records);
  return records;
}

// Every tick at or after t gets another price (moved by up to +-8 ticks), size and side.
std::vector<scid::Record> scramble_after(std::vector<scid::Record> records, std::int64_t t_scid, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (auto& r : records) {
    if (r.date_time < t_scid) continue;
    const float move = 0.25F * static_cast<float>(static_cast<int>(rng() % 17) - 8);
    r.close += move;
    r.high += move;
    r.low += move;
    r.total_volume = static_cast<std::uint32_t>(1 + rng() % 50);
    const bool at_ask = rng() % 2;
    r.ask_volume = at_ask ? r.total_volume : 0;
    r.bid_volume = at_ask ? 0 : r.total_volume;
  }
  return records;
}

TEST(Causality, BarsStudiesAndFeaturesClosedByTIgnoreEverythingAfterT) {
  const auto records = generate_sessions(3);
  ASSERT_GT(records.size(), 10'000u);
  const Built base = build(records);
  const std::size_t n = features::FeaturePipeline(features::FeatureConfig{}, core::SessionCalendar::cme_globex())
                            .feature_set()
                            .size();
  // Cut points: inside a bar, exactly on a bar boundary, in the first minutes of a session and
  // near the end of the data.
  const auto first_t = *scid::decode_time(records.front().date_time);
  const std::vector<core::Timestamp> cuts = {
      base.bars[5].open_time + std::chrono::seconds(17),
      base.bars[600].close_time,
      base.bars[1380].open_time + std::chrono::seconds(59),
      base.bars[1381].open_time,
      base.bars[base.bars.size() - 40].close_time - std::chrono::milliseconds(1),
      first_t + std::chrono::hours(30) + std::chrono::microseconds(3),
  };
  for (std::size_t c = 0; c < cuts.size(); ++c) {
    const auto t = cuts[c];
    const Built changed = build(scramble_after(records, scid::encode_time(t), 100 + c));
    std::size_t closed = 0;
    while (closed < base.bars.size() && base.bars[closed].close_time <= t) ++closed;
    ASSERT_GT(closed, 0u) << "cut " << c;
    ASSERT_GE(changed.bars.size(), closed) << "cut " << c;
    for (std::size_t i = 0; i < closed; ++i) {
      ASSERT_EQ(changed.bars[i], base.bars[i]) << "cut " << c << ", bar " << i;
      ASSERT_EQ(std::memcmp(&changed.features[i * n], &base.features[i * n], n * sizeof(float)), 0)
          << "cut " << c << ", features of bar " << i;
    }
    // The scrambling did change what came after t, so the test can see a leak.
    bool later_differs = changed.bars.size() != base.bars.size();
    for (std::size_t i = closed; !later_differs && i < base.bars.size(); ++i) later_differs = changed.bars[i] != base.bars[i];
    EXPECT_TRUE(later_differs) << "cut " << c;
  }
}

}  // namespace
}  // namespace daytrader
