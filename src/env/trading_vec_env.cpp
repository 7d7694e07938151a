#include "env/trading_vec_env.h"

#include <algorithm>
#include <cstring>

#include "core/assert.h"

namespace daytrader::env {

TradingVecEnv::TradingVecEnv(std::shared_ptr<const EnvData> data, std::size_t num_envs,
                             std::uint64_t base_seed, std::size_t first_index)
    : idle_(num_envs, 0),
      observation_size_(data->observation_size()),
      evaluate_(data->config().mode == EpisodeMode::kEvaluate) {
  DT_ASSERT(num_envs > 0, "a VecEnv needs at least one environment");
  envs_.reserve(num_envs);
  for (std::size_t i = 0; i < num_envs; ++i) envs_.emplace_back(data, base_seed + first_index + i);
  finished_.reserve(num_envs);
}

bool TradingVecEnv::start(std::size_t i, std::span<float> observation) {
  if (!evaluate_) {
    envs_[i].reset(observation);
    return true;
  }
  if (next_episode_ >= data().episodes().size()) {
    idle_[i] = 1;
    std::fill(observation.begin(), observation.end(), 0.0F);
    return false;
  }
  envs_[i].reset_to(next_episode_++, observation);
  return true;
}

void TradingVecEnv::reset(std::span<float> observations) {
  DT_ASSERT(observations.size() == envs_.size() * observation_size_,
            "observations buffer has the wrong size");
  next_episode_ = 0;
  std::fill(idle_.begin(), idle_.end(), 0);
  finished_.clear();
  for (std::size_t i = 0; i < envs_.size(); ++i)
    start(i, observations.subspan(i * observation_size_, observation_size_));
}

void TradingVecEnv::step(std::span<const std::int32_t> actions, StepBuffers& out) {
  const std::size_t n = envs_.size();
  const std::size_t m = observation_size_;
  DT_ASSERT(actions.size() == n, "one action per environment");
  DT_ASSERT(out.observations.size() == n * m && out.terminal_observations.size() == n * m &&
                out.rewards.size() == n && out.terminated.size() == n && out.truncated.size() == n,
            "StepBuffers not sized by resize(num_envs, observation_size)");
  finished_.clear();
  // Plain local pointers: the uint8 stores below could alias the vectors' internals otherwise.
  float* const observations = out.observations.data();
  float* const terminal = out.terminal_observations.data();
  float* const rewards = out.rewards.data();
  std::uint8_t* const terminated = out.terminated.data();
  std::uint8_t* const truncated = out.truncated.data();
  for (std::size_t i = 0; i < n; ++i) {
    const std::span<float> obs(observations + i * m, m);
    if (idle_[i] != 0) [[unlikely]] {
      std::fill(obs.begin(), obs.end(), 0.0F);
      rewards[i] = 0;
      terminated[i] = 0;
      truncated[i] = 0;
      continue;
    }
    TradingEnv& e = envs_[i];
    const StepResult r = e.step(actions[i], obs);
    rewards[i] = r.reward;
    terminated[i] = r.terminated ? 1 : 0;
    truncated[i] = r.truncated ? 1 : 0;
    if (!r.done()) [[likely]]
      continue;
    std::memcpy(terminal + i * m, obs.data(), m * sizeof(float));
    record_finished(i, r);
    start(i, obs);
  }
}

void TradingVecEnv::record_finished(std::size_t i, const StepResult& r) {
  const TradingEnv& e = envs_[i];
  const std::size_t k = finished_.size();
  finished_.push_back(EpisodeStats{i, e.episode_reward(), e.episode_length(),
                                   static_cast<double>(e.account().realized_cents()) / 100.0});
  if (outcomes_.size() <= k) outcomes_.resize(k + 1);
  EpisodeOutcome& o = outcomes_[k];
  o.env_index = i;
  o.episode = e.episode_index();
  o.session = e.episode().session;
  o.trade_date = e.episode().trade_date;
  o.terminated = r.terminated;
  o.truncated = r.truncated;
  o.lockout = e.risk().lockout();
  o.net_pnl_cents = e.account().realized_cents();
  o.trades.assign(e.account().trades().begin(), e.account().trades().end());
}

bool TradingVecEnv::evaluation_finished() const noexcept {
  return evaluate_ && std::all_of(idle_.begin(), idle_.end(), [](std::uint8_t x) { return x != 0; });
}

}  // namespace daytrader::env
