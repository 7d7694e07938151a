// The only translation unit of daytrader that includes libtorch.
#include "rl/ppo_trainer.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <torch/version.h>
#include <c10/core/InferenceMode.h>

#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <fstream>
#include <limits>
#include <string_view>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "rl/checkpoint.h"
#include "rl/fast_tanh.h"
#include "rl/gae.h"

namespace daytrader::rl {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

constexpr std::uint64_t kSampleStream = 1;
constexpr std::uint64_t kShuffleStream = 2;

// Sets torch's intra-op threads and, when the BLAS behind it is OpenBLAS, OpenBLAS's own pool
// (at::set_num_threads does not reach it).
void set_threads(std::int64_t n) {
  at::set_num_threads(static_cast<int>(n));
  using SetThreads = void (*)(int);
  if (void* sym = dlsym(RTLD_DEFAULT, "openblas_set_num_threads")) {
    reinterpret_cast<SetThreads>(sym)(static_cast<int>(n));
  }
}

// The network as libtorch tensors: every parameter is a view into one flat buffer, and every
// gradient a view into another, so clipping and Adam see two flat arrays.
class TorchNet {
 public:
  explicit TorchNet(const PolicyWeights& shape) {
    for (const auto& t : shape.tensors()) {
      sizes_.push_back(t.data.size());
      shapes_.push_back(t.shape);
    }
    std::size_t total = 0;
    for (const auto n : sizes_) total += n;
    flat_ = at::zeros({static_cast<std::int64_t>(total)}, at::kFloat);
    flat_grad_ = at::zeros({static_cast<std::int64_t>(total)}, at::kFloat);
    std::int64_t offset = 0;
    for (std::size_t i = 0; i < sizes_.size(); ++i) {
      const auto n = static_cast<std::int64_t>(sizes_[i]);
      at::Tensor p = flat_.narrow(0, offset, n).view(shapes_[i]);
      p.requires_grad_(true);
      p.mutable_grad() = flat_grad_.narrow(0, offset, n).view(shapes_[i]);
      params_.push_back(p);
      grad_views_.push_back(flat_grad_.narrow(0, offset, n).view(shapes_[i]));
      plain_.push_back(flat_.narrow(0, offset, n).view(shapes_[i]));
      offsets_.push_back(static_cast<std::size_t>(offset));
      offset += n;
    }
    num_policy_hidden_ = shape.policy_net.size();
    num_value_hidden_ = shape.value_net.size();
    set_weights(shape);
  }

  void set_weights(const PolicyWeights& w) {
    float* dst = flat_.data_ptr<float>();
    std::size_t i = 0;
    for (const auto& t : w.tensors()) {
      DT_ASSERT(i < sizes_.size() && t.data.size() == sizes_[i], "TorchNet: weights shape differs");
      std::memcpy(dst, t.data.data(), t.data.size() * sizeof(float));
      dst += t.data.size();
      ++i;
    }
  }

  void get_weights(PolicyWeights& w) const {
    const float* src = flat_.data_ptr<float>();
    for (auto& t : w.tensors()) {
      std::memcpy(t.data.data(), src, t.data.size() * sizeof(float));
      src += t.data.size();
    }
  }

  // Logits [B, k] and values [B].
  std::pair<at::Tensor, at::Tensor> forward(const at::Tensor& obs) const {
    std::size_t p = 0;
    at::Tensor h = obs;
    for (std::size_t l = 0; l < num_policy_hidden_; ++l, p += 2) h = at::tanh(at::linear(h, params_[p], params_[p + 1]));
    const std::size_t value_start = p;
    p += 2 * num_value_hidden_;
    at::Tensor logits = at::linear(h, params_[p], params_[p + 1]);
    const std::size_t value_head = p + 2;
    at::Tensor g = obs;
    for (std::size_t l = 0, q = value_start; l < num_value_hidden_; ++l, q += 2) {
      g = at::tanh(at::linear(g, params_[q], params_[q + 1]));
    }
    at::Tensor values = at::linear(g, params_[value_head], params_[value_head + 1]).flatten();
    return {logits, values};
  }

  // Zeroes the gradient buffer (backward accumulates into it).
  void zero_grad() { std::memset(flat_grad_.data_ptr<float>(), 0, flat_grad_.numel() * sizeof(float)); }

  // Makes sure every gradient landed in the flat buffer (autograd accumulates in place into a
  // defined .grad; if it ever replaced one, copy it back and restore the view).
  void gather_grads() {
    for (std::size_t i = 0; i < params_.size(); ++i) {
      at::Tensor& g = params_[i].mutable_grad();
      if (!g.defined()) {
        grad_views_[i].zero_();
        g = grad_views_[i];
      } else if (g.data_ptr() != grad_views_[i].data_ptr()) {
        grad_views_[i].copy_(g);
        g = grad_views_[i];
      }
    }
  }

  std::span<float> params() { return {flat_.data_ptr<float>(), static_cast<std::size_t>(flat_.numel())}; }
  [[nodiscard]] std::span<const float> params() const {
    return {flat_.data_ptr<float>(), static_cast<std::size_t>(flat_.numel())};
  }
  std::span<float> grads() { return {flat_grad_.data_ptr<float>(), static_cast<std::size_t>(flat_grad_.numel())}; }
  [[nodiscard]] const std::vector<std::size_t>& sizes() const { return sizes_; }
  [[nodiscard]] const std::vector<at::Tensor>& param_tensors() const { return params_; }
  // Tensor i (SB3 order) without autograd, and its gradient view; raw pointers into the flat buffers.
  [[nodiscard]] const at::Tensor& plain(std::size_t i) const { return plain_[i]; }
  [[nodiscard]] const at::Tensor& grad_view(std::size_t i) const { return grad_views_[i]; }
  [[nodiscard]] const float* param_ptr(std::size_t i) const { return flat_.data_ptr<float>() + offsets_[i]; }
  [[nodiscard]] float* grad_ptr(std::size_t i) { return flat_grad_.data_ptr<float>() + offsets_[i]; }
  [[nodiscard]] std::size_t num_policy_hidden() const { return num_policy_hidden_; }
  [[nodiscard]] std::size_t num_value_hidden() const { return num_value_hidden_; }
  [[nodiscard]] std::int64_t out_features(std::size_t weight_index) const { return shapes_[weight_index][0]; }

