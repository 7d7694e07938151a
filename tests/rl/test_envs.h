#pragma once
// Small VecEnv implementations with known answers, for the PPO tests and benchmark.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "env/vec_env.h"
#include "rl/policy_weights.h"
#include "rl/random.h"

namespace daytrader::rl::testing {

// Contextual bandit ("two-state" env): the observation is the one-hot of a state s drawn
// uniformly from {0, .., num_states-1} each step; action a earns 1 if a == s, else 0. Episodes
// are cut (truncated) after `episode_length` steps. The optimal policy picks a = s, earning
// episode_length per episode.
class ContextBanditEnv final : public env::VecEnv {
 public:
  ContextBanditEnv(std::size_t num_envs, std::uint64_t seed, std::int64_t episode_length, std::size_t num_states = 2)
      : n_(num_envs), k_(num_states), len_(episode_length), state_(num_envs, 0), t_(num_envs, 0),
        ep_reward_(num_envs, 0.0) {
    for (std::size_t i = 0; i < n_; ++i) rngs_.emplace_back(seed + i);
  }
  [[nodiscard]] std::size_t num_envs() const override { return n_; }
  [[nodiscard]] std::size_t observation_size() const override { return k_; }
  [[nodiscard]] std::size_t num_actions() const override { return k_; }

  void reset(std::span<float> obs) override {
    for (std::size_t i = 0; i < n_; ++i) {
      t_[i] = 0;
      ep_reward_[i] = 0;
      draw(i, obs.subspan(i * k_, k_));
    }
  }

  void step(std::span<const std::int32_t> actions, env::StepBuffers& out) override {
    finished_.clear();
    for (std::size_t i = 0; i < n_; ++i) {
      const float r = static_cast<std::size_t>(actions[i]) == state_[i] ? 1.0F : 0.0F;
      out.rewards[i] = r;
      ep_reward_[i] += r;
      ++t_[i];
      auto obs = std::span<float>(out.observations).subspan(i * k_, k_);
      draw(i, obs);
      out.terminated[i] = 0;
      out.truncated[i] = t_[i] >= len_ ? 1 : 0;
      if (out.truncated[i] != 0) {
        std::copy(obs.begin(), obs.end(), out.terminal_observations.begin() + static_cast<std::ptrdiff_t>(i * k_));
        finished_.push_back(env::EpisodeStats{i, ep_reward_[i], t_[i], 12.5 * ep_reward_[i]});
        t_[i] = 0;
        ep_reward_[i] = 0;
        draw(i, obs);
      }
    }
  }
  [[nodiscard]] std::span<const env::EpisodeStats> finished_episodes() const override { return finished_; }

 private:
  void draw(std::size_t i, std::span<float> obs) {
    state_[i] = rngs_[i].below(k_);
    std::fill(obs.begin(), obs.end(), 0.0F);
    obs[state_[i]] = 1.0F;
  }
  std::size_t n_, k_;
  std::int64_t len_;
  std::vector<Rng> rngs_;
  std::vector<std::size_t> state_;
  std::vector<std::int64_t> t_;
  std::vector<double> ep_reward_;
  std::vector<env::EpisodeStats> finished_;
};

// Chain of `length` cells: start in cell 0, action 1 moves right, action 0 moves left (floored
// at 0). Reaching the last cell ends the episode (terminated) with reward +1; every other step
// costs 0.01. Episodes are truncated after `max_steps`. Optimal: always move right.
class ChainEnv final : public env::VecEnv {
 public:
  ChainEnv(std::size_t num_envs, std::size_t length, std::int64_t max_steps)
      : n_(num_envs), len_(length), max_steps_(max_steps), pos_(num_envs, 0), t_(num_envs, 0), ep_reward_(num_envs, 0) {}
  [[nodiscard]] std::size_t num_envs() const override { return n_; }
  [[nodiscard]] std::size_t observation_size() const override { return len_; }
  [[nodiscard]] std::size_t num_actions() const override { return 2; }
  void reset(std::span<float> obs) override {
    for (std::size_t i = 0; i < n_; ++i) {
      pos_[i] = 0;
      t_[i] = 0;
      ep_reward_[i] = 0;
      write(i, obs);
    }
  }
  void step(std::span<const std::int32_t> actions, env::StepBuffers& out) override {
    finished_.clear();
    for (std::size_t i = 0; i < n_; ++i) {
      if (actions[i] == 1) ++pos_[i];
      else if (pos_[i] > 0) --pos_[i];
      ++t_[i];
      const bool goal = pos_[i] + 1 == len_;
      const float r = goal ? 1.0F : -0.01F;
      out.rewards[i] = r;
      ep_reward_[i] += r;
      out.terminated[i] = goal ? 1 : 0;
      out.truncated[i] = !goal && t_[i] >= max_steps_ ? 1 : 0;
      write(i, out.observations);
      if (out.done(i)) {
        std::copy_n(out.observations.begin() + static_cast<std::ptrdiff_t>(i * len_), len_,
                    out.terminal_observations.begin() + static_cast<std::ptrdiff_t>(i * len_));
        finished_.push_back(env::EpisodeStats{i, ep_reward_[i], t_[i], 0.0});
        pos_[i] = 0;
        t_[i] = 0;
        ep_reward_[i] = 0;
        write(i, out.observations);
      }
    }
  }
  [[nodiscard]] std::span<const env::EpisodeStats> finished_episodes() const override { return finished_; }

