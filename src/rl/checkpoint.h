#pragma once
// Model folders. A folder holds:
//   policy.bin          the network (named float32 tensors, SB3 state-dict names; rl/policy_weights.h)
//   ppo_config.json     the PpoConfig it was trained with
//   optimizer.bin       Adam moments (exp_avg.<name>, exp_avg_sq.<name>), to resume training
//   trainer_state.json  counters, Adam step, RNG streams, shapes
// Other areas may add their own files (feature set, bar spec); these functions leave them alone.
// Torch-free: backtests and live trading load a Policy from here without libtorch.

#include <cstdint>
#include <filesystem>

#include "core/result.h"
#include "rl/adam.h"
#include "rl/policy.h"
#include "rl/policy_weights.h"
#include "rl/ppo_config.h"

namespace daytrader::rl {

inline constexpr const char* kPolicyFile = "policy.bin";
inline constexpr const char* kConfigFile = "ppo_config.json";
inline constexpr const char* kOptimizerFile = "optimizer.bin";
inline constexpr const char* kTrainerStateFile = "trainer_state.json";

struct TrainerState {
  std::int64_t timesteps = 0;
  std::int64_t iterations = 0;
  std::int64_t n_updates = 0;
  std::int64_t episodes_total = 0;
  AdamState adam;
  std::uint64_t sample_rng[4]{};
  std::uint64_t shuffle_rng[4]{};
};

// Creates the folder if needed and writes policy.bin and ppo_config.json.
[[nodiscard]] core::Status save_policy(const std::filesystem::path& dir, const PolicyWeights& weights,
                                       const PpoConfig& config);
[[nodiscard]] core::Result<PolicyWeights> load_policy_weights(const std::filesystem::path& dir);
[[nodiscard]] core::Result<PpoConfig> load_ppo_config(const std::filesystem::path& dir);

// Writes optimizer.bin and trainer_state.json (the Adam moments named after `weights`' tensors).
[[nodiscard]] core::Status save_trainer_state(const std::filesystem::path& dir, const PolicyWeights& weights,
                                              const TrainerState& state);
// Reads them back, checking that the moments fit `weights`' tensors.
[[nodiscard]] core::Result<TrainerState> load_trainer_state(const std::filesystem::path& dir,
                                                            const PolicyWeights& weights);

// For backtests and live: the policy of a model folder, ready to act. Throws core::DaytraderError
// (cannot start) if the folder is missing or corrupt.
[[nodiscard]] Policy load_policy(const std::filesystem::path& dir, std::uint64_t seed = 0);

}  // namespace daytrader::rl