 private:
  at::Tensor flat_;
  at::Tensor flat_grad_;
  std::vector<at::Tensor> params_;
  std::vector<at::Tensor> grad_views_;
  std::vector<at::Tensor> plain_;
  std::vector<std::size_t> offsets_;
  std::vector<std::size_t> sizes_;
  std::vector<std::vector<std::int64_t>> shapes_;
  std::size_t num_policy_hidden_ = 0;
  std::size_t num_value_hidden_ = 0;
};

// torch.nn.init.orthogonal_ with a seeded generator.
void orthogonal_init(std::span<float> dst, std::int64_t rows, std::int64_t cols, double gain, at::Generator& gen) {
  at::Tensor flat = at::normal(0.0, 1.0, {rows, cols}, gen, at::kFloat);
  if (rows < cols) flat = flat.t();
  auto [q, r] = at::linalg_qr(flat);
  const at::Tensor ph = at::diag(r, 0).sign();
  q = q * ph;
  if (rows < cols) q = q.t();
  q = (q * gain).contiguous();
  DT_ASSERT(static_cast<std::size_t>(q.numel()) == dst.size(), "orthogonal_init: size mismatch");
  std::memcpy(dst.data(), q.data_ptr<float>(), dst.size() * sizeof(float));
}

// PyTorch's default nn.Linear init: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias.
void default_linear_init(DenseLayer& l, at::Generator& gen) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(l.in));
  at::Tensor w = at::empty({static_cast<std::int64_t>(l.out), static_cast<std::int64_t>(l.in)}, at::kFloat);
  w.uniform_(-bound, bound, gen);
  at::Tensor b = at::empty({static_cast<std::int64_t>(l.out)}, at::kFloat);
  b.uniform_(-bound, bound, gen);
  std::memcpy(l.weight.data(), w.data_ptr<float>(), l.weight.size() * sizeof(float));
  std::memcpy(l.bias.data(), b.data_ptr<float>(), l.bias.size() * sizeof(float));
}

PolicyWeights initial_weights(std::size_t obs_size, std::size_t num_actions, const PpoConfig& c) {
  PolicyWeights w = PolicyWeights::zeros(obs_size, num_actions, c.policy_hidden, c.value_hidden);
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(c.seed);
  auto init = [&](DenseLayer& l, double gain) {
    if (c.ortho_init) {
      orthogonal_init(l.weight, static_cast<std::int64_t>(l.out), static_cast<std::int64_t>(l.in), gain, gen);
      std::fill(l.bias.begin(), l.bias.end(), 0.0F);
    } else {
      default_linear_init(l, gen);
    }
  };
  const double sqrt2 = std::sqrt(2.0);
  for (auto& l : w.policy_net) init(l, sqrt2);
  for (auto& l : w.value_net) init(l, sqrt2);
  init(w.action_net, 0.01);
  init(w.value_head, 1.0);
  return w;
}

struct LossTensors {
  at::Tensor loss;
  at::Tensor policy_loss;
  at::Tensor value_loss;
  at::Tensor entropy_loss;
  at::Tensor approx_kl;
  at::Tensor clip_fraction;
};

// SB3 PPO.train's minibatch body (spec section 7).
LossTensors ppo_loss(const TorchNet& net, const at::Tensor& obs, const at::Tensor& actions,
                     const at::Tensor& old_log_prob, const at::Tensor& advantages_raw, const at::Tensor& returns,
                     const at::Tensor& old_values, const PpoConfig& c, double clip_range) {
  auto [logits, values] = net.forward(obs);
  const at::Tensor log_probs_all = at::log_softmax(logits, 1);
  const at::Tensor log_prob = log_probs_all.gather(1, actions.unsqueeze(1)).squeeze(1);
  // Categorical.entropy(): -(clamp(normalized logits, min=finfo.min) * probs).sum(-1)
  const at::Tensor probs = at::softmax(logits, 1);
  const at::Tensor entropy =
      -(log_probs_all.clamp_min(std::numeric_limits<float>::lowest()) * probs).sum(-1);

  at::Tensor advantages = advantages_raw;
  if (c.normalize_advantage && advantages.size(0) > 1) {
    advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8);
  }
  const at::Tensor ratio = at::exp(log_prob - old_log_prob);
  const at::Tensor policy_loss_1 = advantages * ratio;
  const at::Tensor policy_loss_2 = advantages * at::clamp(ratio, 1 - clip_range, 1 + clip_range);
  LossTensors out;
  out.policy_loss = -at::min(policy_loss_1, policy_loss_2).mean();
  at::Tensor values_pred = values;
  if (c.clip_range_vf) {
    values_pred = old_values + at::clamp(values - old_values, -*c.clip_range_vf, *c.clip_range_vf);
  }
  out.value_loss = at::mse_loss(returns, values_pred);
  out.entropy_loss = -at::mean(entropy);
  out.loss = out.policy_loss + c.ent_coef * out.entropy_loss + c.vf_coef * out.value_loss;
  {
    at::NoGradGuard no_grad;
    out.clip_fraction = at::mean((at::abs(ratio - 1) > clip_range).to(at::kFloat));
    const at::Tensor log_ratio = log_prob - old_log_prob;
    out.approx_kl = at::mean((at::exp(log_ratio) - 1) - log_ratio);
  }
  return out;
}

// A minibatch that is one process's share of a data-parallel minibatch (rl/ppo_trainer.h): the
// losses are means over the whole minibatch, and advantages are normalised with its statistics.
struct ShareScale {
  std::int64_t global_batch = 0;
  float advantage_mean = 0;
  float advantage_denominator = 1;  // unbiased std + 1e-8
};

struct LossValues {
  double policy_loss = 0;
  double value_loss = 0;
  double entropy_loss = 0;
  double loss = 0;
  double approx_kl = 0;
  double clip_fraction = 0;
};

// The same loss and its gradient with the backward pass written out: libtorch runs the matrix
// products (addmm/mm into preallocated buffers, no autograd graph), plain loops do the rest.
// About 20 tensor calls per minibatch instead of ~150 with autograd, which is what bounds a
// 64-sample update of this network. Checked against autograd and finite differences in the tests.
class NativeLoss {
 public:
  NativeLoss(const TorchNet& net, std::int64_t max_batch, std::int64_t num_actions)
      : max_batch_(max_batch), k_(num_actions) {
    auto buffer = [&](std::int64_t cols) {
      storage_.emplace_back(static_cast<std::size_t>(max_batch * cols), 0.0F);
      return at::from_blob(storage_.back().data(), {max_batch, cols}, at::kFloat);
    };
    std::size_t w = 0;
    for (std::size_t l = 0; l < net.num_policy_hidden(); ++l, w += 2) actor_h_.push_back(buffer(net.out_features(w)));
    for (std::size_t l = 0; l < net.num_value_hidden(); ++l, w += 2) critic_h_.push_back(buffer(net.out_features(w)));
    std::int64_t widest = 1;
    for (const auto& t : actor_h_) widest = std::max(widest, t.size(1));
    for (const auto& t : critic_h_) widest = std::max(widest, t.size(1));
    logits_ = buffer(num_actions);
    d_logits_ = buffer(num_actions);
    values_ = buffer(1);
    d_values_ = buffer(1);
    d_a_ = buffer(widest);
    d_b_ = buffer(widest);
    adv_.resize(static_cast<std::size_t>(max_batch));
  }