 private:
  void write(std::size_t i, std::span<float> obs) {
    auto row = obs.subspan(i * len_, len_);
    std::fill(row.begin(), row.end(), 0.0F);
    row[pos_[i]] = 1.0F;
  }
  std::size_t n_, len_;
  std::int64_t max_steps_;
  std::vector<std::size_t> pos_;
  std::vector<std::int64_t> t_;
  std::vector<double> ep_reward_;
  std::vector<env::EpisodeStats> finished_;
};

// Scripted episodes for checking rollout bookkeeping: env i's episodes last lengths[i] steps and
// end `terminated` (ends[i] = true) or `truncated`. Observation = [i, step_in_episode, 1]; every
// reward is 1 + i.
class ScriptedEnv final : public env::VecEnv {
 public:
  ScriptedEnv(std::vector<std::int64_t> lengths, std::vector<bool> terminated)
      : lengths_(std::move(lengths)), term_(std::move(terminated)), t_(lengths_.size(), 0) {}
  [[nodiscard]] std::size_t num_envs() const override { return lengths_.size(); }
  [[nodiscard]] std::size_t observation_size() const override { return 3; }
  [[nodiscard]] std::size_t num_actions() const override { return 3; }
  void reset(std::span<float> obs) override {
    for (std::size_t i = 0; i < lengths_.size(); ++i) {
      t_[i] = 0;
      write(i, obs);
    }
  }
  void step(std::span<const std::int32_t>, env::StepBuffers& out) override {
    finished_.clear();
    for (std::size_t i = 0; i < lengths_.size(); ++i) {
      ++t_[i];
      out.rewards[i] = 1.0F + static_cast<float>(i);
      const bool end = t_[i] >= lengths_[i];
      out.terminated[i] = end && term_[i] ? 1 : 0;
      out.truncated[i] = end && !term_[i] ? 1 : 0;
      write(i, out.observations);
      if (end) {
        std::copy_n(out.observations.begin() + static_cast<std::ptrdiff_t>(i * 3), 3,
                    out.terminal_observations.begin() + static_cast<std::ptrdiff_t>(i * 3));
        finished_.push_back(env::EpisodeStats{i, static_cast<double>(t_[i]) * (1.0 + static_cast<double>(i)), t_[i],
                                              -1.0});
        t_[i] = 0;
        write(i, out.observations);
      }
    }
  }
  [[nodiscard]] std::span<const env::EpisodeStats> finished_episodes() const override { return finished_; }

 private:
  void write(std::size_t i, std::span<float> obs) {
    obs[i * 3] = static_cast<float>(i);
    obs[i * 3 + 1] = static_cast<float>(t_[i]);
    obs[i * 3 + 2] = 1.0F;
  }
  std::vector<std::int64_t> lengths_;
  std::vector<bool> term_;
  std::vector<std::int64_t> t_;
  std::vector<env::EpisodeStats> finished_;
};

// Weights with every entry drawn uniformly from [-scale, scale).
inline PolicyWeights random_weights(std::size_t d, std::size_t k, std::vector<std::int64_t> pi,
                                    std::vector<std::int64_t> vf, std::uint64_t seed, double scale = 0.8) {
  PolicyWeights w = PolicyWeights::zeros(d, k, pi, vf);
  Rng rng(seed);
  for (auto& t : w.tensors()) {
    for (float& x : t.data) x = static_cast<float>((rng.uniform01() * 2.0 - 1.0) * scale);
  }
  return w;
}

// The MlpPolicy forward pass in double, straight from the formulas (spec section 2).
struct ForwardD {
  std::vector<double> logits;
  double value = 0;
};
inline std::vector<double> dense_d(const DenseLayer& l, const std::vector<double>& x, bool tanh_out) {
  std::vector<double> y(l.out);
  for (std::size_t j = 0; j < l.out; ++j) {
    double s = l.bias[j];
    for (std::size_t i = 0; i < l.in; ++i) s += static_cast<double>(l.weight[j * l.in + i]) * x[i];
    y[j] = tanh_out ? std::tanh(s) : s;
  }
  return y;
}
inline ForwardD forward_d(const PolicyWeights& w, std::span<const float> obs) {
  std::vector<double> x(obs.begin(), obs.end());
  std::vector<double> h = x;
  for (const auto& l : w.policy_net) h = dense_d(l, h, true);
  ForwardD out;
  out.logits = dense_d(w.action_net, h, false);
  std::vector<double> g = x;
  for (const auto& l : w.value_net) g = dense_d(l, g, true);
  out.value = dense_d(w.value_head, g, false)[0];
  return out;
}

}  // namespace daytrader::rl::testing
