#pragma once
// PPO as Stable-Baselines3 runs it (shared/spec/ppo-sb3.md): rollouts from a VecEnv, GAE,
// clipped-surrogate minibatch Adam updates. libtorch stays behind the pimpl; this header is
// torch-free.
//
// Rollouts run the policy with the plain C++ forward of rl::Policy (all environments in one
// batch, no tensors). The update keeps every parameter in one flat buffer; the minibatch loss is
// differentiated by a hand-written backward pass whose matrix products run in libtorch (checked
// against libtorch autograd in the tests), then gradient clipping and Adam run as plain loops
// (rl/adam.h).
//
// Data-parallel training: given a ReduceGroup of P processes, config.num_envs is the number of
// environments of the whole run and this process steps its slice of them (env.num_envs() must be
// num_envs / P, environments rank * num_envs / P onwards: env::TradingVecEnv's first_index). Every
// process draws the same action-sampling and shuffling streams and keeps the draws of its own
// environments and samples, so a run is the same computation whatever P is. Each minibatch is cut
// from the shuffled samples of the whole run; every process differentiates the loss on its share
// of it (scaled by the whole minibatch's size, advantages normalised with the whole minibatch's
// statistics), and one allreduce of the flat gradient buffer, with the loss terms appended, per
// gradient step gives every process the same gradient, so the weights and Adam's state stay
// identical (checked after every update). The initial weights are rank 0's. Callbacks run on
// every process and must give the same answer on each; saving is the caller's, on one process.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "env/vec_env.h"
#include "rl/adam.h"
#include "rl/policy.h"
#include "rl/policy_weights.h"
#include "rl/ppo_config.h"
#include "rl/reduce_group.h"

namespace daytrader::rl {

// What one update reports (SB3's train/*, rollout/* and time/* keys). Unlike SB3, whose log
// dump precedes train(), the train values here come from the update on this iteration's rollout.
struct PpoMetrics {
  std::int64_t iteration = 0;   // 1-based rollout+update count
  std::int64_t timesteps = 0;   // env steps so far, all environments
  double fps = 0;               // env steps per second over this iteration (rollout + update)
  double rollout_seconds = 0;
  double train_seconds = 0;
  double learning_rate = 0;
  double clip_range = 0;
  double policy_loss = 0;        // train/policy_gradient_loss: mean over all minibatches
  double value_loss = 0;         // train/value_loss
  double entropy_loss = 0;       // train/entropy_loss (= -entropy)
  double approx_kl = 0;          // train/approx_kl: mean over the last epoch's minibatches
  double clip_fraction = 0;      // train/clip_fraction: mean over all minibatches
  double loss = 0;               // train/loss: last minibatch
  double explained_variance = 0; // train/explained_variance: rollout values vs returns (NaN if Var = 0)
  std::int64_t n_updates = 0;    // cumulative epochs (SB3 semantics)
  std::int64_t gradient_steps = 0;  // Adam steps in this update
  bool early_stopped = false;       // target_kl stopped this update
  // Episodes finished so far, and means over the last stats_window_size of them (NaN if none).
  std::int64_t episodes_total = 0;
  std::int64_t episodes_in_window = 0;
  double ep_rew_mean = 0;
  double ep_len_mean = 0;
  double ep_pnl_mean = 0;
};

struct RolloutProgress {
  std::int64_t iteration = 0;       // the iteration being collected (1-based)
  std::int64_t timesteps = 0;       // env steps so far (all processes)
  std::int64_t rollout_steps_done = 0;   // env steps of this rollout so far (all processes, in step)
  std::int64_t rollout_steps_total = 0;  // n_steps * num_envs
  double env_steps_per_s = 0;        // over this rollout so far
};

struct PpoCallbacks {
  std::function<bool(const PpoMetrics&)> on_update;          // after each update; false stops training
  std::function<bool(const RolloutProgress&)> on_progress;   // false aborts the rollout and training
  // Env steps between progress calls within a rollout; there is always a call at the end of each
  // rollout (0 = only that one).
  std::int64_t progress_every_steps = 0;
};

// The rollout storage (this process's environments), all [n_steps][num_envs] row-major (observations [..][observation_size]).
struct RolloutBuffer {
  std::size_t num_steps = 0;
  std::size_t num_envs = 0;
  std::size_t observation_size = 0;
  std::vector<float> observations;
  std::vector<std::int32_t> actions;
  std::vector<float> rewards;   // with the timeout bootstrap gamma * V(terminal_obs) added on truncation
  std::vector<std::uint8_t> episode_starts;
  std::vector<float> values;
  std::vector<float> log_probs;
  std::vector<float> advantages;
  std::vector<float> returns;
  std::vector<float> last_values;          // [num_envs]
  std::vector<std::uint8_t> last_dones;    // [num_envs]
};

class PpoTrainer {
 public:
  // Throws core::DaytraderError if the config is invalid or does not fit the environment.
  // Sets the process-wide torch (and OpenBLAS) thread count to config.torch_threads. With a group
  // (data-parallel, above; not owned, must outlive the trainer) every member constructs its
  // trainer together, as the initial weights are shared then.
  PpoTrainer(env::VecEnv& env, PpoConfig config, PpoCallbacks callbacks = {}, ReduceGroup* group = nullptr);
  ~PpoTrainer();
  PpoTrainer(const PpoTrainer&) = delete;
  PpoTrainer& operator=(const PpoTrainer&) = delete;