  // Writes the gradient of the loss into net's flat gradient buffer. With a share, the values and
  // the gradient are this share's part of the whole minibatch's (they add up across the shares).
  LossValues run(TorchNet& net, const at::Tensor& obs, const std::int64_t* actions, const float* old_log_prob,
                 const float* advantages, const float* returns, const float* old_values, const PpoConfig& c,
                 double clip_range, const ShareScale* share = nullptr) {
    c10::InferenceMode guard;
    const std::int64_t B = obs.size(0);
    DT_ASSERT(B <= max_batch_, "NativeLoss: batch larger than the buffers");
    const std::size_t nb = static_cast<std::size_t>(B);
    const std::size_t k = static_cast<std::size_t>(k_);

    // Forward.
    const std::size_t nph = net.num_policy_hidden();
    const std::size_t nvh = net.num_value_hidden();
    at::Tensor x = obs;
    for (std::size_t l = 0; l < nph; ++l) x = dense(net, 2 * l, x, actor_h_[l].narrow(0, 0, B), true);
    const at::Tensor logits = dense(net, 2 * (nph + nvh), x, logits_.narrow(0, 0, B), false);
    at::Tensor g = obs;
    for (std::size_t l = 0; l < nvh; ++l) g = dense(net, 2 * (nph + l), g, critic_h_[l].narrow(0, 0, B), true);
    const at::Tensor values = dense(net, 2 * (nph + nvh) + 2, g, values_.narrow(0, 0, B), false);

    // Advantage normalisation (per minibatch, unbiased std + 1e-8), as float32 tensors would.
    std::copy(advantages, advantages + nb, adv_.begin());
    if (share != nullptr) {
      if (c.normalize_advantage && share->global_batch > 1)
        for (std::size_t b = 0; b < nb; ++b) adv_[b] = (adv_[b] - share->advantage_mean) / share->advantage_denominator;
    } else if (c.normalize_advantage && nb > 1) {
      double mean = 0;
      for (std::size_t b = 0; b < nb; ++b) mean += adv_[b];
      mean /= static_cast<double>(nb);
      double var = 0;
      for (std::size_t b = 0; b < nb; ++b) var += (adv_[b] - mean) * (adv_[b] - mean);
      const float mean_f = static_cast<float>(mean);
      const float denom = static_cast<float>(std::sqrt(var / static_cast<double>(nb - 1))) + 1e-8F;
      for (std::size_t b = 0; b < nb; ++b) adv_[b] = (adv_[b] - mean_f) / denom;
    }

    // Loss terms and d loss / d logits, d loss / d values, sample by sample.
    const float lo = static_cast<float>(1.0 - clip_range);
    const float hi = static_cast<float>(1.0 + clip_range);
    const std::int64_t whole_batch = share != nullptr ? share->global_batch : B;
    const float inv_b = 1.0F / static_cast<float>(whole_batch);
    const float ent_coef = static_cast<float>(c.ent_coef);
    const float vf_scale = static_cast<float>(c.vf_coef) * 2.0F * inv_b;
    const float* z_all = logits.data_ptr<float>();
    const float* v_all = values.data_ptr<float>();
    float* dz_all = d_logits_.data_ptr<float>();
    float* dv_all = d_values_.data_ptr<float>();
    double sum_surr = 0, sum_ent = 0, sum_v = 0, sum_kl = 0, n_clipped = 0;
    float logp[64];
    std::vector<float> logp_heap;
    float* lp = logp;
    if (k > 64) {
      logp_heap.resize(k);
      lp = logp_heap.data();
    }
    for (std::size_t b = 0; b < nb; ++b) {
      const float* z = z_all + b * k;
      float* dz = dz_all + b * k;
      float m = z[0];
      for (std::size_t j = 1; j < k; ++j) m = std::max(m, z[j]);
      float s = 0;
      for (std::size_t j = 0; j < k; ++j) s += std::exp(z[j] - m);
      const float log_s = std::log(s);
      float entropy = 0;
      for (std::size_t j = 0; j < k; ++j) {
        lp[j] = (z[j] - m) - log_s;
        entropy -= std::exp(lp[j]) * lp[j];
      }
      const auto a = static_cast<std::size_t>(actions[b]);
      const float log_ratio = lp[a] - old_log_prob[b];
      const float ratio = std::exp(log_ratio);
      const float A = adv_[b];
      const float clipped = std::clamp(ratio, lo, hi);
      const float u1 = A * ratio;
      const float u2 = A * clipped;
      const bool inside = ratio >= lo && ratio <= hi;
      // torch.min splits the gradient at ties; clamp passes it on [lo, hi] inclusive.
      float g_ratio = 0;
      if (u1 < u2) g_ratio = A;
      else if (u1 > u2) g_ratio = inside ? A : 0.0F;
      else g_ratio = 0.5F * A + 0.5F * (inside ? A : 0.0F);
      sum_surr += std::min(u1, u2);
      sum_ent += entropy;
      sum_kl += (ratio - 1.0F) - log_ratio;
      if (std::abs(ratio - 1.0F) > static_cast<float>(clip_range)) n_clipped += 1;
      const float d_logp = -inv_b * g_ratio * ratio;  // d policy_loss / d log p(a)
      const float d_entropy = -ent_coef * inv_b;      // d (ent_coef * entropy_loss) / d H
      for (std::size_t j = 0; j < k; ++j) {
        const float p = std::exp(lp[j]);
        dz[j] = d_logp * ((j == a ? 1.0F : 0.0F) - p) + d_entropy * (-p * (lp[j] + entropy));
      }
      float v_pred = v_all[b];
      float dv_dpred = 1.0F;
      if (c.clip_range_vf) {
        const float cv = static_cast<float>(*c.clip_range_vf);
        const float diff = v_all[b] - old_values[b];
        v_pred = old_values[b] + std::clamp(diff, -cv, cv);
        dv_dpred = diff >= -cv && diff <= cv ? 1.0F : 0.0F;
      }
      const float err = v_pred - returns[b];
      sum_v += static_cast<double>(err) * err;
      dv_all[b] = vf_scale * err * dv_dpred;
    }
    LossValues out;
    const double n = static_cast<double>(whole_batch);
    out.policy_loss = -sum_surr / n;
    out.value_loss = sum_v / n;
    out.entropy_loss = -sum_ent / n;
    out.loss = out.policy_loss + c.ent_coef * out.entropy_loss + c.vf_coef * out.value_loss;
    out.approx_kl = sum_kl / n;
    out.clip_fraction = n_clipped / n;

    // Backward through both branches.
    backward_branch(net, 0, nph, 2 * (nph + nvh), obs, actor_h_, d_logits_.narrow(0, 0, B), B);
    backward_branch(net, 2 * nph, nvh, 2 * (nph + nvh) + 2, obs, critic_h_, d_values_.narrow(0, 0, B), B);
    return out;
  }

 private:
  // y = x W^T + b (libtorch addmm into y), then tanh in place.
  static at::Tensor dense(const TorchNet& net, std::size_t w, const at::Tensor& x, at::Tensor y, bool tanh) {
    at::addmm_out(y, net.plain(w + 1), x, net.plain(w).t());
    if (tanh) detail::tanh_inplace(y.data_ptr<float>(), static_cast<std::size_t>(y.numel()));
    return y;
  }

