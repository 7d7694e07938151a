#pragma once
// One trading environment, Gym-style: reset() starts an episode (one session's window), step()
// applies an action decided at a bar's close and advances to the next bar's close.
//
// Timeline of step(action) at decision bar t (closed):
//   1. the action (or a forced flatten) becomes at most one market order, sent at t's close;
//   2. bar t+1: the order fills at its open +- slippage (an entry gets its bracket); then the
//      bracket is checked against bar t+1's prices (exec::BarFillModel's rules);
//   3. the account is marked at t+1's close: equity, high-water mark, risk lockout;
//   4. the observation of bar t+1 is written: its scaled features and the account state.
// The observation at t uses bars up to t only. docs/environment.md has the full rules.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <span>

#include "core/ticks.h"
#include "core/timestamp.h"
#include "env/env_config.h"
#include "env/env_data.h"
#include "env/observation.h"
#include "exec/fill_model.h"
#include "exec/order_manager.h"

namespace daytrader::env {

// The actions and the trading rules are exec::OrderManager's, shared with live trading.
using Action = exec::Action;
using exec::kNumActions;

struct StepResult {
  float reward = 0;
  bool terminated = false;              // a true end: the day's trading is over (window end or lockout)
  bool truncated = false;               // cut by the end of the data inside the window (bootstrap it)
  core::Cents equity_change_cents = 0;  // the unscaled equity-change reward, for any reward kind
  [[nodiscard]] bool done() const noexcept { return terminated || truncated; }
};

class TradingEnv {
 public:
  // Seed drives the session draws in training mode (std::mt19937_64).
  TradingEnv(std::shared_ptr<const EnvData> data, std::uint64_t seed);

  [[nodiscard]] std::size_t observation_size() const noexcept { return data_->observation_size(); }
  [[nodiscard]] static constexpr std::size_t num_actions() noexcept { return kNumActions; }

  // Starts an episode and writes its first observation. Training: a session drawn uniformly from
  // the env's RNG. Evaluation: the next session in order; returns false (observation zeroed)
  // once all were walked.
  bool reset(std::span<float> observation);
  // Starts an episode on data().episodes()[episode].
  void reset_to(std::size_t episode, std::span<float> observation);
  // Applies `action` (0..4) and writes the next observation; after a done step that is the
  // terminal observation, and reset() must come next.
  StepResult step(std::int32_t action, std::span<float> observation);
  // Writes the current observation again.
  void observe(std::span<float> observation) const noexcept;

  [[nodiscard]] const EnvData& data() const noexcept { return *data_; }
  [[nodiscard]] bool has_episode() const noexcept { return plan_ != nullptr; }
  [[nodiscard]] bool is_done() const noexcept { return done_; }
  [[nodiscard]] std::size_t episode_index() const noexcept { return episode_index_; }
  [[nodiscard]] const EpisodePlan& episode() const noexcept { return *plan_; }
  // The bar of the current observation (an EnvData bar index) and its close time.
  [[nodiscard]] std::size_t bar() const noexcept { return bar_; }
  [[nodiscard]] core::Timestamp decision_time() const noexcept {
    return core::from_unix_ns(data_->close_time_ns(bar_));
  }
  // Whether an entry action would be accepted at the current decision.
  [[nodiscard]] bool entries_allowed() const noexcept {
    return !done_ && !rules_.is_locked_out() && bar_ >= plan_->entry_begin && bar_ < plan_->last;
  }
  // Where the current decision bar stands in the window, as the shared rules see it.
  [[nodiscard]] exec::DecisionPoint decision_point() const noexcept {
    return {bar_ >= plan_->entry_begin, bar_ == plan_->last};
  }
  [[nodiscard]] const exec::OrderManager& rules() const noexcept { return rules_; }
  [[nodiscard]] const exec::Account& account() const noexcept { return rules_.account(); }
  [[nodiscard]] const exec::DailyRisk& risk() const noexcept { return rules_.risk(); }
  // Valid when in a position.
  [[nodiscard]] const exec::Bracket& bracket() const noexcept { return rules_.bracket(); }
  [[nodiscard]] core::Cents equity_cents() const noexcept { return rules_.equity_cents(); }
  [[nodiscard]] std::int64_t episode_length() const noexcept { return episode_length_; }
  [[nodiscard]] double episode_reward() const noexcept { return episode_reward_; }

 private:
  void begin_episode(std::size_t episode, std::span<float> observation);
  void write_observation(std::size_t bar, float* out) const noexcept;

  std::shared_ptr<const EnvData> keep_;
  const EnvData* data_;
  const EnvConfig* config_;
  exec::BarFillModel fills_;
  exec::OrderManager rules_;
  ObservationBuilder observation_;
  std::mt19937_64 rng_;
  std::size_t next_evaluation_ = 0;

  const EpisodePlan* plan_ = nullptr;
  std::size_t episode_index_ = 0;
  std::size_t bar_ = 0;
  bool done_ = true;
  std::int64_t episode_length_ = 0;
  double episode_reward_ = 0;
};

}  // namespace daytrader::env
