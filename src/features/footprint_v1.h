#pragma once
// Column list of feature set "footprint" version 1, written once: the names that FeatureSet
// hashes and the indices FeaturePipeline writes come from the same list, so they cannot drift.
// Changing, adding or reordering a column changes the hash; bump the version as well.
// docs/features.md defines each column.

#include <array>
#include <cstddef>
#include <string_view>

// X(name): one entry per column, in output order.
#define DAYTRADER_FOOTPRINT_V1_COLUMNS(X) \
  X(range_ticks)                          \
  X(body_ticks)                           \
  X(upper_wick_ticks)                     \
  X(lower_wick_ticks)                     \
  X(volume)                               \
  X(trades)                               \
  X(delta)                                \
  X(delta_share)                          \
  X(session_cum_delta)                    \
  X(close_position)                       \
  X(close_minus_session_open_ticks)       \
  X(close_minus_vwap_ticks)               \
  X(close_minus_prev_high_ticks)          \
  X(close_minus_prev_low_ticks)           \
  X(close_minus_session_high_ticks)       \
  X(close_minus_session_low_ticks)        \
  X(close_minus_poc_ticks)                \
  X(poc_volume_share)                     \
  X(close_minus_hvn_ticks)                \
  X(hvn_volume_share)                     \
  X(close_minus_lvn_ticks)                \
  X(lvn_volume_share)                     \
  X(close_minus_vah_ticks)                \
  X(close_minus_val_ticks)                \
  X(buy_imbalances)                       \
  X(sell_imbalances)                      \
  X(stacked_buy_imbalances)               \
  X(stacked_sell_imbalances)              \
  X(unfinished_high)                      \
  X(unfinished_low)                       \
  X(return_1_ticks)                       \
  X(return_5_ticks)                       \
  X(return_15_ticks)                      \
  X(return_30_ticks)                      \
  X(volume_rel_30)                        \
  X(minutes_since_rth_open)

namespace daytrader::features::footprint_v1 {

inline constexpr std::string_view kName = "footprint";
inline constexpr int kVersion = 1;

// Column indices: out[index(Column::delta)].
enum class Column : std::size_t {
#define DAYTRADER_X(name) name,
  DAYTRADER_FOOTPRINT_V1_COLUMNS(DAYTRADER_X)
#undef DAYTRADER_X
};

inline constexpr std::array kColumnNames = {
#define DAYTRADER_X(name) std::string_view(#name),
    DAYTRADER_FOOTPRINT_V1_COLUMNS(DAYTRADER_X)
#undef DAYTRADER_X
};

inline constexpr std::size_t kNumColumns = kColumnNames.size();

[[nodiscard]] constexpr std::size_t index(Column c) noexcept { return static_cast<std::size_t>(c); }

// Look-back lengths baked into the column names above.
inline constexpr std::array<std::size_t, 4> kReturnHorizons = {1, 5, 15, 30};
inline constexpr std::size_t kVolumeMeanBars = 30;

}  // namespace daytrader::features::footprint_v1