  // Gradients of one branch: hidden layers at weight indices first_w, first_w + 2, ..., head at head_w.
  void backward_branch(TorchNet& net, std::size_t first_w, std::size_t hidden, std::size_t head_w, const at::Tensor& obs,
                       const std::vector<at::Tensor>& acts, const at::Tensor& d_out, std::int64_t B) {
    at::Tensor d = d_out;  // d loss / d (pre-activation output of the current layer)
    std::size_t layer_w = head_w;
    for (std::size_t l = hidden + 1; l-- > 0;) {
      const at::Tensor input = l == 0 ? obs : acts[l - 1].narrow(0, 0, B);
      at::Tensor grad_w = net.grad_view(layer_w);
      at::mm_out(grad_w, d.t(), input);  // dW = d^T x
      bias_grad(d, net.grad_ptr(layer_w + 1));
      if (l == 0) break;
      const std::int64_t width = input.size(1);
      const at::Tensor& buf = (l % 2 == 0) ? d_a_ : d_b_;  // never the buffer `d` lives in
      at::Tensor dh = buf.view({-1}).narrow(0, 0, B * width).view({B, width});
      at::mm_out(dh, d, net.plain(layer_w));  // dx = d W
      // Through tanh: d pre-activation = dx * (1 - h^2).
      float* dp = dh.data_ptr<float>();
      const float* h = input.data_ptr<float>();
      const std::size_t n = static_cast<std::size_t>(dh.numel());
      for (std::size_t i = 0; i < n; ++i) dp[i] = dp[i] * (1.0F - h[i] * h[i]);
      d = dh;
      layer_w = first_w + 2 * (l - 1);
    }
  }

  static void bias_grad(const at::Tensor& d, float* out) {
    const std::size_t rows = static_cast<std::size_t>(d.size(0));
    const std::size_t cols = static_cast<std::size_t>(d.size(1));
    const float* p = d.data_ptr<float>();
    std::fill(out, out + cols, 0.0F);
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t j = 0; j < cols; ++j) out[j] += p[r * cols + j];
    }
  }

  std::int64_t max_batch_;
  std::int64_t k_;
  std::deque<std::vector<float>> storage_;
  std::vector<at::Tensor> actor_h_;
  std::vector<at::Tensor> critic_h_;
  at::Tensor logits_, d_logits_, values_, d_values_, d_a_, d_b_;
  std::vector<float> adv_;
};

