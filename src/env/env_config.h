#pragma once
// Every setting of the trading environment, with the defaults of the live system it mirrors.
// docs/environment.md explains each one; validate() checks them and names the field and value.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/result.h"
#include "core/session_calendar.h"
#include "core/ticks.h"
#include "exec/bracket.h"
#include "exec/fill_model.h"
#include "exec/risk_limits.h"

namespace daytrader::env {

// How episodes pick sessions: at random (training) or each once, in order (evaluation).
enum class EpisodeMode : std::uint8_t { kTrain = 0, kEvaluate = 1 };

enum class RewardKind : std::uint8_t {
  // Change in mark-to-market equity over the step, net of commission and slippage, in dollars,
  // times reward_scale. Over an episode it sums to the day's net P&L.
  kEquityChange = 0,
  // The original system's: original_exit_multiplier x the net P&L (dollars) of each trade closed
  // in the step, minus original_loss_penalty for each step ending with an open loss larger than
  // original_loss_threshold_cents (computed per side, so shorts are right); times reward_scale.
  kOriginal = 1,
};

[[nodiscard]] std::string_view to_string(EpisodeMode m) noexcept;
[[nodiscard]] std::string_view to_string(RewardKind r) noexcept;
[[nodiscard]] core::Result<EpisodeMode> parse_episode_mode(std::string_view text);  // "train", "evaluate"
[[nodiscard]] core::Result<RewardKind> parse_reward_kind(std::string_view text);    // "equity", "original"

struct EnvConfig {
  // --- Episodes: one per session (CME trade date) of the dataset.
  EpisodeMode mode = EpisodeMode::kTrain;
  std::size_t session_begin = 0;  // index of the first session to use (e.g. the fold's start)
  std::size_t session_count = 0;  // how many sessions; 0 = all from session_begin to the end

  // --- Session window, in exchange time on each trade date (DST-aware through SessionCalendar).
  // Decision bars are the bars closing in [window_start, window_end], plus bars_before_window
  // bars before the first of them; entries are allowed at decisions closing in [window_start,
  // window_end) except the last decision, which flattens (see docs/environment.md).
  core::LocalTimeOfDay window_start{8 * 60 + 30, 0};  // 08:30:00
  core::LocalTimeOfDay window_end{14 * 60 + 30, 0};   // 14:30:00
  std::int32_t bars_before_window = 0;                // observation-only steps before the window

  // --- Orders and money. One contract per entry.
  exec::BracketSpec bracket{};                     // target 10 ticks, stop 10 ticks
  std::int64_t slippage_ticks = 1;                 // adverse ticks on market and stop fills
  exec::LimitFillRule fill_rule = exec::LimitFillRule::kThrough;  // how the target fills
  core::Cents commission_per_side_cents = 225;     // $2.25 a side, $4.50 a round turn
  core::Cents starting_balance_cents = 5'000'000;  // $50,000 at the start of every episode
  exec::RiskLimits risk{};                         // $1,000 below the HWM; $1,000 day profit
  bool end_episode_on_lockout = true;              // a lockout ends the episode once flat

  // --- Reward.
  RewardKind reward = RewardKind::kEquityChange;
  double reward_scale = 0.01;                          // reward per dollar: dollars / 100
  double original_exit_multiplier = 10.0;              // kOriginal: x net dollars of each exit
  double original_loss_penalty = 10.0;                 // kOriginal: per step in a large open loss
  core::Cents original_loss_threshold_cents = 50'000;  // kOriginal: open loss beyond $500

  // --- Observation: account values are divided by these.
  core::Cents obs_balance_scale_cents = 100'000;  // balance change and drawdown per $1,000
  core::Cents obs_open_pnl_scale_cents = 10'000;  // open P&L per $100
};

// Ok, or an error naming the first bad field and its value: "EnvConfig.slippage_ticks is -1;
// expected >= 0".
[[nodiscard]] core::Status validate(const EnvConfig& config);

}  // namespace daytrader::env