  // Iterates until timesteps() >= config.total_timesteps (overshooting to whole rollouts, as SB3)
  // or a callback returns false. Returns every update's metrics.
  std::vector<PpoMetrics> learn();
  // One rollout and one update; nullopt if a progress callback stopped the rollout.
  std::optional<PpoMetrics> iterate();
  // The two halves of iterate(): collect_rollout() returns false if stopped by a callback;
  // train() updates on the collected rollout and returns the metrics (without calling on_update).
  bool collect_rollout();
  PpoMetrics train();

  [[nodiscard]] const PpoConfig& config() const;
  [[nodiscard]] const RolloutBuffer& rollout_buffer() const;
  [[nodiscard]] std::int64_t timesteps() const;
  [[nodiscard]] std::int64_t iterations() const;
  [[nodiscard]] std::int64_t n_updates() const;

  // The current network. policy() is a copy that can act on its own (seeded with config.seed).
  [[nodiscard]] PolicyWeights weights() const;
  [[nodiscard]] Policy policy() const;
  [[nodiscard]] const AdamState& optimizer_state() const;
  // Replaces the network (e.g. an imported SB3 policy); shapes must match. Keeps Adam's state.
  // In a group every member calls it, and rank 0's weights are taken.
  void set_weights(const PolicyWeights& weights);

  // Model folder: policy.bin, optimizer.bin, ppo_config.json, trainer_state.json (rl/checkpoint.h).
  // load() restores weights, Adam state, counters and RNG streams; the network shape must match.
  void save(const std::filesystem::path& dir) const;
  void load(const std::filesystem::path& dir);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------------------------
// The loss of one minibatch, exposed for tests: the same code path the trainer uses.

struct MinibatchRef {
  std::span<const float> observations;  // [B][observation_size]
  std::span<const std::int32_t> actions;
  std::span<const float> old_log_probs;
  std::span<const float> advantages;    // unnormalised; normalised inside if config.normalize_advantage
  std::span<const float> returns;
  std::span<const float> old_values;    // used only with clip_range_vf
};

struct PpoLossReport {
  double policy_loss = 0;
  double value_loss = 0;
  double entropy_loss = 0;
  double loss = 0;
  double approx_kl = 0;
  double clip_fraction = 0;
  PolicyWeights gradient;  // d loss / d parameter, same shapes as the weights
};

// kNative is the trainer's path (hand-written backward, libtorch matrix products); kAutograd is
// the same loss written with libtorch tensors and differentiated by autograd, the reference.
enum class LossBackend : std::uint8_t { kNative, kAutograd };

[[nodiscard]] PpoLossReport ppo_loss_and_gradient(const PolicyWeights& weights, const MinibatchRef& batch,
                                                  const PpoConfig& config, double clip_range,
                                                  LossBackend backend = LossBackend::kNative);

// What makes a training run's floating point differ from one machine to another: the same seed
// gives bit-identical models on one machine (tests/rl/ppo_trainer_test.cpp), but the matrix
// products run in the BLAS library's kernel for this CPU, and another kernel (another CPU, another
// BLAS build or thread count) rounds differently. Recorded in every model's metadata.json.
struct ComputeInfo {
  std::string cpu_model;       // /proc/cpuinfo "model name", or "unknown"
  unsigned logical_cpus = 0;   // std::thread::hardware_concurrency()
  std::string torch_version;   // libtorch's, e.g. "1.13.0"
  std::string cpu_capability;  // the vector instruction set libtorch dispatches to, e.g. "AVX2"
  std::string blas;            // e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64"
  std::string blas_kernel;     // OpenBLAS's kernel for this CPU (openblas_get_corename), e.g. "Haswell"
  int threads = 0;             // libtorch's intra-op threads now (PpoConfig::torch_threads while training)
};
[[nodiscard]] ComputeInfo compute_info();

}  // namespace daytrader::rl
