#pragma once
// Builds small datasets of 1-minute bars by hand for the environment tests, writes them with
// dataset::write_dataset and opens them again, so the tests run the production path.

#include <gtest/gtest.h>
#include <unistd.h>

#include <date/date.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/session_calendar.h"
#include "dataset/dataset.h"
#include "env/env_data.h"
#include "env/trading_env.h"
#include "features/feature_set.h"
#include "features/scaler.h"

namespace daytrader::env::testing {

struct Ohlc {
  std::int64_t open, high, low, close;
};

// A bar at a constant price.
inline Ohlc flat(std::int64_t p) {
  return {p, p, p, p};
}

struct SessionBars {
  date::sys_days trade_date;
  core::LocalTimeOfDay first_open{8 * 60 + 24, 0};  // the first bar opens 08:24 and closes 08:25
  std::vector<Ohlc> bars;
};

// Three feature columns: the close in ticks, the bar's index in its session, the bar's range.
inline features::FeatureSet test_feature_set() {
  return features::FeatureSet("envtest", 1, {"close", "index", "range"}, {});
}

inline std::vector<bars::FootprintBar> make_bars(const std::vector<SessionBars>& sessions) {
  const auto& cal = core::SessionCalendar::cme_globex();
  std::vector<bars::FootprintBar> out;
  for (const auto& s : sessions) {
    for (std::size_t k = 0; k < s.bars.size(); ++k) {
      bars::FootprintBar b;
      const core::LocalTimeOfDay tod{s.first_open.minutes + static_cast<int>(k), s.first_open.seconds};
      b.open_time = cal.at(s.trade_date, tod);
      b.close_time = b.open_time + std::chrono::minutes(1);
      b.trade_date = static_cast<std::int32_t>(s.trade_date.time_since_epoch().count());
      b.index_in_session = static_cast<std::int32_t>(k);
      b.open = core::Ticks(s.bars[k].open);
      b.high = core::Ticks(s.bars[k].high);
      b.low = core::Ticks(s.bars[k].low);
      b.close = core::Ticks(s.bars[k].close);
      b.volume = 10;
      b.num_trades = 5;
      out.push_back(std::move(b));
    }
  }
  return out;
}

inline std::vector<float> default_features(const std::vector<bars::FootprintBar>& bars) {
  std::vector<float> f;
  for (const auto& b : bars) {
    f.push_back(static_cast<float>(b.close.count()));
    f.push_back(static_cast<float>(b.index_in_session));
    f.push_back(static_cast<float>((b.high - b.low).count()));
  }
  return f;
}

// A dataset file in the temp folder, removed at the end of the test.
class TempDataset {
 public:
  TempDataset(const std::vector<bars::FootprintBar>& bars, const std::vector<float>& features) {
    static std::atomic<int> counter{0};
    path_ = (std::filesystem::temp_directory_path() /
             ("dt_env_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".dtds"))
                .string();
    dataset::DatasetMeta meta;
    meta.source = "env-test";
    const auto st = dataset::write_dataset(path_, meta, test_feature_set(), bars, features);
    EXPECT_TRUE(st) << (st ? "" : st.error().message);
    auto d = dataset::Dataset::open(path_);
    EXPECT_TRUE(d) << (d ? "" : d.error().message);
    data_ = std::make_unique<dataset::Dataset>(std::move(d).value());
  }
  explicit TempDataset(const std::vector<SessionBars>& sessions)
      : TempDataset(make_bars(sessions), default_features(make_bars(sessions))) {}
  ~TempDataset() {
    data_.reset();
    std::filesystem::remove(path_);
  }
  TempDataset(const TempDataset&) = delete;
  TempDataset& operator=(const TempDataset&) = delete;

  [[nodiscard]] const dataset::Dataset& get() const { return *data_; }

 private:
  std::string path_;
  std::unique_ptr<dataset::Dataset> data_;
};

// Test configuration: a short window 08:30-08:40, no costs unless a test sets them.
inline EnvConfig test_config() {
  EnvConfig c;
  c.window_start = {8 * 60 + 30, 0};
  c.window_end = {8 * 60 + 40, 0};
  c.commission_per_side_cents = 0;
  c.slippage_ticks = 0;
  return c;
}

inline std::shared_ptr<const EnvData> make_data(const dataset::Dataset& d, const EnvConfig& c,
                                                const features::Scaler* scaler = nullptr) {
  if (scaler != nullptr) {
    auto data = EnvData::create(d, *scaler, c);
    EXPECT_TRUE(data) << (data ? "" : data.error().message);
    return std::move(data).value();
  }
  auto s = fit_scaler(d, c, features::ScalerKind::kMinMax);
  EXPECT_TRUE(s) << (s ? "" : s.error().message);
  auto data = EnvData::create(d, *s, c);
  EXPECT_TRUE(data) << (data ? "" : data.error().message);
  return std::move(data).value();
}

// 22 bars at `price` from 08:24 to 08:46 on `day`: bar k closes at 08:25 + k, so bar 5 closes
// at 08:30 (the first decision) and bar 15 at 08:40 (the last); bar 16 fills the flatten.
inline SessionBars flat_session(date::sys_days day, std::int64_t price = 1000, std::size_t n = 22) {
  SessionBars s;
  s.trade_date = day;
  s.bars.assign(n, flat(price));
  return s;
}

// A random walk session with ranges wide enough to hit brackets now and then.
inline SessionBars random_session(date::sys_days day, std::mt19937_64& rng, std::size_t n,
                                  std::int64_t start = 20000) {
  SessionBars s;
  s.trade_date = day;
  s.first_open = {8 * 60, 0};
  std::int64_t p = start;
  for (std::size_t k = 0; k < n; ++k) {
    const std::int64_t open = p + static_cast<std::int64_t>(rng() % 5) - 2;
    const std::int64_t close = open + static_cast<std::int64_t>(rng() % 13) - 6;
    const std::int64_t high = std::max(open, close) + static_cast<std::int64_t>(rng() % 6);
    const std::int64_t low = std::min(open, close) - static_cast<std::int64_t>(rng() % 6);
    s.bars.push_back({open, high, low, close});
    p = close;
  }
  return s;
}

// Trading days used by the tests: winter (CST) and summer (CDT).
inline date::sys_days winter_day() {
  return date::sys_days(date::year{2024} / 1 / 9);
}  // Tuesday
inline date::sys_days summer_day() {
  return date::sys_days(date::year{2024} / 7 / 9);
}  // Tuesday
// The i-th weekday from Monday 2024-01-08.
inline date::sys_days weekday(int i) {
  return date::sys_days(date::year{2024} / 1 / 8) + date::days(7 * (i / 5) + i % 5);
}

}  // namespace daytrader::env::testing
