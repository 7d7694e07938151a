#pragma once
// N TradingEnvs over one shared EnvData, as an env::VecEnv (Stable-Baselines3 semantics: a
// finished environment is reset at once; its last observation goes to terminal_observations).
//
// Environment i is seeded base_seed + first_index + i: a data-parallel run gives each process a
// slice of one global set of environments (process r owns first_index = r * num_envs), so the
// environments, and their random streams, are the same whatever the number of processes, and no
// two processes share one. In training mode each draws sessions at random from its
// own generator. In evaluation mode the environments share one cursor: every session of the
// range is played exactly once, in order, handed to whichever environment finishes first (in
// index order within a step). An environment with no session left is idle: zero observation,
// reward 0, never done; evaluation_finished() says when all are idle.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "env/trading_env.h"
#include "env/vec_env.h"
#include "exec/closed_trade.h"
#include "exec/risk_limits.h"

namespace daytrader::env {

// How a finished episode ended, with its trades: for evaluation reports and backtests.
struct EpisodeOutcome {
  std::size_t env_index = 0;
  std::size_t episode = 0;      // index into EnvData::episodes()
  std::size_t session = 0;      // index into the dataset's sessions
  std::int32_t trade_date = 0;  // days since 1970-01-01
  bool terminated = false;
  bool truncated = false;
  exec::Lockout lockout = exec::Lockout::kNone;
  core::Cents net_pnl_cents = 0;
  std::vector<exec::ClosedTrade> trades;
};

class TradingVecEnv final : public VecEnv {
 public:
  TradingVecEnv(std::shared_ptr<const EnvData> data, std::size_t num_envs, std::uint64_t base_seed,
                std::size_t first_index = 0);

  [[nodiscard]] std::size_t num_envs() const override { return envs_.size(); }
  [[nodiscard]] std::size_t observation_size() const override { return observation_size_; }
  [[nodiscard]] std::size_t num_actions() const override { return kNumActions; }

  void reset(std::span<float> observations) override;
  void step(std::span<const std::int32_t> actions, StepBuffers& out) override;
  [[nodiscard]] std::span<const EpisodeStats> finished_episodes() const override { return finished_; }

  // The same episodes as finished_episodes(), with how they ended and their trades.
  [[nodiscard]] std::span<const EpisodeOutcome> finished_outcomes() const noexcept {
    return {outcomes_.data(), finished_.size()};
  }
  [[nodiscard]] bool is_idle(std::size_t i) const noexcept { return idle_[i] != 0; }
  // Evaluation mode: every session has been played and every environment is idle.
  [[nodiscard]] bool evaluation_finished() const noexcept;
  [[nodiscard]] const TradingEnv& env(std::size_t i) const noexcept { return envs_[i]; }
  [[nodiscard]] const EnvData& data() const noexcept { return envs_.front().data(); }

 private:
  // Starts env i's next episode; false (and idle) when evaluation has no session left.
  bool start(std::size_t i, std::span<float> observation);
  void record_finished(std::size_t i, const StepResult& r);

  std::vector<TradingEnv> envs_;
  std::vector<std::uint8_t> idle_;
  std::size_t observation_size_;
  bool evaluate_;
  std::size_t next_episode_ = 0;
  std::vector<EpisodeStats> finished_;
  std::vector<EpisodeOutcome> outcomes_;  // slot k matches finished_[k]; slots are reused
};

}  // namespace daytrader::env
