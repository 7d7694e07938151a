#include "rl/gae.h"

#include <limits>

#include "core/assert.h"

namespace daytrader::rl {

void compute_gae(const GaeInput& in, std::span<float> advantages, std::span<float> returns) {
  const std::size_t T = in.num_steps;
  const std::size_t N = in.num_envs;
  DT_ASSERT(in.rewards.size() == T * N && in.values.size() == T * N && in.episode_starts.size() == T * N,
            "compute_gae: per-step arrays must hold num_steps * num_envs values");
  DT_ASSERT(in.last_values.size() == N && in.last_dones.size() == N,
            "compute_gae: last_values and last_dones must hold num_envs values");
  DT_ASSERT(advantages.size() == T * N && returns.size() == T * N,
            "compute_gae: outputs must hold num_steps * num_envs values");
  // SB3 multiplies float32 arrays by Python floats: gamma is rounded to float32 when it meets an
  // array, while gamma * gae_lambda is formed in double first and rounded once.
  const float gamma = static_cast<float>(in.gamma);
  const float gamma_lambda = static_cast<float>(in.gamma * in.gae_lambda);
  for (std::size_t e = 0; e < N; ++e) {
    float last_gae = 0.0F;
    for (std::size_t t = T; t-- > 0;) {
      const std::size_t i = t * N + e;
      float next_non_terminal = 0;
      float next_value = 0;
      if (t == T - 1) {
        next_non_terminal = 1.0F - static_cast<float>(in.last_dones[e] != 0);
        next_value = in.last_values[e];
      } else {
        next_non_terminal = 1.0F - static_cast<float>(in.episode_starts[i + N] != 0);
        next_value = in.values[i + N];
      }
      const float delta = in.rewards[i] + gamma * next_value * next_non_terminal - in.values[i];
      last_gae = delta + gamma_lambda * next_non_terminal * last_gae;
      advantages[i] = last_gae;
      returns[i] = last_gae + in.values[i];
    }
  }
}

double explained_variance(std::span<const float> y_pred, std::span<const float> y_true) {
  DT_ASSERT(y_pred.size() == y_true.size(), "explained_variance: sizes differ");
  const std::size_t n = y_true.size();
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  double mean_y = 0;
  double mean_d = 0;
  for (std::size_t i = 0; i < n; ++i) {
    mean_y += y_true[i];
    mean_d += static_cast<double>(y_true[i]) - static_cast<double>(y_pred[i]);
  }
  mean_y /= static_cast<double>(n);
  mean_d /= static_cast<double>(n);
  double var_y = 0;
  double var_d = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double dy = y_true[i] - mean_y;
    const double dd = static_cast<double>(y_true[i]) - static_cast<double>(y_pred[i]) - mean_d;
    var_y += dy * dy;
    var_d += dd * dd;
  }
  if (var_y == 0.0) return std::numeric_limits<double>::quiet_NaN();
  return 1.0 - var_d / var_y;
}

}  // namespace daytrader::rl
