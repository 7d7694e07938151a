#include "env/env_config.h"

#include <cmath>
#include <string>

#include <fmt/format.h>

namespace daytrader::env {

std::string_view to_string(EpisodeMode m) noexcept {
  return m == EpisodeMode::kTrain ? "train" : "evaluate";
}
std::string_view to_string(RewardKind r) noexcept {
  return r == RewardKind::kEquityChange ? "equity" : "original";
}

core::Result<EpisodeMode> parse_episode_mode(std::string_view text) {
  if (text == "train") return EpisodeMode::kTrain;
  if (text == "evaluate") return EpisodeMode::kEvaluate;
  return core::Error{
      fmt::format("episode mode \"{}\" is not known; expected \"train\" or \"evaluate\"", text)};
}

core::Result<RewardKind> parse_reward_kind(std::string_view text) {
  if (text == "equity") return RewardKind::kEquityChange;
  if (text == "original") return RewardKind::kOriginal;
  return core::Error{fmt::format("reward \"{}\" is not known; expected \"equity\" or \"original\"", text)};
}

namespace {

core::Error bad(std::string_view field, const std::string& value, std::string_view expected) {
  return core::Error{fmt::format("EnvConfig.{} is {}; expected {}", field, value, expected)};
}

bool valid_time(const core::LocalTimeOfDay& t) {
  return t.minutes >= 0 && t.seconds >= 0 && t.seconds < 60 && t.minutes * 60 + t.seconds <= 24 * 3600;
}

}  // namespace

core::Status validate(const EnvConfig& c) {
  if (c.mode != EpisodeMode::kTrain && c.mode != EpisodeMode::kEvaluate)
    return bad("mode", fmt::format("{}", static_cast<int>(c.mode)), "train or evaluate");
  if (!valid_time(c.window_start))
    return bad("window_start", fmt::format("{} min {} s", c.window_start.minutes, c.window_start.seconds),
               "a time of day 00:00:00..24:00:00");
  if (!valid_time(c.window_end))
    return bad("window_end", fmt::format("{} min {} s", c.window_end.minutes, c.window_end.seconds),
               "a time of day 00:00:00..24:00:00");
  if (!(c.window_start < c.window_end))
    return bad("window_end", c.window_end.to_string(),
               fmt::format("after window_start {} on the same trade date", c.window_start.to_string()));
  if (c.bars_before_window < 0)
    return bad("bars_before_window", fmt::format("{}", c.bars_before_window), ">= 0");
  if (c.bracket.target_ticks <= 0)
    return bad("bracket.target_ticks", fmt::format("{}", c.bracket.target_ticks), "> 0");
  if (c.bracket.stop_ticks <= 0)
    return bad("bracket.stop_ticks", fmt::format("{}", c.bracket.stop_ticks), "> 0");
  if (c.slippage_ticks < 0) return bad("slippage_ticks", fmt::format("{}", c.slippage_ticks), ">= 0");
  if (c.commission_per_side_cents < 0)
    return bad("commission_per_side_cents", fmt::format("{}", c.commission_per_side_cents), ">= 0");
  if (c.starting_balance_cents <= 0)
    return bad("starting_balance_cents", fmt::format("{}", c.starting_balance_cents), "> 0");
  if (c.risk.max_drawdown_cents < 0)
    return bad("risk.max_drawdown_cents", fmt::format("{}", c.risk.max_drawdown_cents),
               ">= 0 (0 disables it)");
  if (c.risk.daily_profit_target_cents < 0)
    return bad("risk.daily_profit_target_cents", fmt::format("{}", c.risk.daily_profit_target_cents),
               ">= 0 (0 disables it)");
  if (c.reward != RewardKind::kEquityChange && c.reward != RewardKind::kOriginal)
    return bad("reward", fmt::format("{}", static_cast<int>(c.reward)), "equity or original");
  if (!std::isfinite(c.reward_scale) || c.reward_scale <= 0)
    return bad("reward_scale", fmt::format("{}", c.reward_scale), "a finite number > 0");
  if (!std::isfinite(c.original_exit_multiplier))
    return bad("original_exit_multiplier", fmt::format("{}", c.original_exit_multiplier), "a finite number");
  if (!std::isfinite(c.original_loss_penalty))
    return bad("original_loss_penalty", fmt::format("{}", c.original_loss_penalty), "a finite number");
  if (c.original_loss_threshold_cents < 0)
    return bad("original_loss_threshold_cents", fmt::format("{}", c.original_loss_threshold_cents), ">= 0");
  if (c.obs_balance_scale_cents <= 0)
    return bad("obs_balance_scale_cents", fmt::format("{}", c.obs_balance_scale_cents), "> 0");
  if (c.obs_open_pnl_scale_cents <= 0)
    return bad("obs_open_pnl_scale_cents", fmt::format("{}", c.obs_open_pnl_scale_cents), "> 0");
  return {};
}

}  // namespace daytrader::env
