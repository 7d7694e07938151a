// Runs the run-configuration fuzz entry over every file of tests/fuzz/corpus/run_config/ and
// keeps the seeds current:
//   DT_UPDATE_GOLDEN=1 build/tests/fuzz/run_config_fuzz_corpus_test    # rewrites the seeds
// Seeds: configs/quickstart.toml, the effective TOML of the defaults (config::to_toml), a file
// with every section and overrides after it, and one of each kind of error: syntax, unknown
// section and key, wrong type, out of range, a combination validation refuses, a malformed or
// multi-line --set.

#include <gtest/gtest.h>

#include "config/run_config.h"
#include "corpus_test_support.h"
#include "run_config_fuzz.h"

namespace daytrader::fuzz {
namespace {

const std::string kFull = R"([env]
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
clip_range_vf = false
policy_hidden = [32, 32]

[train]
folds = 3
scaler = "standard"
)";

testing::Seeds seeds() {
  std::map<std::string, std::string> text;
  text["valid-quickstart.toml"] =
      testing::to_string(testing::read_file(std::string(DAYTRADER_SOURCE_DIR) + "/configs/quickstart.toml"));
  auto defaults = config::load_run_config("", {});
  EXPECT_TRUE(defaults) << defaults.error().message;
  text["valid-effective-defaults.toml"] = config::to_toml(*defaults);
  text["valid-every-section-with-overrides.toml"] =
      kFull +
      "--set ppo.n_steps=512\n--set env.reward=equity\n--set ppo.target_kl=false\n"
      "--set ppo.policy_hidden=[8, 8, 8]\n--set env.window_start=08:45";
  text["valid-overrides-only.toml"] = "\n--set train.folds=4\n--set ppo.seed=7";
  text["broken-syntax.toml"] = "[ppo]\nn_steps = = 3\n";
  text["broken-unknown-section.toml"] = "[envv]\ntarget_ticks = 10\n";
  text["broken-unknown-key.toml"] = "[env]\nslipage_ticks = 1\n";
  text["broken-wrong-type.toml"] = "[ppo]\nn_steps = \"many\"\n";
  text["broken-out-of-range.toml"] = "[ppo]\nnum_envs = 100000\n";
  text["broken-not-whole-cents.toml"] = "[env]\ncommission_per_side = 2.255\n";
  text["broken-bad-time.toml"] = "[env]\nwindow_start = \"25:00\"\n";
  text["broken-validation.toml"] = "[ppo]\nn_steps = 1000000\nnum_envs = 4096\n";
  text["broken-hidden-too-large.toml"] = "[ppo]\npolicy_hidden = [65536, 65536, 65536]\n";
  text["broken-set-malformed.toml"] = kFull + "--set ppo_n_steps";
  text["broken-set-line-break.toml"] = kFull + "--set ppo.seed=1\n[env]\nx=1";
  text["broken-set-unknown.toml"] = kFull + "--set ppo.n_stepz=3";
  testing::Seeds s;
  for (const auto& [name, t] : text) s[name] = testing::to_bytes(t);
  return s;
}

TEST(RunConfigFuzzCorpus, SeedFilesAreCurrent) {
  testing::expect_seed_files("run_config", seeds());
}

TEST(RunConfigFuzzCorpus, ValidSeedsLoadAndBrokenOnesDoNot) {
  for (const auto& [name, bytes] : seeds()) {
    const std::string text = testing::to_string(bytes);
    const auto in = split_run_config_input(text);
    auto c = config::parse_run_config(in.file, name, in.overrides);
    if (name.starts_with("valid-"))
      EXPECT_TRUE(c) << name << ": " << c.error().message;
    else
      EXPECT_FALSE(c) << name;
  }
}

TEST(RunConfigFuzzCorpus, EveryCorpusFileRunsThroughTheFuzzEntry) {
  testing::expect_corpus_runs("run_config", &run_config_fuzz_one_input, seeds().size());
}

}  // namespace
}  // namespace daytrader::fuzz