at::Tensor wrap(const float* p, std::int64_t rows, std::int64_t cols = -1) {
  auto* q = const_cast<float*>(p);  // from_blob wants void*; these tensors are only read
  return cols < 0 ? at::from_blob(q, {rows}, at::kFloat) : at::from_blob(q, {rows, cols}, at::kFloat);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct PpoTrainer::Impl {
  env::VecEnv& env;
  PpoConfig cfg;
  PpoCallbacks callbacks;
  ReduceGroup* group = nullptr;  // data-parallel peers; nullptr = one process
  int P = 1;                     // processes
  // N: this process's environments; N_all: the run's; this process owns N_all's [N_first, N_first + N).
  std::size_t N = 0, N_all = 0, N_first = 0, T = 0, d = 0, k = 0;

  PolicyWeights weights;  // mirror of net's parameters, refreshed after each update
  TorchNet net;
  Policy rollout_policy;  // plain forward used for rollouts
  AdamState adam;
  Rng sample_rng;
  Rng shuffle_rng;

  RolloutBuffer buf;
  env::StepBuffers step;
  std::vector<float> last_obs;
  std::vector<std::uint8_t> last_episode_starts;
  bool started = false;
  std::vector<float> logits_scratch;
  std::vector<std::int32_t> actions_scratch;
  std::vector<float> terminal_obs_scratch;
  std::vector<float> terminal_values_scratch;
  std::vector<std::size_t> terminal_envs;

  std::deque<env::EpisodeStats> window;
  std::int64_t episodes_total = 0;
  std::int64_t timesteps = 0;
  std::int64_t iterations = 0;
  std::int64_t n_updates = 0;
  double last_rollout_seconds = 0;

  NativeLoss native;

  // Minibatch staging.
  std::vector<std::int64_t> perm;
  std::vector<float> mb_obs, mb_old_logp, mb_adv, mb_ret, mb_old_val;
  std::vector<std::int64_t> mb_act;

  // Data-parallel only: the episodes this process finished in the current rollout (step, the
  // run's environment index, reward, length, P&L), the allreduce staging of the gradient with the
  // loss terms after it, and each minibatch's advantage statistics for the current epoch.
  std::vector<double> rollout_episodes;
  std::vector<float> reduce_buffer;
  std::vector<ShareScale> epoch_scales;

  Impl(env::VecEnv& e, PpoConfig c, PpoCallbacks cb, ReduceGroup* g)
      : env(e),
        cfg(std::move(c)),
        callbacks(std::move(cb)),
        group(g != nullptr && g->size() > 1 ? g : nullptr),
        P(group != nullptr ? group->size() : 1),
        N(e.num_envs()),
        N_all(N * static_cast<std::size_t>(P)),
        N_first(N * static_cast<std::size_t>(group != nullptr ? group->rank() : 0)),
        T(static_cast<std::size_t>(cfg.n_steps)),
        d(e.observation_size()),
        k(e.num_actions()),
        weights(initial_weights(d, k, cfg)),
        net(weights),
        rollout_policy(weights, cfg.seed),
        sample_rng(cfg.seed, kSampleStream),
        shuffle_rng(cfg.seed, kShuffleStream),
        native(net, cfg.batch_size, static_cast<std::int64_t>(k)) {
    buf.num_steps = T;
    buf.num_envs = N;
    buf.observation_size = d;
    buf.observations.assign(T * N * d, 0.0F);
    buf.actions.assign(T * N, 0);
    buf.rewards.assign(T * N, 0.0F);
    buf.episode_starts.assign(T * N, 0);
    buf.values.assign(T * N, 0.0F);
    buf.log_probs.assign(T * N, 0.0F);
    buf.advantages.assign(T * N, 0.0F);
    buf.returns.assign(T * N, 0.0F);
    buf.last_values.assign(N, 0.0F);
    buf.last_dones.assign(N, 0);
    step.resize(N, d);
    last_obs.assign(N * d, 0.0F);
    last_episode_starts.assign(N, 1);
    logits_scratch.assign(N * k, 0.0F);
    actions_scratch.assign(N, 0);
    perm.assign(T * N_all, 0);
    const auto B = static_cast<std::size_t>(cfg.batch_size);
    mb_obs.assign(B * d, 0.0F);
    mb_old_logp.assign(B, 0.0F);
    mb_adv.assign(B, 0.0F);
    mb_ret.assign(B, 0.0F);
    mb_old_val.assign(B, 0.0F);
    mb_act.assign(B, 0);
    if (group != nullptr) {
      reduce_buffer.assign(net.grads().size() + kLossTerms, 0.0F);
      share_initial_weights();
    }
  }

  // The loss terms appended to the gradient in the per-step allreduce.
  static constexpr std::size_t kLossTerms = 5;

  // Rank 0's weights on every process: the others contribute zeros to a sum (x + 0 is x, but for
  // the sign of a zero).
  void share_initial_weights() {
    std::span<float> p = net.params();
    if (group->rank() != 0) std::fill(p.begin(), p.end(), 0.0F);
    group->allreduce_sum(p, "the initial weights (from rank 0)");
    sync_rollout_policy();
  }

  void sync_rollout_policy() {
    net.get_weights(weights);
    rollout_policy.set_weights(weights);
  }

  double progress_remaining() const {
    return 1.0 - static_cast<double>(timesteps) / static_cast<double>(cfg.total_timesteps);
  }

  double learning_rate() const {
    if (cfg.lr_schedule == LrSchedule::kConstant) return cfg.learning_rate;
    const double p = std::clamp(progress_remaining(), 0.0, 1.0);
    return cfg.learning_rate_final + p * (cfg.learning_rate - cfg.learning_rate_final);
  }

  bool collect_rollout() {
    const auto t0 = Clock::now();
    if (!started) {
      env.reset(last_obs);
      std::fill(last_episode_starts.begin(), last_episode_starts.end(), 1);
      started = true;
    }
    const float gamma = static_cast<float>(cfg.gamma);
    const std::int64_t total = static_cast<std::int64_t>(T * N_all);
    std::int64_t next_progress = callbacks.progress_every_steps > 0 ? callbacks.progress_every_steps : total;
    for (std::size_t t = 0; t < T; ++t) {
      const std::size_t row = t * N;
      std::memcpy(&buf.observations[row * d], last_obs.data(), N * d * sizeof(float));
      rollout_policy.evaluate(last_obs, logits_scratch, std::span<float>(&buf.values[row], N));
      // One draw per environment of the run, in its order; this process keeps its own slice.
      for (std::size_t skip = 0; skip < N_first; ++skip) (void)sample_rng.uniform01();
      for (std::size_t e = 0; e < N; ++e) {
        const std::span<const float> z(&logits_scratch[e * k], k);
        const int a = sample_from_logits(z, sample_rng.uniform01());
        actions_scratch[e] = a;
        buf.actions[row + e] = a;
        buf.log_probs[row + e] = log_prob_of(z, a);
        buf.episode_starts[row + e] = last_episode_starts[e];
      }
      for (std::size_t skip = N_first + N; skip < N_all; ++skip) (void)sample_rng.uniform01();
      env.step(actions_scratch, step);
      timesteps += static_cast<std::int64_t>(N_all);

      // Timeout bootstrap: r += gamma * V(terminal observation) where truncated and not terminated.
      terminal_envs.clear();
      for (std::size_t e = 0; e < N; ++e) {
        if (step.truncated[e] != 0 && step.terminated[e] == 0) terminal_envs.push_back(e);
      }
      for (std::size_t e = 0; e < N; ++e) buf.rewards[row + e] = step.rewards[e];
      if (!terminal_envs.empty()) {
        terminal_obs_scratch.resize(terminal_envs.size() * d);
        terminal_values_scratch.resize(terminal_envs.size());
        for (std::size_t i = 0; i < terminal_envs.size(); ++i) {
          std::memcpy(&terminal_obs_scratch[i * d], &step.terminal_observations[terminal_envs[i] * d],
                      d * sizeof(float));
        }
        rollout_policy.values(terminal_obs_scratch, terminal_values_scratch);
        for (std::size_t i = 0; i < terminal_envs.size(); ++i) {
          buf.rewards[row + terminal_envs[i]] += gamma * terminal_values_scratch[i];
        }
      }
      std::memcpy(last_obs.data(), step.observations.data(), N * d * sizeof(float));
      for (std::size_t e = 0; e < N; ++e) last_episode_starts[e] = step.done(e) ? 1 : 0;
      for (const auto& ep : env.finished_episodes()) {
        if (group != nullptr) {
          rollout_episodes.insert(rollout_episodes.end(), {static_cast<double>(t), static_cast<double>(N_first + ep.env_index),
                                                           ep.reward, static_cast<double>(ep.length), ep.pnl_dollars});
          continue;
        }
        add_to_window(ep);
      }
      const auto done_steps = static_cast<std::int64_t>((t + 1) * N_all);
      if (callbacks.on_progress && (done_steps >= next_progress || t + 1 == T)) {  // always at the end
        while (next_progress <= done_steps) {
          next_progress += callbacks.progress_every_steps > 0 ? callbacks.progress_every_steps : total;
        }
        const double secs = seconds_since(t0);
        const RolloutProgress p{iterations + 1, timesteps, done_steps, total,
                                secs > 0 ? static_cast<double>(done_steps) / secs : 0.0};
        if (!callbacks.on_progress(p)) return false;
      }
    }
    if (group != nullptr) gather_rollout_episodes();
    rollout_policy.values(last_obs, buf.last_values);
    buf.last_dones = last_episode_starts;
    GaeInput in;
    in.num_steps = T;
    in.num_envs = N;
    in.rewards = buf.rewards;
    in.values = buf.values;
    in.episode_starts = buf.episode_starts;
    in.last_values = buf.last_values;
    in.last_dones = buf.last_dones;
    in.gamma = cfg.gamma;
    in.gae_lambda = cfg.gae_lambda;
    compute_gae(in, buf.advantages, buf.returns);
    last_rollout_seconds = seconds_since(t0);
    return true;
  }

  void add_to_window(const env::EpisodeStats& ep) {
    window.push_back(ep);
    ++episodes_total;
    if (window.size() > static_cast<std::size_t>(cfg.stats_window_size)) window.pop_front();
  }

  // Every process's finished episodes of this rollout into every process's window, in the order a
  // single process would have added them (by step, then by environment): an allgather written as
  // two sums, each process filling its own segment of a zeroed buffer.
  void gather_rollout_episodes() {
    constexpr std::size_t kFields = 5;
    std::vector<double> counts(static_cast<std::size_t>(P), 0.0);
    counts[static_cast<std::size_t>(group->rank())] = static_cast<double>(rollout_episodes.size() / kFields);
    group->allreduce_sum(counts, "the episode counts of the rollout");
    std::size_t total = 0, offset = 0;
    for (int r = 0; r < P; ++r) {
      if (r == group->rank()) offset = total;
      total += static_cast<std::size_t>(counts[static_cast<std::size_t>(r)]);
    }
    if (total > 0) {
      std::vector<double> all(total * kFields, 0.0);
      std::copy(rollout_episodes.begin(), rollout_episodes.end(), all.begin() + static_cast<std::ptrdiff_t>(offset * kFields));
      group->allreduce_sum(all, "the episodes of the rollout");
      std::vector<std::size_t> order(total);
      for (std::size_t i = 0; i < total; ++i) order[i] = i;
      std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const double* x = &all[a * kFields];
        const double* y = &all[b * kFields];
        return x[0] != y[0] ? x[0] < y[0] : x[1] < y[1];
      });
      for (const std::size_t i : order) {
        const double* x = &all[i * kFields];
        add_to_window(env::EpisodeStats{static_cast<std::size_t>(x[1]), x[2], static_cast<std::int64_t>(x[3]), x[4]});
      }
    }
    rollout_episodes.clear();
  }

  // This process's index into the rollout buffer of sample `g` of the run (step-major over all
  // environments), or nullopt when another process holds it.
  std::optional<std::size_t> local_sample(std::size_t g) const {
    const std::size_t t = g / N_all;
    const std::size_t e = g % N_all;
    if (e < N_first || e >= N_first + N) return std::nullopt;
    return t * N + (e - N_first);
  }

  // Data-parallel: each minibatch's advantage mean and unbiased std over the whole minibatch, for
  // this epoch's permutation (two passes, as a single process computes them: sums, then squared
  // deviations from the mean).
  void compute_epoch_scales(std::size_t size, std::size_t batch) {
    const std::size_t M = (size + batch - 1) / batch;
    epoch_scales.assign(M, ShareScale{});
    std::vector<double> sums(2 * M, 0.0);
    for (std::size_t m = 0; m < M; ++m) {
      const std::size_t begin = m * batch, end = std::min(size, begin + batch);
      epoch_scales[m].global_batch = static_cast<std::int64_t>(end - begin);
      if (!cfg.normalize_advantage) continue;
      for (std::size_t r = begin; r < end; ++r)
        if (const auto i = local_sample(static_cast<std::size_t>(perm[r]))) sums[m] += buf.advantages[*i];
    }
    if (!cfg.normalize_advantage) return;
    group->allreduce_sum(std::span<double>(sums).first(M), "the minibatches' advantage sums");
    for (std::size_t m = 0; m < M; ++m) {
      const double mean = sums[m] / static_cast<double>(epoch_scales[m].global_batch);
      const std::size_t begin = m * batch, end = std::min(size, begin + batch);
      for (std::size_t r = begin; r < end; ++r)
        if (const auto i = local_sample(static_cast<std::size_t>(perm[r])))
          sums[M + m] += (buf.advantages[*i] - mean) * (buf.advantages[*i] - mean);
    }
    group->allreduce_sum(std::span<double>(sums).subspan(M), "the minibatches' advantage deviations");
    for (std::size_t m = 0; m < M; ++m) {
      const auto n = static_cast<double>(epoch_scales[m].global_batch);
      epoch_scales[m].advantage_mean = static_cast<float>(sums[m] / n);
      epoch_scales[m].advantage_denominator =
          n > 1 ? static_cast<float>(std::sqrt(sums[M + m] / (n - 1))) + 1e-8F : 1.0F;
    }
  }

  // Data-parallel: the gradient and loss terms of the whole minibatch from this process's share
  // (possibly empty), in one allreduce. Leaves the summed gradient in net's gradient buffer.
  LossValues reduce_share(const LossValues& mine) {
    const std::span<float> g = net.grads();
    std::copy(g.begin(), g.end(), reduce_buffer.begin());
    float* terms = reduce_buffer.data() + g.size();
    terms[0] = static_cast<float>(mine.policy_loss);
    terms[1] = static_cast<float>(mine.value_loss);
    terms[2] = static_cast<float>(mine.entropy_loss);
    terms[3] = static_cast<float>(mine.approx_kl);
    terms[4] = static_cast<float>(mine.clip_fraction);
    group->allreduce_sum(reduce_buffer, "the gradient");
    std::copy(reduce_buffer.begin(), reduce_buffer.begin() + static_cast<std::ptrdiff_t>(g.size()), g.begin());
    LossValues all;
    all.policy_loss = terms[0];
    all.value_loss = terms[1];
    all.entropy_loss = terms[2];
    all.approx_kl = terms[3];
    all.clip_fraction = terms[4];
    all.loss = all.policy_loss + cfg.ent_coef * all.entropy_loss + cfg.vf_coef * all.value_loss;
    return all;
  }

  // Data-parallel: explained_variance() of the whole rollout (the same two passes, in sums).
  double shared_explained_variance() const {
    std::array<double, 3> sums{static_cast<double>(buf.returns.size()), 0.0, 0.0};
    for (std::size_t i = 0; i < buf.returns.size(); ++i) {
      sums[1] += buf.returns[i];
      sums[2] += static_cast<double>(buf.returns[i]) - static_cast<double>(buf.values[i]);
    }
    group->allreduce_sum(sums, "the rollout's value sums");
    if (sums[0] == 0) return std::numeric_limits<double>::quiet_NaN();
    const double mean_y = sums[1] / sums[0], mean_d = sums[2] / sums[0];
    std::array<double, 2> var{0.0, 0.0};
    for (std::size_t i = 0; i < buf.returns.size(); ++i) {
      const double dy = buf.returns[i] - mean_y;
      const double dd = static_cast<double>(buf.returns[i]) - static_cast<double>(buf.values[i]) - mean_d;
      var[0] += dy * dy;
      var[1] += dd * dd;
    }
    group->allreduce_sum(var, "the rollout's value deviations");
    if (var[0] == 0.0) return std::numeric_limits<double>::quiet_NaN();
    return 1.0 - var[1] / var[0];
  }

  // Data-parallel: every process must hold the same weights after an update (the same summed
  // gradient, the same clipping and Adam step); a difference would silently train P models.
  void check_same_weights() const {
    std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a over the weights' bytes
    const std::span<const float> p = net.params();
    const auto* bytes = reinterpret_cast<const unsigned char*>(p.data());
    for (std::size_t i = 0; i < p.size_bytes(); ++i) h = (h ^ bytes[i]) * 0x100000001b3ULL;
    std::vector<double> hashes(static_cast<std::size_t>(P), 0.0);
    hashes[static_cast<std::size_t>(group->rank())] = static_cast<double>(h >> 12);  // 52 bits: exact in a double
    group->allreduce_sum(hashes, "the weights' checksums");
    for (int r = 1; r < P; ++r) {
      if (hashes[static_cast<std::size_t>(r)] != hashes[0])
        throw core::DaytraderError(fmt::format(
            "ppo: after update {} the weights of rank {} differ from rank 0's (checksums {:x} and {:x}); the ranks "
            "no longer train one model",
            iterations + 1, r, static_cast<std::uint64_t>(hashes[static_cast<std::size_t>(r)]),
            static_cast<std::uint64_t>(hashes[0])));
    }
  }

  PpoMetrics train() {
    const auto t0 = Clock::now();
    PpoMetrics m;
    m.learning_rate = learning_rate();
    m.clip_range = cfg.clip_range;
    const AdamHyper hyper{m.learning_rate, 0.9, 0.999, cfg.adam_eps};
    const std::size_t size = T * N_all;
    const auto B_max = static_cast<std::size_t>(cfg.batch_size);
    double sum_pg = 0, sum_vf = 0, sum_ent = 0, sum_clip = 0;
    std::int64_t count = 0;
    std::vector<double> approx_kls;
    bool continue_training = true;
    for (std::int64_t epoch = 0; epoch < cfg.n_epochs; ++epoch) {
      approx_kls.clear();
      shuffle_rng.permutation(std::span<std::int64_t>(perm));
      if (group != nullptr) compute_epoch_scales(size, B_max);
      for (std::size_t start = 0; start < size; start += B_max) {
        const std::size_t B_all = std::min(B_max, size - start);
        std::size_t B = 0;  // this process's share of the minibatch (all of it without a group)
        for (std::size_t r = 0; r < B_all; ++r) {
          const auto g = static_cast<std::size_t>(perm[start + r]);
          const auto local = group != nullptr ? local_sample(g) : std::optional<std::size_t>(g);
          if (!local) continue;
          const std::size_t idx = *local;
          std::memcpy(&mb_obs[B * d], &buf.observations[idx * d], d * sizeof(float));
          mb_act[B] = buf.actions[idx];
          mb_old_logp[B] = buf.log_probs[idx];
          mb_adv[B] = buf.advantages[idx];
          mb_ret[B] = buf.returns[idx];
          mb_old_val[B] = buf.values[idx];
          ++B;
        }
        const auto b = static_cast<std::int64_t>(B);
        // The loss and its gradient (into net's flat gradient buffer) before the KL check, as SB3
        // computes the loss first; the gradient is simply not applied if training stops here.
        LossValues lv;
        if (group == nullptr) {
          lv = native.run(net, wrap(mb_obs.data(), b, static_cast<std::int64_t>(d)), mb_act.data(), mb_old_logp.data(),
                          mb_adv.data(), mb_ret.data(), mb_old_val.data(), cfg, cfg.clip_range);
        } else {
          LossValues mine;
          if (B > 0) {
            mine = native.run(net, wrap(mb_obs.data(), b, static_cast<std::int64_t>(d)), mb_act.data(),
                              mb_old_logp.data(), mb_adv.data(), mb_ret.data(), mb_old_val.data(), cfg, cfg.clip_range,
                              &epoch_scales[start / B_max]);
          } else {
            net.zero_grad();
          }
          lv = reduce_share(mine);
        }
        sum_pg += lv.policy_loss;
        sum_vf += lv.value_loss;
        sum_ent += lv.entropy_loss;
        sum_clip += lv.clip_fraction;
        ++count;
        approx_kls.push_back(lv.approx_kl);
        m.loss = lv.loss;
        if (cfg.target_kl && lv.approx_kl > 1.5 * *cfg.target_kl) {
          continue_training = false;
          m.early_stopped = true;
          break;
        }
        clip_grad_norm(net.grads(), net.sizes(), cfg.max_grad_norm);
        adam_step(net.params(), net.grads(), adam, hyper);
        ++m.gradient_steps;
      }
      ++n_updates;
      if (!continue_training) break;
    }
    sync_rollout_policy();
    if (group != nullptr) check_same_weights();
    const double n = static_cast<double>(std::max<std::int64_t>(count, 1));
    m.policy_loss = sum_pg / n;
    m.value_loss = sum_vf / n;
    m.entropy_loss = sum_ent / n;
    m.clip_fraction = sum_clip / n;
    double kl_sum = 0;
    for (const double kl : approx_kls) kl_sum += kl;
    m.approx_kl = approx_kls.empty() ? 0.0 : kl_sum / static_cast<double>(approx_kls.size());
    m.explained_variance = group != nullptr ? shared_explained_variance() : explained_variance(buf.values, buf.returns);
    m.n_updates = n_updates;
    ++iterations;
    m.iteration = iterations;
    m.timesteps = timesteps;
    m.rollout_seconds = last_rollout_seconds;
    m.train_seconds = seconds_since(t0);
    const double secs = m.rollout_seconds + m.train_seconds;
    m.fps = secs > 0 ? static_cast<double>(T * N_all) / secs : 0.0;
    fill_episode_stats(m);
    check_finite(m);
    return m;
  }

  // A non-finite loss or weight would be saved as a model that acts on NaN: stop training with the
  // update and the settings that usually cause it.
  void check_finite(const PpoMetrics& m) const {
    auto diverged = [&](std::string_view what, double value, std::string_view settings) {
      throw core::DaytraderError(fmt::format(
          "ppo: training diverged at update {} (timestep {}): {} is {}; the likely cause is {}", m.iteration,
          m.timesteps, what, value, settings));
    };
    if (!std::isfinite(m.value_loss))
      diverged("the value loss", m.value_loss, "env.reward_scale (rewards too large) or ppo.vf_coef");
    if (!std::isfinite(m.policy_loss)) diverged("the policy loss", m.policy_loss, "ppo.ent_coef or ppo.adam_eps");
    if (!std::isfinite(m.entropy_loss)) diverged("the entropy loss", m.entropy_loss, "ppo.ent_coef or ppo.adam_eps");
    if (!std::isfinite(m.loss))
      diverged("the loss", m.loss, "ppo.vf_coef, ppo.ent_coef or env.reward_scale (rewards too large)");
    for (const auto& t : weights.tensors()) {
      for (const float x : t.data) {
        if (!std::isfinite(x)) {
          diverged(fmt::format("a weight of {}", t.name), static_cast<double>(x),
                   "ppo.adam_eps (too small), ppo.learning_rate, ppo.vf_coef or ppo.ent_coef");
        }
      }
    }
  }

  void fill_episode_stats(PpoMetrics& m) const {
    m.episodes_total = episodes_total;
    m.episodes_in_window = static_cast<std::int64_t>(window.size());
    if (window.empty()) {
      m.ep_rew_mean = m.ep_len_mean = m.ep_pnl_mean = std::numeric_limits<double>::quiet_NaN();
      return;
    }
    double r = 0, l = 0, p = 0;
    for (const auto& ep : window) {
      r += ep.reward;
      l += static_cast<double>(ep.length);
      p += ep.pnl_dollars;
    }
    const auto n = static_cast<double>(window.size());
    m.ep_rew_mean = r / n;
    m.ep_len_mean = l / n;
    m.ep_pnl_mean = p / n;
  }
};

