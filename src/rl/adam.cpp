#include "rl/adam.h"

#include <cmath>

#include "core/assert.h"

namespace daytrader::rl {

double clip_grad_norm(std::span<float> grads, std::span<const std::size_t> tensor_sizes, double max_norm) {
  std::size_t offset = 0;
  double total_sq = 0;
  for (const std::size_t n : tensor_sizes) {
    double sq = 0;
    for (std::size_t i = offset; i < offset + n; ++i) sq += static_cast<double>(grads[i]) * grads[i];
    const float norm = static_cast<float>(std::sqrt(sq));  // torch: one float32 norm per tensor
    total_sq += static_cast<double>(norm) * norm;
    offset += n;
  }
  DT_ASSERT(offset == grads.size(), "clip_grad_norm: tensor sizes do not cover the gradient");
  const float total = static_cast<float>(std::sqrt(total_sq));
  float coef = static_cast<float>(max_norm) / (total + 1e-6F);
  if (coef < 1.0F) {
    for (float& g : grads) g *= coef;
  }
  return total;
}

void adam_step(std::span<float> params, std::span<const float> grads, AdamState& state, const AdamHyper& h) {
  DT_ASSERT(params.size() == grads.size(), "adam_step: params and grads differ in size");
  if (state.exp_avg.size() != params.size()) {
    DT_ASSERT(state.step == 0, "adam_step: state size differs from the parameters'");
    state.exp_avg.assign(params.size(), 0.0F);
    state.exp_avg_sq.assign(params.size(), 0.0F);
  }
  state.step += 1;
  const double n = static_cast<double>(state.step);
  const double bias_correction1 = 1.0 - std::pow(h.beta1, n);
  const double bias_correction2 = 1.0 - std::pow(h.beta2, n);
  const float step_size = static_cast<float>(h.lr / bias_correction1);
  const float bc2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
  const float b1 = static_cast<float>(h.beta1);
  const float one_minus_b1 = static_cast<float>(1.0 - h.beta1);
  const float b2 = static_cast<float>(h.beta2);
  const float one_minus_b2 = static_cast<float>(1.0 - h.beta2);
  const float eps = static_cast<float>(h.eps);
  float* __restrict p = params.data();
  const float* __restrict g = grads.data();
  float* __restrict m = state.exp_avg.data();
  float* __restrict v = state.exp_avg_sq.data();
  for (std::size_t i = 0; i < params.size(); ++i) {
    m[i] = m[i] * b1 + one_minus_b1 * g[i];
    v[i] = v[i] * b2 + one_minus_b2 * g[i] * g[i];
    const float denom = std::sqrt(v[i]) / bc2_sqrt + eps;
    p[i] = p[i] - step_size * (m[i] / denom);
  }
}

}  // namespace daytrader::rl
