#pragma once
// Generalised advantage estimation and lambda-returns exactly as Stable-Baselines3's
// RolloutBuffer.compute_returns_and_advantage (shared/spec/ppo-sb3.md section 5), in float32.
// Plain C++ so it can be checked by hand.

#include <cstddef>
#include <cstdint>
#include <span>

namespace daytrader::rl {

// All per-step arrays are [num_steps][num_envs], row-major (index t * num_envs + e).
struct GaeInput {
  std::size_t num_steps = 0;
  std::size_t num_envs = 0;
  std::span<const float> rewards;                // r_t, truncation bootstrap already added
  std::span<const float> values;                 // V(s_t) at rollout time
  std::span<const std::uint8_t> episode_starts;  // e_t: s_t is the first observation of an episode
  std::span<const float> last_values;            // [num_envs] V(s_T) for the observation after the rollout
  std::span<const std::uint8_t> last_dones;      // [num_envs] done flag of step T-1
  double gamma = 0.99;
  double gae_lambda = 0.95;
};

// Writes advantages A_t and returns R_t = A_t + V_t (both [num_steps][num_envs]).
// Backwards from t = T-1 with A_T = 0:
//   m_t = 1 - last_dones (t = T-1) or 1 - e_{t+1};  V'_t = last_values or V_{t+1}
//   delta_t = r_t + gamma * V'_t * m_t - V_t;  A_t = delta_t + gamma * lambda * m_t * A_{t+1}
void compute_gae(const GaeInput& in, std::span<float> advantages, std::span<float> returns);

// 1 - Var(y_true - y_pred) / Var(y_true) with population variances; NaN when Var(y_true) = 0.
[[nodiscard]] double explained_variance(std::span<const float> y_pred, std::span<const float> y_true);

}  // namespace daytrader::rl
