#pragma once
// Turns closed footprint bars into rows of float features, one row per bar.
//
// Training, backtests and live trading all run this same class on the same bars, so features
// cannot differ between them (the original computed its features differently live). The
// pipeline is strictly causal: a bar's row uses that bar and earlier bars only, never a later
// one, and it never reads a clock. Its only state is a fixed-size history of past bars, so after
// construction on_bar does not allocate.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "bars/footprint_bar.h"
#include "core/session_calendar.h"
#include "core/timestamp.h"
#include "features/feature_config.h"
#include "features/feature_set.h"
#include "features/footprint_v1.h"

namespace daytrader::features {

class FeaturePipeline {
 public:
  // Throws core::DaytraderError when the config is invalid or names an unknown feature set.
  // The calendar is borrowed and must outlive the pipeline; it places the RTH open of each
  // bar's trade date in UTC, following daylight saving time.
  FeaturePipeline(FeatureConfig config, const core::SessionCalendar& calendar);

  // Forget all past bars, e.g. before an unrelated stretch of data. The next bar's history
  // features take their "no history" values (see docs/features.md).
  void reset() noexcept;

  // Writes the bar's features into out, which must hold exactly feature_set().size() floats.
  // Bars must come in order of close time, each closing after the previous one (asserted).
  void on_bar(const bars::FootprintBar& bar, std::span<float> out);

  [[nodiscard]] const FeatureSet& feature_set() const noexcept { return feature_set_; }
  [[nodiscard]] const FeatureConfig& config() const noexcept { return config_; }
  // Bars seen since construction or reset().
  [[nodiscard]] std::uint64_t bars_seen() const noexcept { return bars_seen_; }

 private:
  // Longest look-back of any column: closes of the previous 30 bars for return_30_ticks.
  static constexpr std::size_t kHistory = footprint_v1::kReturnHorizons.back();
  static_assert(footprint_v1::kVolumeMeanBars <= kHistory);

  // Close of the bar `bars_back` bars before the current one (1 = the previous bar).
  [[nodiscard]] std::int64_t past_close(std::size_t bars_back) const noexcept;
  [[nodiscard]] double mean_past_volume() const noexcept;
  void remember(const bars::FootprintBar& bar) noexcept;
  [[nodiscard]] core::Timestamp rth_open_of(std::int32_t trade_date);

  FeatureConfig config_;
  const core::SessionCalendar* calendar_;
  FeatureSet feature_set_;

  // Ring buffers of the last kHistory bars; slot bars_seen_ % kHistory is the oldest.
  std::array<std::int64_t, kHistory> closes_{};
  std::array<std::uint64_t, kHistory> volumes_{};
  std::uint64_t bars_seen_ = 0;
  core::Timestamp last_close_time_{};

  // The RTH open for the last trade date seen: a tz lookup once per session, not per bar.
  std::int32_t cached_trade_date_ = 0;
  core::Timestamp cached_rth_open_{};
  bool has_cached_rth_open_ = false;
};

}  // namespace daytrader::features