PpoTrainer::PpoTrainer(env::VecEnv& env, PpoConfig config, PpoCallbacks callbacks, ReduceGroup* group) {
  if (auto s = config.validate(); !s) throw core::DaytraderError(s.error().message);
  const int processes = group != nullptr ? group->size() : 1;
  if (config.num_envs % processes != 0) {
    throw core::DaytraderError(fmt::format(
        "ppo config: num_envs = {} cannot be shared by {} processes (data-parallel training gives each the same "
        "number of environments); make ppo.num_envs a multiple of {}",
        config.num_envs, processes, processes));
  }
  if (static_cast<std::int64_t>(env.num_envs()) * processes != config.num_envs) {
    throw core::DaytraderError(fmt::format(
        "ppo config: num_envs = {} but the environment has {} environments{}", config.num_envs, env.num_envs(),
        processes > 1 ? fmt::format(" on each of {} processes", processes) : std::string()));
  }
  if (env.observation_size() == 0 || env.num_actions() < 1) {
    throw core::DaytraderError(fmt::format("ppo: environment has observation_size {} and {} actions, expected > 0",
                                           env.observation_size(), env.num_actions()));
  }
  set_threads(config.torch_threads);
  impl_ = std::make_unique<Impl>(env, std::move(config), std::move(callbacks), group);
}

