// PPO building blocks checked against hand-computed values: GAE, explained variance, gradient
// clipping, Adam, the minibatch loss and its gradient, the plain forward pass and sampling,
// config validation, model files and the Stable-Baselines3 import.

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <zip.h>

#include "rl/adam.h"
#include "rl/checkpoint.h"
#include "rl/gae.h"
#include "rl/policy.h"
#include "rl/ppo_config.h"
#include "rl/ppo_trainer.h"
#include "rl/sb3_import.h"
#include "rl/torch_pickle.h"
#include "test_envs.h"

namespace daytrader::rl {
namespace {

using testing::forward_d;
using testing::random_weights;

std::filesystem::path temp_dir(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() / ("daytrader_rl_test_" + name);
  std::filesystem::remove_all(p);
  return p;
}

// ------------------------------------------------------------------------------------------------
// GAE

TEST(Gae, MatchesHandComputedCaseWithBoundaryTruncationAndRolloutEnd) {
  // gamma = lambda = 0.5 keeps every number exact in binary. [t][env], 4 steps, 2 envs.
  // env 0: an episode ends after t=1 (e_2 = 1); the rollout ends mid-episode -> bootstrap V_last = 4.
  // env 1: an episode is truncated at t=2 (its reward 4 already holds 1 + 0.5 * V(terminal) = 1 + 0.5 * 6);
  //        the last step ends an episode (last_done = 1), so V_last = 100 must be ignored.
  const std::vector<float> rewards{1, 1, 2, 1, 3, 4, 4, 1};
  const std::vector<float> values{0.5F, 1, 1, 1, 1.5F, 1, 2, 1};
  const std::vector<std::uint8_t> starts{1, 0, 0, 0, 1, 0, 0, 1};
  const std::vector<float> last_values{4, 100};
  const std::vector<std::uint8_t> last_dones{0, 1};
  GaeInput in{4, 2, rewards, values, starts, last_values, last_dones, 0.5, 0.5};
  std::vector<float> adv(8), ret(8);
  compute_gae(in, adv, ret);
  const std::vector<float> expected_adv{1.25F, 0.8125F, 1.0F, 1.25F, 3.5F, 3.0F, 4.0F, 0.0F};
  const std::vector<float> expected_ret{1.75F, 1.8125F, 2.0F, 2.25F, 5.0F, 4.0F, 6.0F, 1.0F};
  for (std::size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(adv[i], expected_adv[i]) << "t=" << i / 2 << " env=" << i % 2;
    EXPECT_EQ(ret[i], expected_ret[i]) << "t=" << i / 2 << " env=" << i % 2;
  }
}

TEST(Gae, MatchesDoubleReferenceAtSb3Defaults) {
  const std::size_t T = 37, N = 3;
  Rng rng(5);
  std::vector<float> r(T * N), v(T * N), lv(N);
  std::vector<std::uint8_t> e(T * N), ld(N);
  for (auto& x : r) x = static_cast<float>(rng.uniform01() * 2 - 1);
  for (auto& x : v) x = static_cast<float>(rng.uniform01() * 4 - 2);
  for (auto& x : e) x = rng.uniform01() < 0.1 ? 1 : 0;
  for (auto& x : lv) x = static_cast<float>(rng.uniform01());
  for (auto& x : ld) x = rng.uniform01() < 0.5 ? 1 : 0;
  std::vector<float> adv(T * N), ret(T * N);
  compute_gae(GaeInput{T, N, r, v, e, lv, ld, 0.99, 0.95}, adv, ret);
  for (std::size_t env = 0; env < N; ++env) {
    double a = 0;
    for (std::size_t t = T; t-- > 0;) {
      const std::size_t i = t * N + env;
      const double mask = t == T - 1 ? 1.0 - ld[env] : 1.0 - e[i + N];
      const double next_v = t == T - 1 ? lv[env] : v[i + N];
      const double delta = r[i] + 0.99 * next_v * mask - v[i];
      a = delta + 0.99 * 0.95 * mask * a;
      EXPECT_NEAR(adv[i], a, 1e-5) << "t=" << t << " env=" << env;
      EXPECT_NEAR(ret[i], a + v[i], 1e-5) << "t=" << t << " env=" << env;
    }
  }
}

TEST(ExplainedVariance, IsOneForPerfectZeroForMeanFreeAndNanForConstantTargets) {
  const std::vector<float> y{1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(explained_variance(y, y), 1.0);
  const std::vector<float> zeros{0, 0, 0, 0};
  EXPECT_DOUBLE_EQ(explained_variance(zeros, y), 0.0);  // Var(y - 0) = Var(y)
  const std::vector<float> half{0.5F, 1, 1.5F, 2};
  EXPECT_DOUBLE_EQ(explained_variance(half, y), 0.75);  // Var(y/2) / Var(y) = 1/4
  const std::vector<float> constant{3, 3, 3, 3};
  EXPECT_TRUE(std::isnan(explained_variance(y, constant)));
}

// ------------------------------------------------------------------------------------------------
// Gradient clipping and Adam

TEST(ClipGradNorm, ScalesToMaxNormOnlyWhenAbove) {
  std::vector<float> g{3, 0, 4};  // tensors {3, 0} and {4}: global norm 5
  const std::vector<std::size_t> sizes{2, 1};
  EXPECT_FLOAT_EQ(static_cast<float>(clip_grad_norm(g, sizes, 0.5)), 5.0F);
  const float c = 0.5F / (5.0F + 1e-6F);
  EXPECT_FLOAT_EQ(g[0], 3 * c);
  EXPECT_FLOAT_EQ(g[1], 0);
  EXPECT_FLOAT_EQ(g[2], 4 * c);
  std::vector<float> small{0.1F, 0.2F, 0.2F};  // norm 0.3 < 0.5: unchanged
  EXPECT_NEAR(clip_grad_norm(small, sizes, 0.5), 0.3, 1e-7);
  EXPECT_EQ(small, (std::vector<float>{0.1F, 0.2F, 0.2F}));
}

TEST(Adam, FollowsPyTorchFormulaWithEpsAfterBiasCorrectedSqrt) {
  std::vector<float> p{1.0F, -2.0F, 0.5F};
  const std::vector<std::vector<float>> grads{{0.1F, -0.3F, 0.0F}, {0.2F, 0.1F, -1e-4F}, {-0.5F, 0.05F, 2.0F}};
  AdamState st;
  const AdamHyper h{3e-4, 0.9, 0.999, 1e-5};
  std::vector<double> pd(p.begin(), p.end()), m(3, 0), v(3, 0);
  for (std::size_t n = 1; n <= grads.size(); ++n) {
    adam_step(p, grads[n - 1], st, h);
    for (std::size_t i = 0; i < 3; ++i) {
      const double g = grads[n - 1][i];
      m[i] = 0.9 * m[i] + 0.1 * g;
      v[i] = 0.999 * v[i] + 0.001 * g * g;
      const double bc1 = 1 - std::pow(0.9, n), bc2 = 1 - std::pow(0.999, n);
      pd[i] -= (3e-4 / bc1) * m[i] / (std::sqrt(v[i]) / std::sqrt(bc2) + 1e-5);
      EXPECT_NEAR(p[i], pd[i], 1e-6 * std::max(1.0, std::abs(pd[i]))) << "step " << n << " param " << i;
    }
  }
  EXPECT_EQ(st.step, 3);
}

// ------------------------------------------------------------------------------------------------
// Loss and gradient against double-precision formulas and finite differences

struct LossD {
  double policy_loss, value_loss, entropy_loss, loss, approx_kl, clip_fraction;
};

LossD hand_loss(const PolicyWeights& w, const MinibatchRef& mb, const PpoConfig& c, double eps) {
  const std::size_t B = mb.actions.size(), d = w.observation_size();
  std::vector<double> adv(mb.advantages.begin(), mb.advantages.end());
  if (c.normalize_advantage && B > 1) {
    double mean = 0;
    for (double a : adv) mean += a;
    mean /= static_cast<double>(B);
    double var = 0;
    for (double a : adv) var += (a - mean) * (a - mean);
    const double sd = std::sqrt(var / static_cast<double>(B - 1));
    for (double& a : adv) a = (a - mean) / (sd + 1e-8);
  }
  LossD L{};
  for (std::size_t b = 0; b < B; ++b) {
    const auto f = forward_d(w, mb.observations.subspan(b * d, d));
    double mx = -1e300;
    for (double z : f.logits) mx = std::max(mx, z);
    double s = 0;
    for (double z : f.logits) s += std::exp(z - mx);
    const double lse = mx + std::log(s);
    double entropy = 0;
    for (double z : f.logits) entropy -= std::exp(z - lse) * (z - lse);
    const double logp = f.logits[static_cast<std::size_t>(mb.actions[b])] - lse;
    const double log_ratio = logp - mb.old_log_probs[b];
    const double ratio = std::exp(log_ratio);
    const double clipped = std::clamp(ratio, 1 - eps, 1 + eps);
    L.policy_loss -= std::min(ratio * adv[b], clipped * adv[b]);
    double vpred = f.value;
    if (c.clip_range_vf) {
      vpred = mb.old_values[b] + std::clamp(f.value - mb.old_values[b], -*c.clip_range_vf, *c.clip_range_vf);
    }
    L.value_loss += (mb.returns[b] - vpred) * (mb.returns[b] - vpred);
    L.entropy_loss -= entropy;
    L.approx_kl += (ratio - 1) - log_ratio;
    L.clip_fraction += std::abs(ratio - 1) > eps ? 1.0 : 0.0;
  }
  const double n = static_cast<double>(B);
  L.policy_loss /= n;
  L.value_loss /= n;
  L.entropy_loss /= n;
  L.approx_kl /= n;
  L.clip_fraction /= n;
  L.loss = L.policy_loss + c.ent_coef * L.entropy_loss + c.vf_coef * L.value_loss;
  return L;
}

struct LossCase {
  const char* name;
  std::function<void(PpoConfig&)> setup;
  friend void PrintTo(const LossCase& c, std::ostream* os) { *os << c.name; }
};

class PpoLoss : public ::testing::TestWithParam<LossCase> {};

TEST_P(PpoLoss, ValuesAndGradientMatchDoubleFormulasAndFiniteDifferences) {
  PpoConfig c;
  GetParam().setup(c);
  const double eps = 0.2;
  const PolicyWeights w = random_weights(3, 3, {4, 4}, {3}, 11, 0.9);
  const std::size_t B = 6;
  Rng rng(3);
  std::vector<float> obs(B * 3), old_logp(B), adv(B), ret(B), old_v(B);
  std::vector<std::int32_t> act(B);
  Policy policy(w);
  std::vector<float> logits(B * 3), values(B);
  for (auto& x : obs) x = static_cast<float>(rng.uniform01() * 4 - 2);
  policy.evaluate(obs, logits, values);
  for (std::size_t b = 0; b < B; ++b) {
    act[b] = static_cast<std::int32_t>(rng.below(3));
    // Old log-probs away from the current ones so that some ratios fall outside [0.8, 1.2].
    const double shift = (b % 3 == 0 ? 0.45 : b % 3 == 1 ? -0.4 : 0.07);
    old_logp[b] = static_cast<float>(log_prob_of(std::span<const float>(&logits[b * 3], 3), act[b]) + shift);
    adv[b] = static_cast<float>(rng.uniform01() * 2 - 1);
    ret[b] = static_cast<float>(rng.uniform01() * 2 - 1);
    old_v[b] = static_cast<float>(values[b] + (b % 2 == 0 ? 0.3 : -0.02));
  }
  const MinibatchRef mb{obs, act, old_logp, adv, ret, old_v};
  const LossD h = hand_loss(w, mb, c, eps);
  EXPECT_GT(h.clip_fraction, 0.0);
  EXPECT_LT(h.clip_fraction, 1.0);
  const PpoLossReport native = ppo_loss_and_gradient(w, mb, c, eps, LossBackend::kNative);
  const PpoLossReport autograd = ppo_loss_and_gradient(w, mb, c, eps, LossBackend::kAutograd);

  // Central finite differences of the double loss, parameter by parameter.
  PolicyWeights probe = w;
  auto probe_tensors = probe.tensors();
  std::vector<std::vector<double>> fd(probe_tensors.size());
  for (std::size_t t = 0; t < probe_tensors.size(); ++t) {
    for (std::size_t i = 0; i < probe_tensors[t].data.size(); ++i) {
      float& x = probe_tensors[t].data[i];
      const float x0 = x;
      const float step = 1e-3F;
      x = x0 + step;
      const double up = hand_loss(probe, mb, c, eps).loss;
      x = x0 - step;
      const double down = hand_loss(probe, mb, c, eps).loss;
      x = x0;
      fd[t].push_back((up - down) / (static_cast<double>(x0 + step) - static_cast<double>(x0 - step)));
    }
  }
  for (const auto* r : {&native, &autograd}) {
    const char* which = r == &native ? "native" : "autograd";
    EXPECT_NEAR(r->policy_loss, h.policy_loss, 2e-6) << which;
    EXPECT_NEAR(r->value_loss, h.value_loss, 2e-6) << which;
    EXPECT_NEAR(r->entropy_loss, h.entropy_loss, 2e-6) << which;
    EXPECT_NEAR(r->loss, h.loss, 2e-6) << which;
    EXPECT_NEAR(r->approx_kl, h.approx_kl, 2e-6) << which;
    EXPECT_NEAR(r->clip_fraction, h.clip_fraction, 1e-6) << which;  // a float32 mean
    const auto grads = r->gradient.tensors();
    for (std::size_t t = 0; t < grads.size(); ++t) {
      for (std::size_t i = 0; i < grads[t].data.size(); ++i) {
        EXPECT_NEAR(grads[t].data[i], fd[t][i], 2e-5 + 2e-3 * std::abs(fd[t][i]))
            << which << " " << GetParam().name << ": " << grads[t].name << "[" << i << "]";
      }
    }
  }
  // The trainer's hand-written backward agrees with libtorch autograd to float rounding.
  const auto gn = native.gradient.tensors();
  const auto ga = autograd.gradient.tensors();
  for (std::size_t t = 0; t < gn.size(); ++t) {
    for (std::size_t i = 0; i < gn[t].data.size(); ++i) {
      EXPECT_NEAR(gn[t].data[i], ga[t].data[i], 2e-6 + 1e-5 * std::abs(ga[t].data[i])) << gn[t].name << "[" << i << "]";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Configs, PpoLoss,
    ::testing::Values(LossCase{"sb3_defaults", [](PpoConfig&) {}},
                      LossCase{"entropy_bonus", [](PpoConfig& c) { c.ent_coef = 0.05; }},
                      LossCase{"value_clipping", [](PpoConfig& c) { c.clip_range_vf = 0.1; }},
                      LossCase{"raw_advantages", [](PpoConfig& c) {
                                 c.normalize_advantage = false;
                                 c.vf_coef = 1.0;
                               }}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

// ------------------------------------------------------------------------------------------------
// Plain forward pass, argmax and sampling

TEST(Policy, ForwardMatchesDoubleFormulas) {
  const PolicyWeights w = random_weights(7, 5, {64, 64}, {64, 64}, 21, 0.3);
  Policy p(w);
  Rng rng(9);
  std::vector<float> obs(4 * 7);
  for (auto& x : obs) x = static_cast<float>(rng.uniform01() * 6 - 3);
  std::vector<float> logits(4 * 5), values(4);
  p.evaluate(obs, logits, values);
  for (std::size_t b = 0; b < 4; ++b) {
    const auto f = forward_d(w, std::span<const float>(obs).subspan(b * 7, 7));
    for (std::size_t a = 0; a < 5; ++a) EXPECT_NEAR(logits[b * 5 + a], f.logits[a], 1e-5) << b << "," << a;
    EXPECT_NEAR(values[b], f.value, 1e-5) << b;
  }
}

TEST(Policy, ArgmaxBreaksTiesTowardTheLowestIndex) {
  EXPECT_EQ(argmax(std::vector<float>{0.5F, 2.0F, 2.0F, 1.0F}), 1);
  EXPECT_EQ(argmax(std::vector<float>{3.0F, 3.0F}), 0);
  EXPECT_EQ(argmax(std::vector<float>{-1.0F, -2.0F, -1.0F}), 0);
}

TEST(Policy, SamplingPicksFirstIndexWhoseCumulativeProbabilityExceedsU) {
  const std::vector<float> logits{0.0F, static_cast<float>(std::log(3.0))};  // p = 0.25, 0.75
  struct Row {
    double u;
    int expected;
  };
  for (const Row& row : {Row{0.0, 0}, Row{0.2499, 0}, Row{0.2501, 1}, Row{0.9999999, 1}}) {
    EXPECT_EQ(sample_from_logits(logits, row.u), row.expected) << "u=" << row.u;
  }
  EXPECT_NEAR(log_prob_of(logits, 1), std::log(0.75), 1e-6);
}

TEST(Policy, StochasticActIsSeededAndFollowsTheProbabilities) {
  PolicyWeights w = PolicyWeights::zeros(2, 3, std::vector<std::int64_t>{}, std::vector<std::int64_t>{});
  w.action_net.bias = {0.0F, static_cast<float>(std::log(2.0)), static_cast<float>(std::log(7.0))};  // 0.1 0.2 0.7
  Policy a(w, 42), b(w, 42);
  std::vector<int> counts(3, 0);
  const std::vector<float> obs{0.3F, -0.1F};
  for (int i = 0; i < 20000; ++i) {
    const int x = a.act(obs, false);
    ASSERT_EQ(x, b.act(obs, false));
    ++counts[static_cast<std::size_t>(x)];
  }
  EXPECT_NEAR(counts[0] / 20000.0, 0.1, 0.01);
  EXPECT_NEAR(counts[1] / 20000.0, 0.2, 0.01);
  EXPECT_NEAR(counts[2] / 20000.0, 0.7, 0.01);
  EXPECT_EQ(a.act(obs, true), 2);
}

// ------------------------------------------------------------------------------------------------
// Config

TEST(PpoConfig, DefaultsAreStableBaselines3s) {
  const PpoConfig c;
  EXPECT_TRUE(c.validate().has_value());
  EXPECT_EQ(c.n_steps, 2048);
  EXPECT_EQ(c.batch_size, 64);
  EXPECT_EQ(c.n_epochs, 10);
  EXPECT_EQ(c.gamma, 0.99);
  EXPECT_EQ(c.gae_lambda, 0.95);
  EXPECT_EQ(c.clip_range, 0.2);
  EXPECT_FALSE(c.clip_range_vf.has_value());
  EXPECT_TRUE(c.normalize_advantage);
  EXPECT_EQ(c.ent_coef, 0.0);
  EXPECT_EQ(c.vf_coef, 0.5);
  EXPECT_EQ(c.max_grad_norm, 0.5);
  EXPECT_EQ(c.learning_rate, 3e-4);
  EXPECT_EQ(c.adam_eps, 1e-5);
  EXPECT_FALSE(c.target_kl.has_value());
  EXPECT_EQ(c.policy_hidden, (std::vector<std::int64_t>{64, 64}));
  EXPECT_EQ(c.value_hidden, (std::vector<std::int64_t>{64, 64}));
  EXPECT_TRUE(c.ortho_init);
  EXPECT_EQ(c.stats_window_size, 100);
}

TEST(PpoConfig, ValidateNamesTheFieldAndTheValue) {
  struct Row {
    std::function<void(PpoConfig&)> change;
    const char* expected;
  };
  const std::vector<Row> rows{
      {[](PpoConfig& c) { c.n_steps = 0; }, "n_steps = 0"},
      {[](PpoConfig& c) { c.n_steps = 1; }, "n_steps = 1 is invalid: expected n_steps * num_envs > 1"},
      {[](PpoConfig& c) { c.num_envs = -2; }, "num_envs = -2"},
      {[](PpoConfig& c) { c.batch_size = 1; }, "batch_size = 1"},
      {[](PpoConfig& c) { c.n_epochs = 0; }, "n_epochs = 0"},
      {[](PpoConfig& c) { c.gamma = 1.5; }, "gamma = 1.5"},
      {[](PpoConfig& c) { c.gae_lambda = -0.1; }, "gae_lambda = -0.1"},
      {[](PpoConfig& c) { c.clip_range = 0; }, "clip_range = 0"},
      {[](PpoConfig& c) { c.clip_range_vf = -1.0; }, "clip_range_vf = -1"},
      {[](PpoConfig& c) { c.ent_coef = -0.5; }, "ent_coef = -0.5"},
      {[](PpoConfig& c) { c.vf_coef = std::nan(""); }, "vf_coef = nan"},
      {[](PpoConfig& c) { c.target_kl = 0.0; }, "target_kl = 0"},
      {[](PpoConfig& c) { c.learning_rate = 0; }, "learning_rate = 0"},
      {[](PpoConfig& c) { c.learning_rate_final = -1; }, "learning_rate_final = -1"},
      {[](PpoConfig& c) { c.adam_eps = 0; }, "adam_eps = 0"},
      {[](PpoConfig& c) { c.max_grad_norm = -0.5; }, "max_grad_norm = -0.5"},
      {[](PpoConfig& c) { c.policy_hidden = {64, 0}; }, "policy_hidden = [64, 0]"},
      {[](PpoConfig& c) { c.value_hidden = {-3}; }, "value_hidden = [-3]"},
      {[](PpoConfig& c) { c.policy_hidden = {65536, 65536}; },
       "policy_hidden = [65536, 65536] is invalid: expected layers with at most 67108864 hidden weights"},
      {[](PpoConfig& c) { c.value_hidden = {8192, 8192, 8192}; }, "value_hidden = [8192, 8192, 8192]"},
      {[](PpoConfig& c) { c.n_steps = 1 << 20; c.num_envs = 64; },
       "n_steps = 1048576 is invalid: expected n_steps * num_envs <= 4194304 (num_envs = 64)"},
      {[](PpoConfig& c) { c.n_steps = 2; c.num_envs = std::int64_t{1} << 62; }, "n_steps = 2 is invalid"},
      {[](PpoConfig& c) { c.stats_window_size = 0; }, "stats_window_size = 0"},
      {[](PpoConfig& c) { c.torch_threads = 0; }, "torch_threads = 0"},
      {[](PpoConfig& c) { c.total_timesteps = 0; }, "total_timesteps = 0"},
  };
  for (const auto& row : rows) {
    PpoConfig c;
    row.change(c);
    const auto s = c.validate();
    ASSERT_FALSE(s.has_value()) << row.expected;
    EXPECT_NE(s.error().message.find(row.expected), std::string::npos)
        << "message: " << s.error().message << "\nexpected to contain: " << row.expected;
  }
}

TEST(PpoConfig, JsonRoundTripsAndRejectsUnknownKeys) {
  PpoConfig c;
  c.target_kl = 0.015;
  c.clip_range_vf = 0.3;
  c.lr_schedule = LrSchedule::kLinear;
  c.policy_hidden = {32};
  c.seed = 0xFFFFFFFFFFFFFFFFULL;
  const nlohmann::json j = c;
  EXPECT_EQ(j.get<PpoConfig>(), c);
  EXPECT_TRUE(nlohmann::json(PpoConfig{})["target_kl"].is_null());
  nlohmann::json bad = j;
  bad["n_step"] = 5;
  try {
    (void)bad.get<PpoConfig>();
    FAIL() << "unknown key accepted";
  } catch (const core::DaytraderError& e) {
    EXPECT_NE(std::string(e.what()).find("\"n_step\""), std::string::npos) << e.what();
  }
  nlohmann::json wrong_type = j;
  wrong_type["gamma"] = "high";
  EXPECT_THROW((void)wrong_type.get<PpoConfig>(), core::DaytraderError);
}

// ------------------------------------------------------------------------------------------------
// Model files

TEST(TensorFile, RoundTripsAndDetectsCorruption) {
  const auto dir = temp_dir("tensor_file");
  std::filesystem::create_directories(dir);
  const auto path = (dir / "t.bin").string();
  const std::vector<NamedTensor> tensors{{"a", {2, 3}, {1, 2, 3, 4, 5, 6}}, {"b", {}, {7.5F}}, {"empty", {0}, {}}};
  ASSERT_TRUE(write_tensor_file(path, tensors).has_value());
  auto back = read_tensor_file(path);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  ASSERT_EQ(back->size(), 3U);
  EXPECT_EQ((*back)[0].shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ((*back)[0].data, tensors[0].data);
  EXPECT_EQ((*back)[1].data, tensors[1].data);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(30);
    f.put('\x7f');
  }
  auto corrupt = read_tensor_file(path);
  ASSERT_FALSE(corrupt.has_value());
  EXPECT_NE(corrupt.error().message.find("checksum"), std::string::npos) << corrupt.error().message;
  auto missing = read_tensor_file((dir / "nope.bin").string());
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("nope.bin"), std::string::npos);
}

TEST(Checkpoint, SavedPolicyGivesIdenticalLogitsAndActions) {
  const PolicyWeights w = random_weights(42, 5, {64, 64}, {64, 64}, 77);
  const auto dir = temp_dir("policy_folder");
  PpoConfig c;
  c.seed = 99;
  ASSERT_TRUE(save_policy(dir, w, c).has_value());
  Policy loaded = load_policy(dir, 5);
  Policy original(w, 5);
  EXPECT_EQ(loaded.weights(), w);
  Rng rng(1);
  std::vector<float> obs(8 * 42);
  for (auto& x : obs) x = static_cast<float>(rng.uniform01() * 2 - 1);
  std::vector<float> l1(8 * 5), l2(8 * 5);
  original.logits(obs, l1);
  loaded.logits(obs, l2);
  EXPECT_EQ(l1, l2);
  for (std::size_t b = 0; b < 8; ++b) {
    const auto row = std::span<const float>(obs).subspan(b * 42, 42);
    EXPECT_EQ(original.act(row, true), loaded.act(row, true));
    EXPECT_EQ(original.act(row, false), loaded.act(row, false));
  }
  auto cfg = load_ppo_config(dir);
  ASSERT_TRUE(cfg.has_value()) << cfg.error().message;
  EXPECT_EQ(*cfg, c);
  EXPECT_THROW((void)load_policy(dir / "missing"), core::DaytraderError);
}

// ------------------------------------------------------------------------------------------------
// PyTorch and Stable-Baselines3 files

const std::string kData = DAYTRADER_TEST_DATA_DIR "/rl/";

TEST(TorchPickle, ReadsStridedOffsetSharedAndDoubleTensorsFromTorchSave) {
  auto bytes = read_file_bytes(kData + "torch113_state_dict.pth");
  ASSERT_TRUE(bytes.has_value()) << bytes.error().message;
  auto sd = read_torch_state_dict(*bytes, "torch113_state_dict.pth");
  ASSERT_TRUE(sd.has_value()) << sd.error().message;
  ASSERT_EQ(sd->size(), 5U);
  EXPECT_EQ((*sd)[0].name, "transposed");
  EXPECT_EQ((*sd)[0].shape, (std::vector<std::int64_t>{3, 2}));
  EXPECT_EQ((*sd)[0].data, (std::vector<float>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ((*sd)[1].data, (std::vector<float>{3, 4, 5, 6}));
  EXPECT_EQ((*sd)[2].data, (std::vector<float>{4, 5, 6, 7}));
  EXPECT_EQ((*sd)[3].data, (std::vector<float>{1.5F, -2.25F}));
  EXPECT_TRUE((*sd)[4].shape.empty());
  EXPECT_EQ((*sd)[4].data, (std::vector<float>{4.0F}));
}

TEST(TorchPickle, RejectsTruncatedAndGarbageInputWithoutCrashing) {
  auto bytes = read_file_bytes(kData + "torch113_state_dict.pth");
  ASSERT_TRUE(bytes.has_value());
  for (std::size_t n = 0; n < bytes->size(); n += 37) {
    auto r = read_torch_state_dict(std::string_view(*bytes).substr(0, n), "cut");
    EXPECT_FALSE(r.has_value()) << "prefix of " << n << " bytes accepted";
  }
  EXPECT_FALSE(read_torch_state_dict("not a zip at all", "garbage").has_value());
}

TEST(Sb3Import, PolicyGivesPyTorchLogitsAndValues) {
  auto model = load_sb3_zip(kData + "sb3_ppo_d6_k5.zip");
  ASSERT_TRUE(model.has_value()) << model.error().message;
  EXPECT_EQ(model->sb3_version, "2.3.2");
  EXPECT_EQ(model->weights.observation_size(), 6U);
  EXPECT_EQ(model->weights.num_actions(), 5U);
  EXPECT_EQ(model->config.n_steps, 2048);
  EXPECT_EQ(model->config.gamma, 0.99);
  EXPECT_EQ(model->config.policy_hidden, (std::vector<std::int64_t>{64, 64}));
  auto text = read_file_bytes(kData + "sb3_ppo_d6_k5_expected.json");
  ASSERT_TRUE(text.has_value());
  const auto expected = nlohmann::json::parse(*text);
  Policy policy(model->weights);
  const auto& observations = expected["observations"];
  ASSERT_GE(observations.size(), 4U);
  for (std::size_t b = 0; b < observations.size(); ++b) {
    const auto obs = observations[b].get<std::vector<float>>();
    std::vector<float> logits(5), value(1);
    policy.evaluate(obs, logits, value);
    for (std::size_t a = 0; a < 5; ++a) {
      EXPECT_NEAR(logits[a], expected["logits"][b][a].get<double>(), 1e-5) << "obs " << b << " action " << a;
      EXPECT_NEAR(log_prob_of(logits, static_cast<int>(a)), expected["log_softmax"][b][a].get<double>(), 1e-5);
    }
    EXPECT_NEAR(value[0], expected["values"][b].get<double>(), 1e-5) << "obs " << b;
    EXPECT_EQ(policy.act(obs, true), expected["argmax"][b].get<int>()) << "obs " << b;
  }
}

TEST(Sb3Import, ErrorsNameTheFileAndTheProblem) {
  auto missing = load_sb3_zip(kData + "no_such_model.zip");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("no_such_model.zip"), std::string::npos) << missing.error().message;
  // A zip that is not an SB3 model (a bare torch.save file).
  auto not_sb3 = load_sb3_zip(kData + "torch113_state_dict.pth");
  ASSERT_FALSE(not_sb3.has_value());
  EXPECT_NE(not_sb3.error().message.find("not a Stable-Baselines3 model zip"), std::string::npos)
      << not_sb3.error().message;
  // A state dict that is not an MlpPolicy.
  std::vector<NamedTensor> wrong{{"mlp_extractor.policy_net.0.weight", {4, 3}, std::vector<float>(12)}};
  auto w = weights_from_tensors(wrong, "x.pth");
  ASSERT_FALSE(w.has_value());
  EXPECT_NE(w.error().message.find("x.pth: missing tensor mlp_extractor.policy_net.0.bias"), std::string::npos)
      << w.error().message;
}

// Copies the zip `src` to `out` (stored, fresh CRCs), replacing member `name` by `replacement`
// (or adding it when absent).
void rewrite_zip(std::string_view src, const std::filesystem::path& out, const std::string& name,
                 const std::string& replacement) {
  auto members = list_zip_members(src, "src");
  ASSERT_TRUE(members.has_value()) << members.error().message;
  std::vector<std::pair<std::string, std::string>> contents;
  bool replaced = false;
  for (const auto& m : *members) {
    if (m == name) {
      contents.emplace_back(m, replacement);
      replaced = true;
    } else {
      auto bytes = read_zip_member(src, m, "src");
      ASSERT_TRUE(bytes.has_value()) << bytes.error().message;
      contents.emplace_back(m, *bytes);
    }
  }
  if (!replaced) contents.emplace_back(name, replacement);
  int err = 0;
  zip_t* z = zip_open(out.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  ASSERT_NE(z, nullptr);
  for (const auto& [m, bytes] : contents) {
    zip_source_t* s = zip_source_buffer(z, bytes.data(), bytes.size(), 0);
    ASSERT_NE(s, nullptr);
    const auto index = zip_file_add(z, m.c_str(), s, ZIP_FL_OVERWRITE);
    ASSERT_GE(index, 0);
    ASSERT_EQ(zip_set_file_compression(z, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0), 0);
  }
  ASSERT_EQ(zip_close(z), 0);
}

TEST(TorchPickle, RefusesDeeplyNestedContainersWithoutOverflowingTheStack) {
  const auto dir = temp_dir("deep_pickle");
  std::filesystem::create_directories(dir);
  // 3 MB of TUPLE1 opcodes: ((((...),),),) nested three million deep.
  std::string pkl = "\x80\x02)";
  pkl.append(3'000'000, '\x85');
  pkl += '.';
  rewrite_zip(*read_file_bytes(kData + "torch113_state_dict.pth"), dir / "deep.pth", "archive/data.pkl", pkl);
  auto r = read_torch_state_dict(*read_file_bytes((dir / "deep.pth").string()), "deep.pth");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("deep.pth: archive/data.pkl: containers nested more than 64 deep"),
            std::string::npos) << r.error().message;
  std::filesystem::remove_all(dir);
}

TEST(TorchPickle, RefusesAMemberWhoseBytesDoNotMatchItsCrc) {
  auto bytes = *read_file_bytes(kData + "torch113_state_dict.pth");
  // Tensor 3 holds the float64 values {1.5, -2.25}: overwrite 4 bytes of 1.5 in place, leaving the
  // zip's CRC as it was.
  const double old_value = 1.5;
  const float new_bytes = 9.0F;
  const auto at = bytes.find(std::string_view(reinterpret_cast<const char*>(&old_value), 8));
  ASSERT_NE(at, std::string::npos);
  std::memcpy(bytes.data() + at, &new_bytes, 4);
  auto r = read_torch_state_dict(bytes, "patched.pth");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("patched.pth: member \"archive/data/"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("the file is corrupt"), std::string::npos) << r.error().message;
}

TEST(TorchPickle, RefusesNonFiniteTensorValues) {
  const auto dir = temp_dir("nan_pickle");
  std::filesystem::create_directories(dir);
  const auto src = *read_file_bytes(kData + "torch113_state_dict.pth");
  auto storage = *read_zip_member(src, "archive/data/3", "src");  // the float32 scalar 4.0
  ASSERT_EQ(storage.size(), 4U);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(storage.data(), &nan, 4);
  rewrite_zip(src, dir / "nan.pth", "archive/data/3", storage);
  auto r = read_torch_state_dict(*read_file_bytes((dir / "nan.pth").string()), "nan.pth");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("element 0 is nan, expected a finite number"), std::string::npos)
      << r.error().message;
  std::filesystem::remove_all(dir);
}

TEST(Sb3Import, ChecksTheActionCountStoredAsAStringOrANumber) {
  const auto dir = temp_dir("sb3_n");
  std::filesystem::create_directories(dir);
  const auto src = *read_file_bytes(kData + "sb3_ppo_d6_k5.zip");
  auto data = nlohmann::json::parse(*read_zip_member(src, "data", "src"));
  struct Row { nlohmann::json n; std::string error; };
  const std::vector<Row> rows{
      {"5", ""},
      {5, ""},
      {"4", "action_space.n = 4 but action_net has 5 outputs"},
      {4, "action_space.n = 4 but action_net has 5 outputs"},
      {"five", "action_space.n is \"five\", expected a positive integer"},
  };
  for (const auto& row : rows) {
    data["action_space"]["n"] = row.n;
    const auto path = dir / "m.zip";
    rewrite_zip(src, path, "data", data.dump());
    auto m = load_sb3_zip(path.string());
    if (row.error.empty()) {
      EXPECT_TRUE(m.has_value()) << "n=" << row.n.dump() << ": " << m.error().message;
    } else {
      ASSERT_FALSE(m.has_value()) << "n=" << row.n.dump();
      EXPECT_NE(m.error().message.find(row.error), std::string::npos) << "n=" << row.n.dump() << ": "
                                                                       << m.error().message;
    }
  }
  std::filesystem::remove_all(dir);
}

TEST(PolicyWeights, RefusesNonFiniteWeightsNamingTheTensor) {
  auto w = weights_to_tensors(random_weights(3, 2, {4}, {4}, 7));
  for (auto& t : w)
    if (t.name == "action_net.bias") t.data[1] = std::numeric_limits<float>::infinity();
  auto r = weights_from_tensors(w, "m/policy.dttensor");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("m/policy.dttensor: tensor action_net.bias element 1 is inf, expected a finite "
                                   "number"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace daytrader::rl
