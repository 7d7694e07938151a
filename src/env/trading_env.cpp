#include "env/trading_env.h"

#include <algorithm>
#include <cstring>

#include "core/assert.h"

namespace daytrader::env {

namespace {

exec::RulesConfig rules_config(const EnvData& d) {
  exec::RulesConfig r;
  r.account.starting_balance_cents = d.config().starting_balance_cents;
  r.account.commission_per_side_cents = d.config().commission_per_side_cents;
  r.account.tick_value_cents = d.instrument().tick_value_cents;
  r.risk = d.config().risk;
  r.bracket = d.config().bracket;
  return r;
}

// A uniform draw in [0, n) from 64 random bits (Lemire's multiply-shift): the same on every
// standard library, unlike std::uniform_int_distribution.
__extension__ typedef unsigned __int128 Uint128;  // NOLINT: GCC/Clang built-in, quiet under -Wpedantic
std::size_t draw(std::mt19937_64& rng, std::size_t n) {
  const Uint128 x = static_cast<Uint128>(rng()) * n;
  return static_cast<std::size_t>(x >> 64);
}

}  // namespace

TradingEnv::TradingEnv(std::shared_ptr<const EnvData> data, std::uint64_t seed)
    : keep_(std::move(data)),
      data_(keep_.get()),
      config_(&data_->config()),
      fills_(config_->slippage_ticks, config_->fill_rule),
      rules_(rules_config(*data_)),
      observation_(*config_),
      rng_(seed) {
  DT_ASSERT(!data_->episodes().empty(), "EnvData without episodes");
}

bool TradingEnv::reset(std::span<float> observation) {
  const std::size_t n = data_->episodes().size();
  if (config_->mode == EpisodeMode::kTrain) {
    begin_episode(draw(rng_, n), observation);
    return true;
  }
  if (next_evaluation_ >= n) {
    plan_ = nullptr;
    done_ = true;
    std::fill(observation.begin(), observation.end(), 0.0F);
    return false;
  }
  begin_episode(next_evaluation_++, observation);
  return true;
}

void TradingEnv::reset_to(std::size_t episode, std::span<float> observation) {
  DT_ASSERT(episode < data_->episodes().size(), "episode index out of range");
  begin_episode(episode, observation);
}

void TradingEnv::begin_episode(std::size_t episode, std::span<float> observation) {
  DT_ASSERT(observation.size() == observation_size(), "observation buffer has the wrong size");
  episode_index_ = episode;
  plan_ = &data_->episodes()[episode];
  bar_ = plan_->begin;
  rules_.begin_day();
  done_ = false;
  episode_length_ = 0;
  episode_reward_ = 0;
  write_observation(bar_, observation.data());
}

StepResult TradingEnv::step(std::int32_t action, std::span<float> observation) {
  DT_ASSERT(!done_ && plan_ != nullptr, "step() without an episode: call reset() first");
  DT_ASSERT(action >= 0 && action < static_cast<std::int32_t>(kNumActions), "action out of range 0..4");
  DT_ASSERT(observation.size() == observation_size(), "observation buffer has the wrong size");
  const EnvData& d = *data_;
  const EnvConfig& c = *config_;
  const EpisodePlan& plan = *plan_;
  const core::Cents equity_before = rules_.equity_cents();
  const std::size_t trades_before = rules_.trades().size();
  const exec::Position& pos = rules_.position();

  // 1. The order sent at this bar's close: the shared rules decide.
  const bool is_final = bar_ == plan.last;
  const exec::Decision decision = rules_.decide(action, decision_point());

  // 2. The next bar: the order at its open, then the bracket over its range.
  const bool has_next = !is_final || plan.has_fill_bar;
  std::size_t obs_bar = bar_;
  if (has_next) {
    const std::size_t n = bar_ + 1;
    const exec::BarPrices& p = d.prices(n);
    if (decision.intent == exec::Intent::kEnterLong || decision.intent == exec::Intent::kEnterShort) {
      const exec::Side side = decision.intent == exec::Intent::kEnterLong ? exec::Side::kLong : exec::Side::kShort;
      const core::Ticks fill = fills_.market_fill(exec::opening_order(side), p.open);
      rules_.on_entry_fill(side, fill, core::from_unix_ns(d.open_time_ns(n)));
    } else if (decision.intent == exec::Intent::kExit) {
      rules_.on_exit_fill(fills_.market_fill(exec::closing_order(pos.side()), p.open),
                          core::from_unix_ns(d.open_time_ns(n)), decision.exit_reason);
    }
    if (!pos.is_flat()) {
      if (const auto f = fills_.check_bracket(rules_.bracket(), p)) [[unlikely]]
        rules_.on_exit_fill(f->price, core::from_unix_ns(f->at_open ? d.open_time_ns(n) : d.close_time_ns(n)),
                            f->reason);
    }
    obs_bar = n;
    // The next step reads the following bar: start loading it while the caller works.
    if (n < plan.last + (plan.has_fill_bar ? 1 : 0)) {
      __builtin_prefetch(&d.prices(n + 1));
      const float* next = d.scaled_features(n + 1);
      for (std::size_t off = 0; off < d.num_features(); off += 16) __builtin_prefetch(next + off);
      __builtin_prefetch(next + d.num_features() - 1);
    }
  } else if (decision.intent == exec::Intent::kExit) {
    // The session (or the data) has no bar after the last decision: close at its close price.
    rules_.on_exit_fill(fills_.market_fill(exec::closing_order(pos.side()), core::Ticks(d.close(bar_))),
                        core::from_unix_ns(d.close_time_ns(bar_)),
                        plan.ends_data && !rules_.is_locked_out() ? exec::ExitReason::kEndOfData
                                                                  : decision.exit_reason);
  }

  // 3. Mark to market at the close of the observed bar; risk limits.
  const core::Ticks mark(d.close(obs_bar));
  rules_.mark(mark);
  StepResult r;
  if (is_final) {
    r.truncated = plan.ends_data;
    r.terminated = !plan.ends_data;
  } else {
    r.terminated = rules_.is_locked_out() && pos.is_flat() && c.end_episode_on_lockout;
  }
  done_ = r.terminated || r.truncated;
  bar_ = obs_bar;

  // Reward.
  r.equity_change_cents = rules_.equity_cents() - equity_before;
  if (c.reward == RewardKind::kEquityChange) [[likely]] {
    r.reward = static_cast<float>(static_cast<double>(r.equity_change_cents) * (0.01 * c.reward_scale));
  } else {
    core::Cents realized = 0;
    const auto trades = rules_.trades();
    for (std::size_t i = trades_before; i < trades.size(); ++i) realized += trades[i].net_cents;
    double v = c.original_exit_multiplier * static_cast<double>(realized) * 0.01;
    if (rules_.account().open_pnl_cents(mark) < -c.original_loss_threshold_cents) v -= c.original_loss_penalty;
    r.reward = static_cast<float>(v * c.reward_scale);
  }
  ++episode_length_;
  episode_reward_ += r.reward;

  // 4. The observation of the bar just closed.
  write_observation(obs_bar, observation.data());
  return r;
}

void TradingEnv::observe(std::span<float> observation) const noexcept {
  DT_ASSERT(observation.size() == observation_size(), "observation buffer has the wrong size");
  if (plan_ == nullptr) {
    std::fill(observation.begin(), observation.end(), 0.0F);
    return;
  }
  write_observation(bar_, observation.data());
}

void TradingEnv::write_observation(std::size_t bar, float* out) const noexcept {
  const std::size_t f = data_->num_features();
  std::memcpy(out, data_->scaled_features(bar), f * sizeof(float));
  observation_.write_account(rules_, out + f);
}

}  // namespace daytrader::env
