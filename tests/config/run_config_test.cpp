#include "config/run_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace daytrader::config {
namespace {

TEST(RunConfig, DefaultsAreSb3AndTheOriginalSystems) {
  auto c = parse_run_config("", "run.toml", {});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->ppo.n_steps, 2048);
  EXPECT_EQ(c->ppo.batch_size, 64);
  EXPECT_EQ(c->ppo.n_epochs, 10);
  EXPECT_DOUBLE_EQ(c->ppo.learning_rate, 3e-4);
  EXPECT_EQ(c->env.bracket.target_ticks, 10);
  EXPECT_EQ(c->env.starting_balance_cents, 5'000'000);
  EXPECT_EQ(c->train.folds, 2);
}

TEST(RunConfig, ReadsEverySectionAndAppliesOverridesLast) {
  const char* text = R"(
[env]
window_start = "09:00"
window_end = "14:00:30"
slippage_ticks = 2
commission_per_side = 2.05
reward = "original"

[ppo]
n_steps = 256
num_envs = 16
learning_rate = 1e-3
lr_schedule = "linear"
target_kl = 0.02
policy_hidden = [32, 32]

[train]
folds = 3
scaler = "standard"
)";
  auto c = parse_run_config(text, "run.toml", {"ppo.n_steps=512", "env.reward=equity", "ppo.target_kl=false"});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->env.window_start.minutes, 9 * 60);
  EXPECT_EQ(c->env.window_end.seconds, 30);
  EXPECT_EQ(c->env.slippage_ticks, 2);
  EXPECT_EQ(c->env.commission_per_side_cents, 205);
  EXPECT_EQ(c->env.reward, env::RewardKind::kEquityChange);
  EXPECT_EQ(c->ppo.n_steps, 512);
  EXPECT_EQ(c->ppo.num_envs, 16);
  EXPECT_EQ(c->ppo.lr_schedule, rl::LrSchedule::kLinear);
  EXPECT_FALSE(c->ppo.target_kl.has_value());
  EXPECT_EQ(c->ppo.policy_hidden, (std::vector<std::int64_t>{32, 32}));
  EXPECT_EQ(c->train.folds, 3);
  EXPECT_EQ(c->train.scaler, features::ScalerKind::kStandard);
}

TEST(RunConfig, ErrorsCiteFileLineColumnAndKey) {
  struct Row { const char* text; std::vector<std::string> overrides; const char* expected; };
  const Row rows[] = {
      {"[env]\nslipage_ticks = 1\n", {}, "run.toml:2:1: unknown key env.slipage_ticks (known: window_start"},
      {"[env]\nslippage_ticks = \"one\"\n", {}, "run.toml:2:18: env.slippage_ticks: expected an integer, got \"one\""},
      {"[ppo]\nn_steps = -5\n", {}, "run.toml:2:11: ppo.n_steps: -5 is outside 1..1000000"},
      {"[env]\ncommission_per_side = 2.005\n", {}, "env.commission_per_side: 2.005 is not a dollar amount in whole cents"},
      {"[envv]\nx = 1\n", {}, "run.toml:1:2: unknown section [envv]"},
      {"[env]\nwindow_start = \"8:30\"\n", {}, "env.window_start: \"8:30\" is not a time like 08:30"},
      {"[env\n", {}, "run.toml:1:"},
      {"", {"ppo.n_step=5"}, "--set ppo.n_step=5: unknown key ppo.n_step"},
      {"", {"ppo.n_steps"}, "--set ppo.n_steps: expected section.key=value"},
      {"", {"train.scaler=robust"}, "--set train.scaler=robust: "},
  };
  for (const Row& r : rows) {
    auto c = parse_run_config(r.text, "run.toml", r.overrides);
    ASSERT_FALSE(c) << r.text;
    EXPECT_NE(c.error().message.find(r.expected), std::string::npos) << c.error().message;
  }
}

TEST(RunConfig, RejectsInvalidCombinationsThroughValidation) {
  auto c = parse_run_config("[ppo]\nbatch_size = 1\n", "run.toml", {});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("batch_size"), std::string::npos) << c.error().message;
}

TEST(RunConfig, RefusesADirectoryAsTheConfigFile) {
  const auto dir = std::filesystem::temp_directory_path() / "dt_run_config_dir";
  std::filesystem::create_directories(dir);
  auto c = load_run_config(dir.string(), {});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, dir.string() + ": is a directory, expected a TOML file");
  std::filesystem::remove_all(dir);
}

TEST(RunConfig, RefusesAnOverrideWithALineBreak) {
  for (const std::string o : {"ppo.n_steps=256\nn_epochs = 3", "ppo.n_steps=256\r\nx=1", "ppo.n_steps=256\n"}) {
    auto c = parse_run_config("", "run.toml", {o});
    ASSERT_FALSE(c) << o;
    EXPECT_NE(c.error().message.find("--set ppo.n_steps: the value contains a line break or NUL"), std::string::npos)
        << c.error().message;
  }
}

TEST(RunConfig, RefusesSettingsThatWouldExhaustMemoryNamingThem) {
  auto wide = parse_run_config("", "run.toml", {"ppo.policy_hidden=[65536, 65536]"});
  ASSERT_FALSE(wide);
  EXPECT_NE(wide.error().message.find("policy_hidden = [65536, 65536] is invalid"), std::string::npos)
      << wide.error().message;
  auto long_rollout = parse_run_config("", "run.toml", {"ppo.n_steps=1000000", "ppo.num_envs=4096"});
  ASSERT_FALSE(long_rollout);
  EXPECT_NE(long_rollout.error().message.find("n_steps = 1000000 is invalid: expected n_steps * num_envs <="),
            std::string::npos) << long_rollout.error().message;
}

TEST(RunConfig, TheEffectiveTomlParsesBackToTheSameConfig) {
  auto c = parse_run_config("[ppo]\nn_steps = 128\ntarget_kl = 0.03\n[env]\ncommission_per_side = 1.1\n", "a.toml", {});
  ASSERT_TRUE(c) << c.error().message;
  const std::string text = to_toml(*c);
  auto back = parse_run_config(text, "effective.toml", {});
  ASSERT_TRUE(back) << back.error().message << "\n" << text;
  EXPECT_EQ(to_toml(*back), text);
  EXPECT_EQ(back->ppo, c->ppo);
  EXPECT_EQ(back->env.commission_per_side_cents, 110);
  EXPECT_EQ(back->train, c->train);
}

}  // namespace
}  // namespace daytrader::config
