#pragma once
// Loads a Stable-Baselines3 PPO model zip (MlpPolicy, Discrete actions) saved by model.save():
// the policy weights from policy.pth (torch.save'd state dict, read without libtorch) and the
// hyperparameters from the `data` JSON. VecNormalize statistics are not in the zip (SB3 saves
// them separately); observations must be normalised by the caller as in the original.

#include <string>

#include "core/result.h"
#include "rl/policy_weights.h"
#include "rl/ppo_config.h"

namespace daytrader::rl {

struct Sb3Model {
  PolicyWeights weights;
  std::string sb3_version;  // _stable_baselines3_version
  std::string data_json;    // the raw `data` member
  // Defaults overwritten by the plain-number hyperparameters found in `data` (n_steps, batch_size,
  // n_epochs, gamma, gae_lambda, ent_coef, vf_coef, max_grad_norm, normalize_advantage, target_kl,
  // n_envs, seed, and learning_rate / clip_range when stored as numbers) and the network shape.
  PpoConfig config;
};

// Errors name the file and what is wrong (missing member, unsupported policy, bad tensor).
[[nodiscard]] core::Result<Sb3Model> load_sb3_zip(const std::string& path) noexcept;

}  // namespace daytrader::rl
