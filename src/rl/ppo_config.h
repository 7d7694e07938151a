#pragma once
// Every setting of PPO, with Stable-Baselines3's defaults for PPO("MlpPolicy") on a Discrete
// action space (shared/spec/ppo-sb3.md section 1). TOML parsing lives in config/; this struct
// only validates itself and round-trips through JSON for model folders.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/result.h"

namespace daytrader::rl {

enum class LrSchedule : std::uint8_t {
  kConstant,  // lr = learning_rate
  kLinear,    // lr = learning_rate_final + p * (learning_rate - learning_rate_final),
              // p = progress remaining = 1 - timesteps / total_timesteps, clamped to [0, 1]
};

[[nodiscard]] std::string_view to_string(LrSchedule s) noexcept;

struct PpoConfig {
  // Run length and parallelism.
  std::int64_t total_timesteps = 1'000'000;  // SB3 learn(total_timesteps); overshoots to a whole rollout
  std::int64_t num_envs = 1;                 // must equal VecEnv::num_envs()
  std::int64_t n_steps = 2048;               // steps per environment per rollout
  std::int64_t batch_size = 64;              // minibatch size; the last partial minibatch is used
  std::int64_t n_epochs = 10;

  // Returns and advantages.
  double gamma = 0.99;
  double gae_lambda = 0.95;
  bool normalize_advantage = true;  // per minibatch, unbiased std + 1e-8

  // Loss.
  double clip_range = 0.2;
  std::optional<double> clip_range_vf;  // none = no value clipping (SB3 default)
  double ent_coef = 0.0;
  double vf_coef = 0.5;
  std::optional<double> target_kl;  // none = no early stop; else stop when approx_kl > 1.5 * target_kl

  // Optimiser (Adam, betas 0.9/0.999, no weight decay) and gradient clipping.
  double learning_rate = 3e-4;
  LrSchedule lr_schedule = LrSchedule::kConstant;
  double learning_rate_final = 0.0;  // end point of the linear schedule
  double adam_eps = 1e-5;
  double max_grad_norm = 0.5;

  // Network: separate actor and critic MLPs with tanh after every hidden layer.
  std::vector<std::int64_t> policy_hidden{64, 64};
  std::vector<std::int64_t> value_hidden{64, 64};
  bool ortho_init = true;  // orthogonal init, gains sqrt(2) hidden, 0.01 action, 1.0 value, zero biases

  // Logging.
  std::int64_t stats_window_size = 100;  // episodes averaged for ep_rew_mean / ep_pnl_mean

  // Reproducibility and compute.
  std::uint64_t seed = 0;
  std::int64_t torch_threads = 1;  // at::set_num_threads; process-wide

  // The first problem found, naming the field, its value and what is expected.
  [[nodiscard]] core::Status validate() const;
};

bool operator==(const PpoConfig& a, const PpoConfig& b);

// JSON with one key per field (names as above, lr_schedule as "constant"/"linear", unset optionals
// as null). from_json starts from the defaults, rejects unknown keys and ill-typed values with a
// core::DaytraderError naming the key, and does not validate (call validate()).
void to_json(nlohmann::json& j, const PpoConfig& c);
void from_json(const nlohmann::json& j, PpoConfig& c);

}  // namespace daytrader::rl
