#pragma once
// Policy inference without libtorch: the MlpPolicy forward pass in plain C++ (float32), used by
// backtests, live trading and the PPO rollout. It matches PyTorch's forward to about 1e-6 (tanh is
// a vectorised rational approximation, max abs error 4e-7: rl/fast_tanh.h); its own results are
// deterministic and independent of thread settings.
//
// A Policy keeps scratch buffers and a sampling RNG: use one instance per thread.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "rl/policy_weights.h"
#include "rl/random.h"

namespace daytrader::rl {

class Policy {
 public:
  Policy() = default;
  // Asserts weights.check(); seed drives stochastic act().
  explicit Policy(PolicyWeights weights, std::uint64_t seed = 0);

  [[nodiscard]] std::size_t observation_size() const { return weights_.observation_size(); }
  [[nodiscard]] std::size_t num_actions() const { return weights_.num_actions(); }
  [[nodiscard]] const PolicyWeights& weights() const { return weights_; }

  // Replaces the weights (same or different shape); keeps the RNG state.
  void set_weights(const PolicyWeights& weights);
  void reseed(std::uint64_t seed) { rng_.reseed(seed, kActStream); }

  // One observation of observation_size() floats -> an action in [0, num_actions()).
  // deterministic: argmax of the logits, ties to the lowest index. Otherwise a sample from
  // softmax(logits): u ~ U[0, 1) from the seeded RNG, the first index whose cumulative
  // probability exceeds u (SB3's default predict() samples; see spec section 9).
  [[nodiscard]] int act(std::span<const float> observation, bool deterministic);

  // Batched, row-major: observations [batch][observation_size()].
  void logits(std::span<const float> observations, std::span<float> logits_out) const;  // [batch][num_actions()]
  void values(std::span<const float> observations, std::span<float> values_out) const;  // [batch]
  void evaluate(std::span<const float> observations, std::span<float> logits_out, std::span<float> values_out) const;

  static constexpr std::uint64_t kActStream = 0x5A;

 private:
  struct Layer {
    std::size_t in = 0;
    std::size_t out = 0;
    std::vector<float> weight_t;  // [in][out], transposed for a vectorisable inner loop
    std::vector<float> bias;
  };
  void rebuild();
  void run_branch(const std::vector<Layer>& hidden, const Layer& head, const float* x, std::size_t batch,
                  float* out) const;

  PolicyWeights weights_;
  std::vector<Layer> actor_;
  Layer actor_head_;
  std::vector<Layer> critic_;
  Layer critic_head_;
  Rng rng_{0, kActStream};
  mutable std::vector<float> scratch_a_;
  mutable std::vector<float> scratch_b_;
  mutable std::vector<float> act_logits_;
};

// Index of the largest logit, ties to the lowest index.
[[nodiscard]] int argmax(std::span<const float> logits);
// The first index whose cumulative softmax probability exceeds u in [0, 1).
[[nodiscard]] int sample_from_logits(std::span<const float> logits, double u);
// log softmax(logits)[action] in float32, as torch.log_softmax (max-shifted).
[[nodiscard]] float log_prob_of(std::span<const float> logits, int action);

}  // namespace daytrader::rl
