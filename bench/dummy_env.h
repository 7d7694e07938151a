#pragma once
// An environment that costs ~nothing, for measuring PPO itself: observation size 42 (as the
// footprint features plus the account), 5 actions, a fixed table of observations, constant
// rewards, episodes truncated every 1000 steps.

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "env/vec_env.h"
#include "rl/random.h"

namespace daytrader::bench {

constexpr std::size_t kObs = 42;
constexpr std::size_t kActions = 5;

class DummyEnv final : public env::VecEnv {
 public:
  explicit DummyEnv(std::size_t num_envs) : n_(num_envs), t_(num_envs, 0), table_(16 * kObs) {
    rl::Rng rng(1);
    for (auto& x : table_) x = static_cast<float>(rng.uniform01() * 2.0 - 1.0);
  }
  [[nodiscard]] std::size_t num_envs() const override { return n_; }
  [[nodiscard]] std::size_t observation_size() const override { return kObs; }
  [[nodiscard]] std::size_t num_actions() const override { return kActions; }
  void reset(std::span<float> obs) override {
    for (std::size_t i = 0; i < n_; ++i) {
      t_[i] = 0;
      std::copy_n(table_.begin(), kObs, obs.begin() + static_cast<std::ptrdiff_t>(i * kObs));
    }
  }
  void step(std::span<const std::int32_t> actions, env::StepBuffers& out) override {
    finished_.clear();
    for (std::size_t i = 0; i < n_; ++i) {
      ++t_[i];
      out.rewards[i] = actions[i] == 0 ? 0.1F : 0.0F;
      out.terminated[i] = 0;
      out.truncated[i] = t_[i] >= 1000 ? 1 : 0;
      const auto row = static_cast<std::ptrdiff_t>((t_[i] % 16) * kObs);
      std::copy_n(table_.begin() + row, kObs, out.observations.begin() + static_cast<std::ptrdiff_t>(i * kObs));
      if (out.truncated[i] != 0) {
        std::copy_n(table_.begin() + row, kObs,
                    out.terminal_observations.begin() + static_cast<std::ptrdiff_t>(i * kObs));
        finished_.push_back(env::EpisodeStats{i, 0.0, t_[i], 0.0});
        t_[i] = 0;
      }
    }
  }
  [[nodiscard]] std::span<const env::EpisodeStats> finished_episodes() const override { return finished_; }

 private:
  std::size_t n_;
  std::vector<std::int64_t> t_;
  std::vector<float> table_;
  std::vector<env::EpisodeStats> finished_;
};

}  // namespace daytrader::bench
