#include "features/bar_profile.h"

#include <fmt/format.h>

#include <cstddef>
#include <span>

namespace daytrader::features {

namespace {

using bars::PriceLevel;

// Aggressive volume of the level one tick away from levels[i], or 0 when that price did not
// trade in the bar. Levels are strictly ascending, so the neighbour can only be i - 1 or i + 1.
std::uint32_t bid_one_tick_below(std::span<const PriceLevel> levels, std::size_t i) {
  if (i == 0 || levels[i - 1].price != levels[i].price - core::Ticks(1)) return 0;
  return levels[i - 1].bid_volume;
}

std::uint32_t ask_one_tick_above(std::span<const PriceLevel> levels, std::size_t i) {
  if (i + 1 >= levels.size() || levels[i + 1].price != levels[i].price + core::Ticks(1)) return 0;
  return levels[i + 1].ask_volume;
}

bool is_imbalance(std::uint32_t aggressive, std::uint32_t opposite, const ProfileConfig& config) {
  return aggressive >= config.imbalance_min_volume &&
         static_cast<double>(aggressive) >= config.imbalance_ratio * static_cast<double>(opposite);
}

// Length of the same-side imbalance run ending at level i, given the run ending at i - 1.
// A run breaks at a level without the imbalance and at a gap of untraded prices.
std::uint32_t extend_run(std::uint32_t run, bool imbalanced, bool adjacent_to_previous) {
  if (!imbalanced) return 0;
  return adjacent_to_previous ? run + 1 : 1;
}

void compute_value_area(std::span<const PriceLevel> levels, std::size_t poc_index,
                        const ProfileConfig& config, BarProfile& p) {
  // Integer target so that e.g. 70 % of 10 contracts is exactly 7, never 7.000000001 -> 8.
  const std::uint64_t target =
      (p.total_volume * config.value_area_percent + 99) / 100;
  std::size_t lo = poc_index;
  std::size_t hi = poc_index;
  std::uint64_t in_area = levels[poc_index].volume;
  while (in_area < target) {
    const bool has_above = hi + 1 < levels.size();
    const bool has_below = lo > 0;
    if (!has_above && !has_below) break;  // only reachable if volumes were inconsistent
    const std::uint64_t above = has_above ? levels[hi + 1].volume : 0;
    const std::uint64_t below = has_below ? levels[lo - 1].volume : 0;
    const bool take_above = has_above && (!has_below || above >= below);
    const bool take_below = has_below && (!has_above || below >= above);
    if (take_above) in_area += levels[++hi].volume;
    if (take_below) in_area += levels[--lo].volume;
  }
  p.value_area_low = levels[lo].price;
  p.value_area_high = levels[hi].price;
  p.value_area_volume = in_area;
}

}  // namespace

core::Status validate(const ProfileConfig& config) {
  if (config.value_area_percent < 1 || config.value_area_percent > 100)
    return core::Error{fmt::format(
        "features.profile.value_area_percent: {} is outside 1..100", config.value_area_percent)};
  // Written so that NaN fails too.
  if (!(config.imbalance_ratio >= 1.0) || !(config.imbalance_ratio <= 1e6))
    return core::Error{fmt::format(
        "features.profile.imbalance_ratio: {} is outside 1..1e6", config.imbalance_ratio)};
  if (config.imbalance_min_volume < 1)
    return core::Error{fmt::format("features.profile.imbalance_min_volume: {} must be >= 1",
                                   config.imbalance_min_volume)};
  if (config.stacked_min_run < 1)
    return core::Error{fmt::format("features.profile.stacked_min_run: {} must be >= 1",
                                   config.stacked_min_run)};
  return {};
}

LevelImbalance level_imbalance(std::span<const bars::PriceLevel> levels, std::size_t i,
                               const ProfileConfig& config) {
  return LevelImbalance{is_imbalance(levels[i].ask_volume, bid_one_tick_below(levels, i), config),
                        is_imbalance(levels[i].bid_volume, ask_one_tick_above(levels, i), config)};
}

BarProfile compute_profile(const bars::FootprintBar& bar, const ProfileConfig& config) {
  DT_ASSERT(validate(config).has_value(), "ProfileConfig must be validated before use");
  BarProfile p;
  const std::span<const PriceLevel> levels(bar.levels);
  if (levels.empty()) return p;
  p.has_levels = true;

  // POC / HVN / LVN in one pass instead of the original's sort. Visiting levels in ascending
  // price and letting ">=" replace the leader makes a later (higher) level win a volume tie,
  // which is exactly the order a stable ascending sort by volume would leave; the LVN uses
  // "<" so the first (lowest) minimum stays.
  std::size_t poc = 0;
  std::size_t hvn = 0;
  bool has_hvn = false;
  std::size_t lvn = 0;
  std::uint32_t run_buy = 0;
  std::uint32_t run_sell = 0;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const PriceLevel& level = levels[i];
    const bool adjacent = i > 0 && levels[i - 1].price == level.price - core::Ticks(1);
    DT_ASSERT(i == 0 || levels[i - 1].price < level.price,
              "FootprintBar levels must be strictly ascending by price");
    p.total_volume += level.volume;

    if (i > 0) {
      if (level.volume >= levels[poc].volume) {
        hvn = poc;
        poc = i;
        has_hvn = true;
      } else if (!has_hvn || level.volume >= levels[hvn].volume) {
        hvn = i;
        has_hvn = true;
      }
      if (level.volume < levels[lvn].volume) lvn = i;
    }

    const auto [buy, sell] = level_imbalance(levels, i, config);
    p.buy_imbalances += buy ? 1 : 0;
    p.sell_imbalances += sell ? 1 : 0;
    run_buy = extend_run(run_buy, buy, adjacent);
    run_sell = extend_run(run_sell, sell, adjacent);
    // Count a run once, on the level that makes it long enough.
    if (run_buy == config.stacked_min_run) ++p.stacked_buy_imbalances;
    if (run_sell == config.stacked_min_run) ++p.stacked_sell_imbalances;
  }
  if (!has_hvn) hvn = poc;

  p.poc_price = levels[poc].price;
  p.poc_volume = levels[poc].volume;
  p.hvn_price = levels[hvn].price;
  p.hvn_volume = levels[hvn].volume;
  p.lvn_price = levels[lvn].price;
  p.lvn_volume = levels[lvn].volume;

  compute_value_area(levels, poc, config, p);

  const PriceLevel& top = levels.back();
  const PriceLevel& bottom = levels.front();
  p.unfinished_high = top.bid_volume > 0 && top.ask_volume > 0;
  p.unfinished_low = bottom.bid_volume > 0 && bottom.ask_volume > 0;
  return p;
}

}  // namespace daytrader::features
