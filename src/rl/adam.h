#pragma once
// torch.optim.Adam (single-tensor path, amsgrad off, no weight decay) and
// torch.nn.utils.clip_grad_norm_ over one flat float32 parameter vector, in plain C++.
// The trainer keeps every parameter and gradient in one contiguous buffer so these run as one
// loop instead of dozens of small tensor operations.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace daytrader::rl {

struct AdamState {
  std::int64_t step = 0;          // steps taken (PyTorch keeps one per parameter; all equal here)
  std::vector<float> exp_avg;     // first moment, flat in parameter order
  std::vector<float> exp_avg_sq;  // second moment
  friend bool operator==(const AdamState&, const AdamState&) = default;
};

struct AdamHyper {
  double lr = 3e-4;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-5;
};

// Scales `grads` in place so that their global L2 norm is at most max_norm, as clip_grad_norm_:
// the norm of the per-tensor norms (tensor_sizes partitions grads), coefficient
// max_norm / (norm + 1e-6) capped at 1. Returns the norm before clipping.
double clip_grad_norm(std::span<float> grads, std::span<const std::size_t> tensor_sizes, double max_norm);

// One Adam step, PyTorch's formula in float32:
//   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  step_size = lr / (1 - b1^n)
//   p -= step_size * m / (sqrt(v) / sqrt(1 - b2^n) + eps)
// State vectors are sized on first use.
void adam_step(std::span<float> params, std::span<const float> grads, AdamState& state, const AdamHyper& h);

}  // namespace daytrader::rl
