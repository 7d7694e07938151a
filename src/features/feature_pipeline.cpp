#include "features/feature_pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <utility>

#include "features/bar_profile.h"

namespace daytrader::features {

namespace {

using footprint_v1::Column;

FeatureSet resolve_feature_set(const FeatureConfig& config) {
  auto set = FeatureSet::by_name(config.feature_set, config);
  if (!set) throw core::DaytraderError(fmt::format("features: {}", set.error().message));
  // The registry may one day hold sets this class does not compute; fail at start, not later.
  if (set->name() != footprint_v1::kName || set->version() != footprint_v1::kVersion)
    throw core::DaytraderError(fmt::format(
        "features: FeaturePipeline computes feature set {} v{}, not {} v{}", footprint_v1::kName,
        footprint_v1::kVersion, set->name(), set->version()));
  return std::move(set).value();
}

// a / b, or `otherwise` when b is 0 (a bar or profile without volume).
double ratio_or(double a, double b, double otherwise) { return b != 0 ? a / b : otherwise; }

}  // namespace

FeaturePipeline::FeaturePipeline(FeatureConfig config, const core::SessionCalendar& calendar)
    : config_(std::move(config)), calendar_(&calendar), feature_set_(resolve_feature_set(config_)) {
  DT_ASSERT(feature_set_.size() == footprint_v1::kNumColumns, "footprint v1 column count");
}

void FeaturePipeline::reset() noexcept {
  closes_.fill(0);
  volumes_.fill(0);
  bars_seen_ = 0;
  last_close_time_ = {};
  // The RTH-open cache is a pure function of the trade date, so it survives a reset.
}

std::int64_t FeaturePipeline::past_close(std::size_t bars_back) const noexcept {
  return closes_[(bars_seen_ - bars_back) % kHistory];
}

double FeaturePipeline::mean_past_volume() const noexcept {
  const std::size_t n =
      static_cast<std::size_t>(std::min<std::uint64_t>(bars_seen_, footprint_v1::kVolumeMeanBars));
  std::uint64_t sum = 0;
  for (std::size_t back = 1; back <= n; ++back) sum += volumes_[(bars_seen_ - back) % kHistory];
  return n == 0 ? 0.0 : static_cast<double>(sum) / static_cast<double>(n);
}

void FeaturePipeline::remember(const bars::FootprintBar& bar) noexcept {
  const std::size_t slot = bars_seen_ % kHistory;
  closes_[slot] = bar.close.count();
  volumes_[slot] = bar.volume;
  ++bars_seen_;
  last_close_time_ = bar.close_time;
}

core::Timestamp FeaturePipeline::rth_open_of(std::int32_t trade_date) {
  if (!has_cached_rth_open_ || cached_trade_date_ != trade_date) {
    cached_rth_open_ =
        calendar_->at(date::sys_days(date::days(trade_date)), config_.rth_open);
    cached_trade_date_ = trade_date;
    has_cached_rth_open_ = true;
  }
  return cached_rth_open_;
}

void FeaturePipeline::on_bar(const bars::FootprintBar& bar, std::span<float> out) {
  DT_ASSERT(out.size() == footprint_v1::kNumColumns, "output span must hold one row");
  DT_ASSERT(bars_seen_ == 0 || bar.close_time > last_close_time_,
            "bars must arrive in increasing close time");
  // NaN marks "not written yet"; the check at the end proves every column got a value.
  std::fill(out.begin(), out.end(), std::numeric_limits<float>::quiet_NaN());
  const auto set = [&out](Column c, double v) { out[footprint_v1::index(c)] = static_cast<float>(v); };

  const auto close = static_cast<double>(bar.close.count());
  const auto open = static_cast<double>(bar.open.count());
  const auto high = static_cast<double>(bar.high.count());
  const auto low = static_cast<double>(bar.low.count());
  const auto volume = static_cast<double>(bar.volume);
  const auto& st = bar.studies;

  // Shape of the bar.
  set(Column::range_ticks, high - low);
  set(Column::body_ticks, close - open);
  set(Column::upper_wick_ticks, high - std::max(open, close));
  set(Column::lower_wick_ticks, std::min(open, close) - low);
  set(Column::volume, volume);
  set(Column::trades, static_cast<double>(bar.num_trades));
  set(Column::delta, static_cast<double>(st.delta));
  set(Column::delta_share, ratio_or(static_cast<double>(st.delta), volume, 0.0));
  set(Column::session_cum_delta, static_cast<double>(st.cum_delta));
  set(Column::close_position, ratio_or(close - low, high - low, 0.5));

  // Session references, as distances from the close so the model sees structure, not levels.
  set(Column::close_minus_session_open_ticks, close - static_cast<double>(st.session_open.count()));
  set(Column::close_minus_vwap_ticks, close - st.vwap);
  set(Column::close_minus_prev_high_ticks,
      st.has_prev_session ? close - static_cast<double>(st.prev_high.count()) : 0.0);
  set(Column::close_minus_prev_low_ticks,
      st.has_prev_session ? close - static_cast<double>(st.prev_low.count()) : 0.0);
  set(Column::close_minus_session_high_ticks, close - static_cast<double>(st.session_high.count()));
  set(Column::close_minus_session_low_ticks, close - static_cast<double>(st.session_low.count()));

  // Profile of this bar. A bar without levels (never built, but possible in hand-made data)
  // gets distances 0 and shares 0 rather than "close minus a zero price".
  const BarProfile p = compute_profile(bar, config_.profile);
  const auto total = static_cast<double>(p.total_volume);
  const auto from_close = [&](core::Ticks price) {
    return p.has_levels ? close - static_cast<double>(price.count()) : 0.0;
  };
  const auto share = [&](std::uint64_t v) { return ratio_or(static_cast<double>(v), total, 0.0); };
  set(Column::close_minus_poc_ticks, from_close(p.poc_price));
  set(Column::poc_volume_share, share(p.poc_volume));
  set(Column::close_minus_hvn_ticks, from_close(p.hvn_price));
  set(Column::hvn_volume_share, share(p.hvn_volume));
  set(Column::close_minus_lvn_ticks, from_close(p.lvn_price));
  set(Column::lvn_volume_share, share(p.lvn_volume));
  set(Column::close_minus_vah_ticks, from_close(p.value_area_high));
  set(Column::close_minus_val_ticks, from_close(p.value_area_low));
  set(Column::buy_imbalances, p.buy_imbalances);
  set(Column::sell_imbalances, p.sell_imbalances);
  set(Column::stacked_buy_imbalances, p.stacked_buy_imbalances);
  set(Column::stacked_sell_imbalances, p.stacked_sell_imbalances);
  set(Column::unfinished_high, p.unfinished_high ? 1.0 : 0.0);
  set(Column::unfinished_low, p.unfinished_low ? 1.0 : 0.0);

  // History: only bars before this one, so the row is known at the bar's close.
  static constexpr std::array kReturnColumns = {Column::return_1_ticks, Column::return_5_ticks,
                                                Column::return_15_ticks, Column::return_30_ticks};
  static_assert(kReturnColumns.size() == footprint_v1::kReturnHorizons.size());
  for (std::size_t i = 0; i < kReturnColumns.size(); ++i) {
    const std::size_t k = footprint_v1::kReturnHorizons[i];
    set(kReturnColumns[i], bars_seen_ >= k ? close - static_cast<double>(past_close(k)) : 0.0);
  }
  set(Column::volume_rel_30, ratio_or(volume, mean_past_volume(), 1.0));

  const auto since_open = bar.close_time - rth_open_of(bar.trade_date);
  set(Column::minutes_since_rth_open,
      std::chrono::duration<double, std::ratio<60>>(since_open).count());

  DT_ASSERT(std::none_of(out.begin(), out.end(), [](float v) { return std::isnan(v); }),
            "a footprint v1 column was left unwritten or is NaN");
  remember(bar);
}

}  // namespace daytrader::features
