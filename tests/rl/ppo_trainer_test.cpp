// PpoTrainer end to end on tiny environments with known answers: learning, reproducibility,
// rollout bookkeeping (timeout bootstrap, episode starts, overshoot), early stopping, callbacks
// and resuming from a model folder.

#include <cmath>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "rl/checkpoint.h"
#include "rl/gae.h"
#include "rl/ppo_trainer.h"
#include "test_envs.h"

namespace daytrader::rl {
namespace {

using testing::ChainEnv;
using testing::ContextBanditEnv;
using testing::ScriptedEnv;

PpoConfig small_config(std::int64_t num_envs, std::int64_t n_steps, std::int64_t total) {
  PpoConfig c;  // SB3 defaults otherwise
  c.num_envs = num_envs;
  c.n_steps = n_steps;
  c.total_timesteps = total;
  c.seed = 7;
  c.torch_threads = 1;
  return c;
}

double prob_of(const Policy& p, const std::vector<float>& obs, int action) {
  std::vector<float> logits(p.num_actions());
  p.logits(obs, logits);
  return std::exp(log_prob_of(logits, action));
}

TEST(PpoTrainer, LearnsTheOptimalPolicyOfATwoStateBandit) {
  ContextBanditEnv env(2, 100, 16);
  PpoTrainer trainer(env, small_config(2, 128, 16384));
  const auto metrics = trainer.learn();
  ASSERT_EQ(metrics.size(), 64U);
  // The initial policy is near uniform (action head gain 0.01): entropy ~ ln 2.
  EXPECT_NEAR(-metrics.front().entropy_loss, std::log(2.0), 0.05);
  Policy policy = trainer.policy();
  const std::vector<float> s0{1, 0}, s1{0, 1};
  EXPECT_EQ(policy.act(s0, true), 0);
  EXPECT_EQ(policy.act(s1, true), 1);
  EXPECT_GT(prob_of(policy, s0, 0), 0.95);
  EXPECT_GT(prob_of(policy, s1, 1), 0.95);
  EXPECT_GT(metrics.back().ep_rew_mean, 0.9 * 16);
  EXPECT_EQ(metrics.back().episodes_in_window, 100);
  EXPECT_NEAR(metrics.back().ep_pnl_mean, 12.5 * metrics.back().ep_rew_mean, 1e-9);
}

TEST(PpoTrainer, LearnsToWalkRightOnAChain) {
  ChainEnv env(4, 5, 30);
  PpoTrainer trainer(env, small_config(4, 64, 12288));
  const auto metrics = trainer.learn();
  Policy policy = trainer.policy();
  for (std::size_t cell = 0; cell + 1 < 5; ++cell) {
    std::vector<float> obs(5, 0.0F);
    obs[cell] = 1.0F;
    EXPECT_EQ(policy.act(obs, true), 1) << "cell " << cell;
  }
  // Optimal: 4 steps, reward 1 - 3 * 0.01.
  EXPECT_NEAR(metrics.back().ep_rew_mean, 0.97, 0.03);
  EXPECT_NEAR(metrics.back().ep_len_mean, 4.0, 0.5);
  EXPECT_GT(metrics.back().explained_variance, 0.5);
}

TEST(PpoTrainer, SameSeedGivesIdenticalWeightsAndDifferentSeedDoesNot) {
  auto run = [](std::uint64_t seed) {
    ContextBanditEnv env(3, 1, 10, 3);
    PpoConfig c = small_config(3, 50, 300);  // 150 steps per rollout: partial minibatch of 22
    c.seed = seed;
    PpoTrainer t(env, c);
    t.learn();
    return std::make_pair(t.weights(), t.optimizer_state());
  };
  const auto a = run(123);
  const auto b = run(123);
  const auto c = run(124);
  EXPECT_TRUE(a.first == b.first);
  EXPECT_TRUE(a.second == b.second);
  EXPECT_FALSE(a.first == c.first);
}

TEST(PpoTrainer, RolloutBootstrapsTruncationOnlyAndMarksEpisodeStarts) {
  // env 0: episodes of 3 steps, terminated; env 1: episodes of 2 steps, truncated.
  ScriptedEnv env({3, 2}, {true, false});
  PpoConfig c = small_config(2, 8, 1000);
  c.gamma = 0.9;
  PpoTrainer trainer(env, c);
  ASSERT_TRUE(trainer.collect_rollout());
  const RolloutBuffer& buf = trainer.rollout_buffer();
  const Policy policy = trainer.policy();
  const std::vector<std::uint8_t> starts0{1, 0, 0, 1, 0, 0, 1, 0};
  const std::vector<std::uint8_t> starts1{1, 0, 1, 0, 1, 0, 1, 0};
  for (std::size_t t = 0; t < 8; ++t) {
    EXPECT_EQ(buf.episode_starts[t * 2], starts0[t]) << "t=" << t;
    EXPECT_EQ(buf.episode_starts[t * 2 + 1], starts1[t]) << "t=" << t;
    // Terminated episodes: the raw reward. Truncated ones: r + gamma * V(terminal obs [1, 2, 1]).
    EXPECT_EQ(buf.rewards[t * 2], 1.0F) << "t=" << t;
    if (t % 2 == 1) {
      std::vector<float> v(1);
      policy.values(std::vector<float>{1, 2, 1}, v);
      EXPECT_EQ(buf.rewards[t * 2 + 1], 2.0F + static_cast<float>(0.9) * v[0]) << "t=" << t;
    } else {
      EXPECT_EQ(buf.rewards[t * 2 + 1], 2.0F) << "t=" << t;
    }
    // Values stored are the rollout policy's values of the stored observations.
    std::vector<float> v(1);
    policy.values(std::span<const float>(buf.observations).subspan((t * 2 + 1) * 3, 3), v);
    EXPECT_EQ(buf.values[t * 2 + 1], v[0]);
  }
  EXPECT_EQ(buf.last_dones, (std::vector<std::uint8_t>{0, 1}));  // the last step ended env 1's episode only
  std::vector<float> adv(16), ret(16);
  compute_gae(GaeInput{8, 2, buf.rewards, buf.values, buf.episode_starts, buf.last_values, buf.last_dones, 0.9, 0.95},
              adv, ret);
  EXPECT_EQ(adv, buf.advantages);
  EXPECT_EQ(ret, buf.returns);
  EXPECT_EQ(trainer.timesteps(), 16);
}

TEST(PpoTrainer, OvershootsToWholeRolloutsAndCountsEpochsAndMinibatches) {
  ContextBanditEnv env(2, 3, 5);
  PpoConfig c = small_config(2, 50, 250);  // 100 steps per rollout; batch 64 -> 64 + 36
  c.n_epochs = 3;
  PpoTrainer trainer(env, c);
  const auto metrics = trainer.learn();
  ASSERT_EQ(metrics.size(), 3U);  // 100, 200, 300 >= 250
  EXPECT_EQ(trainer.timesteps(), 300);
  EXPECT_EQ(metrics.back().timesteps, 300);
  EXPECT_EQ(metrics.back().n_updates, 9);
  EXPECT_EQ(metrics.back().gradient_steps, 6);
  EXPECT_EQ(metrics.back().iteration, 3);
  EXPECT_EQ(metrics.back().learning_rate, 3e-4);
  EXPECT_GT(metrics.back().fps, 0.0);
}

TEST(PpoTrainer, LinearScheduleUsesProgressRemainingAfterTheRollout) {
  ContextBanditEnv env(1, 3, 5);
  PpoConfig c = small_config(1, 100, 400);
  c.lr_schedule = LrSchedule::kLinear;
  c.n_epochs = 1;
  PpoTrainer trainer(env, c);
  const auto m = trainer.learn();
  ASSERT_EQ(m.size(), 4U);
  EXPECT_DOUBLE_EQ(m[0].learning_rate, 3e-4 * 0.75);
  EXPECT_DOUBLE_EQ(m[3].learning_rate, 0.0);
}

TEST(PpoTrainer, TargetKlStopsBeforeTheStepThatExceedsIt) {
  ContextBanditEnv env(2, 3, 5);
  PpoConfig c = small_config(2, 128, 256);
  c.target_kl = 1e-9;
  c.learning_rate = 1e-2;
  PpoTrainer trainer(env, c);
  ASSERT_TRUE(trainer.collect_rollout());
  const PpoMetrics m = trainer.train();
  EXPECT_TRUE(m.early_stopped);
  EXPECT_GE(m.gradient_steps, 1);
  EXPECT_LT(m.gradient_steps, 4);  // stops in the first epoch (4 minibatches)
  EXPECT_EQ(m.n_updates, 1);       // the interrupted epoch is counted, as SB3 does
}

TEST(PpoTrainer, CallbacksReportProgressAndCanStopTraining) {
  ContextBanditEnv env(2, 3, 5);
  int progress_calls = 0;
  int updates = 0;
  PpoCallbacks cb;
  cb.progress_every_steps = 32;
  cb.on_progress = [&](const RolloutProgress& p) {
    ++progress_calls;
    EXPECT_EQ(p.rollout_steps_total, 128);
    EXPECT_GT(p.env_steps_per_s, 0.0);
    return true;
  };
  cb.on_update = [&](const PpoMetrics&) { return ++updates < 2; };
  PpoTrainer trainer(env, small_config(2, 64, 100000), cb);
  const auto m = trainer.learn();
  EXPECT_EQ(m.size(), 2U);
  EXPECT_EQ(progress_calls, 8);

  // An interval longer than the rollout still reports once per rollout; false aborts training.
  int calls = 0;
  PpoCallbacks rare;
  rare.progress_every_steps = 1000;
  rare.on_progress = [&](const RolloutProgress& p) {
    EXPECT_EQ(p.rollout_steps_done, 128);
    return ++calls < 3;
  };
  PpoTrainer stopped(env, small_config(2, 64, 100000), rare);
  EXPECT_EQ(stopped.learn().size(), 2U);  // the third rollout was aborted, so no third update
  EXPECT_EQ(calls, 3);
}

TEST(PpoTrainer, StopsWithAnErrorNamingTheUpdateWhenTrainingDiverges) {
  ContextBanditEnv env(2, 100, 16);
  auto c = small_config(2, 64, 1024);
  c.vf_coef = 1e300;
  PpoTrainer trainer(env, c);
  try {
    (void)trainer.learn();
    FAIL() << "a diverged update was accepted";
  } catch (const core::DaytraderError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("ppo: training diverged at update 1 (timestep 128):"), std::string::npos) << msg;
    EXPECT_NE(msg.find("ppo.vf_coef"), std::string::npos) << msg;
  }
}

TEST(PpoTrainer, RejectsAConfigThatDoesNotFitTheEnvironment) {
  ContextBanditEnv env(2, 3, 5);
  try {
    PpoTrainer t(env, small_config(4, 64, 1000));
    FAIL() << "accepted num_envs 4 for a 2-env VecEnv";
  } catch (const core::DaytraderError& e) {
    EXPECT_NE(std::string(e.what()).find("num_envs = 4"), std::string::npos) << e.what();
  }
  PpoConfig bad = small_config(2, 64, 1000);
  bad.batch_size = 1;
  EXPECT_THROW(PpoTrainer(env, bad), core::DaytraderError);
}

TEST(PpoTrainer, SaveAndLoadRestoreWeightsOptimiserAndCounters) {
  const auto dir = std::filesystem::temp_directory_path() / "daytrader_rl_test_trainer_folder";
  std::filesystem::remove_all(dir);
  ContextBanditEnv env_a(2, 3, 5);
  const PpoConfig c = small_config(2, 64, 100000);
  PpoTrainer a(env_a, c);
  (void)a.iterate();
  (void)a.iterate();
  a.save(dir);
  for (const char* f : {kPolicyFile, kConfigFile, kOptimizerFile, kTrainerStateFile}) {
    EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  }
  auto saved_config = load_ppo_config(dir);
  ASSERT_TRUE(saved_config.has_value());
  EXPECT_EQ(*saved_config, c);

  // Two fresh trainers resumed from the folder continue identically.
  ContextBanditEnv env_b(2, 50, 5), env_c(2, 50, 5);
  PpoTrainer b(env_b, *saved_config), d(env_c, *saved_config);
  b.load(dir);
  d.load(dir);
  EXPECT_TRUE(b.weights() == a.weights());
  EXPECT_TRUE(b.optimizer_state() == a.optimizer_state());
  EXPECT_EQ(b.timesteps(), a.timesteps());
  EXPECT_EQ(b.n_updates(), a.n_updates());
  EXPECT_EQ(b.iterations(), 2);
  (void)b.iterate();
  (void)d.iterate();
  EXPECT_TRUE(b.weights() == d.weights());
  EXPECT_EQ(b.optimizer_state().step, a.optimizer_state().step + 20);

  // The folder's policy acts exactly like the trainer's.
  Policy from_folder = load_policy(dir, 1);
  Policy from_trainer = a.policy();
  from_trainer.reseed(1);
  const std::vector<float> obs{0, 1};
  std::vector<float> l1(2), l2(2);
  from_folder.logits(obs, l1);
  from_trainer.logits(obs, l2);
  EXPECT_EQ(l1, l2);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(from_folder.act(obs, false), from_trainer.act(obs, false));

  // A network of another shape is refused with both shapes named.
  PpoConfig other = c;
  other.policy_hidden = {32, 32};
  PpoTrainer e(env_b, other);
  try {
    e.load(dir);
    FAIL() << "loaded a [64, 64] network into a [32, 32] trainer";
  } catch (const core::DaytraderError& err) {
    EXPECT_NE(std::string(err.what()).find("[64, 64]"), std::string::npos) << err.what();
  }
}

}  // namespace
}  // namespace daytrader::rl