PpoTrainer::~PpoTrainer() = default;

std::vector<PpoMetrics> PpoTrainer::learn() {
  std::vector<PpoMetrics> all;
  while (impl_->timesteps < impl_->cfg.total_timesteps) {
    if (!impl_->collect_rollout()) break;
    PpoMetrics m = impl_->train();
    all.push_back(m);
    if (impl_->callbacks.on_update && !impl_->callbacks.on_update(m)) break;
  }
  return all;
}

std::optional<PpoMetrics> PpoTrainer::iterate() {
  if (!impl_->collect_rollout()) return std::nullopt;
  PpoMetrics m = impl_->train();
  if (impl_->callbacks.on_update) (void)impl_->callbacks.on_update(m);
  return m;
}

bool PpoTrainer::collect_rollout() { return impl_->collect_rollout(); }
PpoMetrics PpoTrainer::train() { return impl_->train(); }

const PpoConfig& PpoTrainer::config() const { return impl_->cfg; }
const RolloutBuffer& PpoTrainer::rollout_buffer() const { return impl_->buf; }
std::int64_t PpoTrainer::timesteps() const { return impl_->timesteps; }
std::int64_t PpoTrainer::iterations() const { return impl_->iterations; }
std::int64_t PpoTrainer::n_updates() const { return impl_->n_updates; }
PolicyWeights PpoTrainer::weights() const { return impl_->weights; }
Policy PpoTrainer::policy() const { return Policy(impl_->weights, impl_->cfg.seed); }
const AdamState& PpoTrainer::optimizer_state() const { return impl_->adam; }

