#pragma once
// The volume profile of one footprint bar: POC / HVN / LVN as the original system defined them,
// the value area, diagonal bid/ask imbalances, stacked imbalances and unfinished auctions.
//
// Everything here is a pure function of one bar's price levels, computed in one pass over the
// levels (two for the value area) without allocating, so the pipeline can call it on every bar.

#include <cstddef>
#include <cstdint>
#include <span>

#include "bars/footprint_bar.h"
#include "core/result.h"
#include "core/ticks.h"

namespace daytrader::features {

struct ProfileConfig {
  // Share of the bar's volume inside the value area, in percent (1..100). An integer so the
  // target volume is exact: ceil(total * percent / 100), with no rounding of a double share.
  std::uint32_t value_area_percent = 70;
  // A level is imbalanced when its aggressive volume is at least this multiple of the opposite
  // aggressive volume one tick diagonally away (3.0 = the customary 300 %). Must be >= 1.
  double imbalance_ratio = 3.0;
  // ...and at least this many contracts. Ten contracts is a handful of ES trades (the average
  // trade is 2-5 contracts): below that, "3 lots against 1" is noise, and since an untraded
  // neighbour counts as 0, a lower floor would flag almost every thin overnight level.
  // Must be >= 1, or a level with no aggressive volume would be an imbalance against 0.
  std::uint32_t imbalance_min_volume = 10;
  // Minimum number of consecutive-tick levels with a same-side imbalance that make one
  // "stacked imbalance" run. Must be >= 1.
  std::uint32_t stacked_min_run = 3;

  bool operator==(const ProfileConfig&) const = default;
};

// Ok, or an error naming the field, its value and the allowed range.
[[nodiscard]] core::Status validate(const ProfileConfig& config);

struct BarProfile {
  // False for a bar without price levels (the builder never emits one); every other field is
  // then zero, so a caller that forgets to check gets zeros rather than garbage.
  bool has_levels = false;
  std::uint64_t total_volume = 0;  // sum of the levels' total volume

  // POC: the level with the most total volume, HVN: the second most, LVN: the least. Ties
  // follow the original's rows-in-ascending-price order under a stable sort by volume:
  // POC = highest price among the maximum-volume levels; HVN = among the other levels, the
  // highest price with the largest volume; LVN = lowest price among the minimum-volume levels.
  // With one level all three are that level.
  core::Ticks poc_price;
  std::uint64_t poc_volume = 0;
  core::Ticks hvn_price;
  std::uint64_t hvn_volume = 0;
  core::Ticks lvn_price;
  std::uint64_t lvn_volume = 0;

  // Value area: start at the POC level and add one neighbouring traded level at a time, the
  // side (next level above vs next level below) with more volume first; on equal volume both
  // levels are added in the same step, so ties never bias the area up or down. Stop as soon as
  // the area holds >= ceil(total * percent / 100). Untraded prices are skipped, not counted.
  core::Ticks value_area_high;
  core::Ticks value_area_low;
  std::uint64_t value_area_volume = 0;

  // Diagonal imbalances (see compute_profile) and runs of them on consecutive ticks.
  std::uint32_t buy_imbalances = 0;
  std::uint32_t sell_imbalances = 0;
  std::uint32_t stacked_buy_imbalances = 0;   // number of runs, not levels in runs
  std::uint32_t stacked_sell_imbalances = 0;

  // Unfinished auction: both sides traded at the bar's extreme level, i.e. the auction there
  // was two-sided rather than exhausted, so price often comes back to it.
  bool unfinished_high = false;
  bool unfinished_low = false;

  bool operator==(const BarProfile&) const = default;
};

// Diagonal imbalances at level i of a bar's ascending levels: buy when its ask volume beats the
// bid volume one tick below by the ratio (and meets the minimum), sell when its bid volume beats
// the ask volume one tick above. compute_profile counts these; `inspect` marks them.
struct LevelImbalance {
  bool buy = false;
  bool sell = false;
};
[[nodiscard]] LevelImbalance level_imbalance(std::span<const bars::PriceLevel> levels, std::size_t i,
                                             const ProfileConfig& config);

// Imbalances, with p the price of a level and neighbours looked up one tick away (an untraded
// neighbour has volume 0, so then only the minimum applies):
//   buy  at p: ask(p) >= ratio * bid(p - 1 tick)  and  ask(p) >= min_volume
//   sell at p: bid(p) >= ratio * ask(p + 1 tick)  and  bid(p) >= min_volume
// Requires bar.levels strictly ascending by price and validate(config) to pass (asserted).
[[nodiscard]] BarProfile compute_profile(const bars::FootprintBar& bar,
                                         const ProfileConfig& config);

}  // namespace daytrader::features
