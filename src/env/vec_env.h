#pragma once
// The interface between environments and learners: N environments stepped together, in the
// semantics of Stable-Baselines3's VecEnv (see shared/spec/ppo-sb3.md section 4).
//
// - Observations are float32, one row of observation_size() per environment, row-major.
// - step() applies one action per environment. An environment whose episode ended in this step
//   (terminated or truncated) is reset at once: `observations` then holds the first observation
//   of its next episode and `terminal_observations` holds the last observation of the finished
//   one (used to bootstrap a truncated episode).
// - terminated = a true end (no bootstrap); truncated = cut by a limit such as the end of the
//   data or of a session window (bootstrapped). They are kept apart.
// - Deterministic: environment i is seeded with base_seed + i.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace daytrader::env {

// Per-environment results of one vectorised step. Sized by the caller through resize().
struct StepBuffers {
  std::vector<float> observations;           // [num_envs * observation_size]
  std::vector<float> terminal_observations;  // [num_envs * observation_size]; valid where done
  std::vector<float> rewards;                // [num_envs]
  std::vector<std::uint8_t> terminated;      // [num_envs]
  std::vector<std::uint8_t> truncated;       // [num_envs]

  void resize(std::size_t num_envs, std::size_t observation_size) {
    observations.assign(num_envs * observation_size, 0.0F);
    terminal_observations.assign(num_envs * observation_size, 0.0F);
    rewards.assign(num_envs, 0.0F);
    terminated.assign(num_envs, 0);
    truncated.assign(num_envs, 0);
  }
  [[nodiscard]] bool done(std::size_t i) const { return terminated[i] != 0 || truncated[i] != 0; }
};

// What a finished episode achieved, for progress lines and training logs.
struct EpisodeStats {
  std::size_t env_index = 0;
  double reward = 0;      // sum of the rewards given to the learner
  std::int64_t length = 0;
  double pnl_dollars = 0;  // net profit after costs (0 for environments without money)
};

class VecEnv {
 public:
  virtual ~VecEnv() = default;

  [[nodiscard]] virtual std::size_t num_envs() const = 0;
  [[nodiscard]] virtual std::size_t observation_size() const = 0;
  [[nodiscard]] virtual std::size_t num_actions() const = 0;

  // Starts a new episode in every environment; writes observations [num_envs * observation_size].
  virtual void reset(std::span<float> observations) = 0;

  // One step of every environment (actions in [0, num_actions())), with auto-reset.
  virtual void step(std::span<const std::int32_t> actions, StepBuffers& out) = 0;

  // Episodes that finished during the last step() call.
  [[nodiscard]] virtual std::span<const EpisodeStats> finished_episodes() const = 0;
};

}  // namespace daytrader::env