void PpoTrainer::set_weights(const PolicyWeights& w) {
  if (auto s = w.check(); !s) throw core::DaytraderError(s.error().message);
  if (w.observation_size() != impl_->d || w.num_actions() != impl_->k ||
      w.policy_hidden() != impl_->weights.policy_hidden() || w.value_hidden() != impl_->weights.value_hidden()) {
    throw core::DaytraderError(fmt::format(
        "ppo: weights have observation_size {}, {} actions, hidden pi [{}] vf [{}]; the trainer expects {}, {}, "
        "[{}], [{}]",
        w.observation_size(), w.num_actions(), fmt::join(w.policy_hidden(), ", "), fmt::join(w.value_hidden(), ", "),
        impl_->d, impl_->k, fmt::join(impl_->weights.policy_hidden(), ", "),
        fmt::join(impl_->weights.value_hidden(), ", ")));
  }
  impl_->net.set_weights(w);
  if (impl_->group != nullptr) {
    impl_->share_initial_weights();
  } else {
    impl_->sync_rollout_policy();
  }
}

void PpoTrainer::save(const std::filesystem::path& dir) const {
  if (auto s = save_policy(dir, impl_->weights, impl_->cfg); !s) throw core::DaytraderError(s.error().message);
  TrainerState st;
  st.timesteps = impl_->timesteps;
  st.iterations = impl_->iterations;
  st.n_updates = impl_->n_updates;
  st.episodes_total = impl_->episodes_total;
  st.adam = impl_->adam;
  for (int i = 0; i < 4; ++i) {
    st.sample_rng[i] = impl_->sample_rng.state()[i];
    st.shuffle_rng[i] = impl_->shuffle_rng.state()[i];
  }
  if (auto s = save_trainer_state(dir, impl_->weights, st); !s) throw core::DaytraderError(s.error().message);
}

void PpoTrainer::load(const std::filesystem::path& dir) {
  auto w = load_policy_weights(dir);
  if (!w) throw core::DaytraderError(w.error().message);
  set_weights(*w);
  auto st = load_trainer_state(dir, impl_->weights);
  if (!st) throw core::DaytraderError(st.error().message);
  impl_->timesteps = st->timesteps;
  impl_->iterations = st->iterations;
  impl_->n_updates = st->n_updates;
  impl_->episodes_total = st->episodes_total;
  impl_->adam = std::move(st->adam);
  impl_->sample_rng.set_state(st->sample_rng);
  impl_->shuffle_rng.set_state(st->shuffle_rng);
}

// ---------------------------------------------------------------------------------------------

PpoLossReport ppo_loss_and_gradient(const PolicyWeights& weights, const MinibatchRef& mb, const PpoConfig& config,
                                    double clip_range, LossBackend backend) {
  if (auto s = weights.check(); !s) throw core::DaytraderError(s.error().message);
  const auto d = static_cast<std::int64_t>(weights.observation_size());
  const auto B = static_cast<std::int64_t>(mb.actions.size());
  DT_ASSERT(static_cast<std::int64_t>(mb.observations.size()) == B * d, "ppo_loss_and_gradient: observations size");
  TorchNet net(weights);
  std::vector<std::int64_t> actions(mb.actions.begin(), mb.actions.end());
  PpoLossReport r;
  net.zero_grad();
  if (backend == LossBackend::kNative) {
    NativeLoss native(net, B, static_cast<std::int64_t>(weights.num_actions()));
    const LossValues lv = native.run(net, wrap(mb.observations.data(), B, d), actions.data(), mb.old_log_probs.data(),
                                     mb.advantages.data(), mb.returns.data(), mb.old_values.data(), config, clip_range);
    r.policy_loss = lv.policy_loss;
    r.value_loss = lv.value_loss;
    r.entropy_loss = lv.entropy_loss;
    r.loss = lv.loss;
    r.approx_kl = lv.approx_kl;
    r.clip_fraction = lv.clip_fraction;
  } else {
    const LossTensors lt =
        ppo_loss(net, wrap(mb.observations.data(), B, d), at::from_blob(actions.data(), {B}, at::kLong),
                 wrap(mb.old_log_probs.data(), B), wrap(mb.advantages.data(), B), wrap(mb.returns.data(), B),
                 wrap(mb.old_values.data(), B), config, clip_range);
    lt.loss.backward();
    net.gather_grads();
    r.policy_loss = lt.policy_loss.item<float>();
    r.value_loss = lt.value_loss.item<float>();
    r.entropy_loss = lt.entropy_loss.item<float>();
    r.loss = lt.loss.item<float>();
    r.approx_kl = lt.approx_kl.item<float>();
    r.clip_fraction = lt.clip_fraction.item<float>();
  }
  r.gradient = weights;
  const float* g = net.grads().data();
  for (auto& t : r.gradient.tensors()) {
    std::memcpy(t.data.data(), g, t.data.size() * sizeof(float));
    g += t.data.size();
  }
  return r;
}

namespace {

// The value after "key" on the first line of `text` that holds it, trimmed; "" if none.
std::string config_value(const std::string& text, std::string_view key) {
  const auto at = text.find(key);
  if (at == std::string::npos) return {};
  auto begin = at + key.size();
  const auto end = text.find_first_of("\n,", begin);
  std::string v = text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.front() == '=' || v.front() == ':')) v.erase(v.begin());
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.pop_back();
  return v;
}

}  // namespace

ComputeInfo compute_info() {
  ComputeInfo info;
  info.cpu_model = "unknown";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.starts_with("model name")) {
      info.cpu_model = config_value(line, "model name");
      break;
    }
  }
  info.logical_cpus = std::thread::hardware_concurrency();
  info.torch_version = fmt::format("{}.{}.{}", TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR, TORCH_VERSION_PATCH);
  const std::string config = at::show_config();
  info.cpu_capability = config_value(config, "CPU capability usage");
  // OpenBLAS says which build and which kernel it picked for this CPU; another BLAS behind
  // libblas.so.3 (the reference BLAS, BLIS, MKL) is named by what libtorch was built with.
  using GetText = char* (*)();
  if (void* sym = dlsym(RTLD_DEFAULT, "openblas_get_config")) info.blas = reinterpret_cast<GetText>(sym)();
  if (void* sym = dlsym(RTLD_DEFAULT, "openblas_get_corename")) info.blas_kernel = reinterpret_cast<GetText>(sym)();
  if (info.blas.empty()) info.blas = config_value(config, "BLAS_INFO");
  if (info.blas.empty()) info.blas = "unknown";
  info.threads = at::get_num_threads();
  return info;
}

}  // namespace daytrader::rl
