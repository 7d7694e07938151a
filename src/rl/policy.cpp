#include "rl/policy.h"

#include <algorithm>
#include <cmath>

#include "core/assert.h"
#include "rl/fast_tanh.h"

namespace daytrader::rl {

namespace {

// y[b][j] = bias[j] + sum_i x[b][i] * w[j][i] (i ascending), optionally tanh.
void dense_forward(const float* __restrict x, std::size_t batch, std::size_t in, std::size_t out,
                   const float* __restrict weight_t, const float* __restrict bias, float* __restrict y,
                   bool apply_tanh) {
  for (std::size_t b = 0; b < batch; ++b) {
    const float* xb = x + b * in;
    float* __restrict yb = y + b * out;
    for (std::size_t j = 0; j < out; ++j) yb[j] = bias[j];
    for (std::size_t i = 0; i < in; ++i) {
      const float xi = xb[i];
      const float* __restrict w = weight_t + i * out;
      for (std::size_t j = 0; j < out; ++j) yb[j] += xi * w[j];
    }
  }
  if (apply_tanh) detail::tanh_inplace(y, batch * out);
}

}  // namespace

Policy::Policy(PolicyWeights weights, std::uint64_t seed) : weights_(std::move(weights)), rng_(seed, kActStream) {
  rebuild();
}

void Policy::set_weights(const PolicyWeights& weights) {
  weights_ = weights;
  rebuild();
}

void Policy::rebuild() {
  const auto status = weights_.check();
  DT_ASSERT(status.has_value(), status.has_value() ? "" : status.error().message.c_str());
  auto convert = [](const DenseLayer& l, Layer& t) {
    t.in = l.in;
    t.out = l.out;
    t.weight_t.resize(l.in * l.out);
    for (std::size_t j = 0; j < l.out; ++j) {
      for (std::size_t i = 0; i < l.in; ++i) t.weight_t[i * l.out + j] = l.weight[j * l.in + i];
    }
    t.bias = l.bias;
  };
  actor_.resize(weights_.policy_net.size());
  for (std::size_t i = 0; i < actor_.size(); ++i) convert(weights_.policy_net[i], actor_[i]);
  critic_.resize(weights_.value_net.size());
  for (std::size_t i = 0; i < critic_.size(); ++i) convert(weights_.value_net[i], critic_[i]);
  convert(weights_.action_net, actor_head_);
  convert(weights_.value_head, critic_head_);
}

void Policy::run_branch(const std::vector<Layer>& hidden, const Layer& head, const float* x, std::size_t batch,
                        float* out) const {
  std::size_t widest = 0;
  for (const auto& l : hidden) widest = std::max(widest, l.out);
  if (scratch_a_.size() < batch * widest) {
    scratch_a_.resize(batch * widest);
    scratch_b_.resize(batch * widest);
  }
  const float* cur = x;
  float* bufs[2] = {scratch_a_.data(), scratch_b_.data()};
  for (std::size_t k = 0; k < hidden.size(); ++k) {
    const auto& l = hidden[k];
    float* y = bufs[k % 2];
    dense_forward(cur, batch, l.in, l.out, l.weight_t.data(), l.bias.data(), y, true);
    cur = y;
  }
  dense_forward(cur, batch, head.in, head.out, head.weight_t.data(), head.bias.data(), out, false);
}

void Policy::logits(std::span<const float> observations, std::span<float> logits_out) const {
  const std::size_t d = observation_size();
  DT_ASSERT(d > 0 && observations.size() % d == 0, "Policy::logits: observations are not whole rows");
  const std::size_t batch = observations.size() / d;
  DT_ASSERT(logits_out.size() == batch * num_actions(), "Policy::logits: output size must be batch * num_actions");
  run_branch(actor_, actor_head_, observations.data(), batch, logits_out.data());
}

void Policy::values(std::span<const float> observations, std::span<float> values_out) const {
  const std::size_t d = observation_size();
  DT_ASSERT(d > 0 && observations.size() % d == 0, "Policy::values: observations are not whole rows");
  const std::size_t batch = observations.size() / d;
  DT_ASSERT(values_out.size() == batch, "Policy::values: output size must be batch");
  run_branch(critic_, critic_head_, observations.data(), batch, values_out.data());
}

void Policy::evaluate(std::span<const float> observations, std::span<float> logits_out,
                      std::span<float> values_out) const {
  logits(observations, logits_out);
  values(observations, values_out);
}

int Policy::act(std::span<const float> observation, bool deterministic) {
  DT_ASSERT(observation.size() == observation_size(), "Policy::act: observation size differs from the policy's");
  act_logits_.resize(num_actions());
  logits(observation, act_logits_);
  if (deterministic) return argmax(act_logits_);
  return sample_from_logits(act_logits_, rng_.uniform01());
}

int argmax(std::span<const float> logits) {
  DT_ASSERT(!logits.empty(), "argmax: no logits");
  std::size_t best = 0;
  for (std::size_t i = 1; i < logits.size(); ++i) {
    if (logits[i] > logits[best]) best = i;
  }
  return static_cast<int>(best);
}

int sample_from_logits(std::span<const float> logits, double u) {
  DT_ASSERT(!logits.empty(), "sample_from_logits: no logits");
  const float m = *std::max_element(logits.begin(), logits.end());
  double total = 0;
  for (const float z : logits) total += std::exp(static_cast<double>(z) - m);
  double cumulative = 0;
  int last_positive = 0;
  for (std::size_t i = 0; i < logits.size(); ++i) {
    const double p = std::exp(static_cast<double>(logits[i]) - m) / total;
    if (p > 0) last_positive = static_cast<int>(i);
    cumulative += p;
    if (cumulative > u) return static_cast<int>(i);
  }
  return last_positive;  // u within rounding of 1
}

float log_prob_of(std::span<const float> logits, int action) {
  DT_ASSERT(action >= 0 && static_cast<std::size_t>(action) < logits.size(), "log_prob_of: action out of range");
  const float m = *std::max_element(logits.begin(), logits.end());
  float s = 0.0F;
  for (const float z : logits) s += std::exp(z - m);
  return (logits[static_cast<std::size_t>(action)] - m) - std::log(s);
}

}  // namespace daytrader::rl
