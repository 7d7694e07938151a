// Runs the sweep-file fuzz entry over every file of tests/fuzz/corpus/sweep_config/ and keeps the
// seeds current:
//   DT_UPDATE_GOLDEN=1 build/tests/fuzz/sweep_config_fuzz_corpus_test    # rewrites the seeds
// Seeds: configs/sweep.toml, a grid of every kind of value, a file without a grid, and one of each
// kind of error: syntax, unknown section and key, wrong type, missing keys, an empty axis, a grid
// value a run setting refuses.

#include <gtest/gtest.h>

#include <filesystem>

#include "config/sweep_config.h"
#include "corpus_test_support.h"
#include "fuzz_support.h"
#include "sweep_config_fuzz.h"

namespace daytrader::fuzz {
namespace {

testing::Seeds seeds() {
  std::map<std::string, std::string> text;
  text["valid-configs-sweep.toml"] =
      testing::to_string(testing::read_file(std::string(DAYTRADER_SOURCE_DIR) + "/configs/sweep.toml"));
  text["valid-every-kind-of-value.toml"] =
      "[sweep]\ndata = \"d.dtds\"\nout = \"runs/s\"\nset = [\"ppo.total_timesteps=4096\", \"train.seeds=2\"]\n"
      "[grid]\n\"ppo.ent_coef\" = [0.05, 0.1]\n\"ppo.n_steps\" = [64, 128]\n\"ppo.policy_hidden\" = [[64, 64], [32]]\n"
      "\"train.window\" = [\"expanding\", \"rolling\"]\n\"ppo.normalize_advantage\" = [true, false]\n";
  text["valid-no-grid.toml"] = "[sweep]\ndata = \"d.dtds\"\nout = \"o\"\n";
  text["broken-syntax.toml"] = "[sweep]\ndata = = \"d\"\n";
  text["broken-unknown-section.toml"] = "[sweep]\ndata = \"d\"\nout = \"o\"\n[grids]\n";
  text["broken-unknown-key.toml"] = "[sweep]\ndata = \"d\"\nout = \"o\"\nthreads = 4\n";
  text["broken-wrong-type.toml"] = "[sweep]\ndata = 3\nout = \"o\"\n";
  text["broken-missing-out.toml"] = "[sweep]\ndata = \"d\"\n";
  text["broken-empty-axis.toml"] = "[sweep]\ndata = \"d\"\nout = \"o\"\n[grid]\n\"ppo.ent_coef\" = []\n";
  text["broken-refused-value.toml"] = "[sweep]\ndata = \"d\"\nout = \"o\"\n[grid]\n\"ppo.n_steps\" = [64, -1]\n";
  text["broken-unknown-setting.toml"] = "[sweep]\ndata = \"d\"\nout = \"o\"\n[grid]\n\"ppo.n_stepz\" = [64]\n";
  testing::Seeds s;
  for (const auto& [name, t] : text) s[name] = testing::to_bytes(t);
  return s;
}

TEST(SweepConfigFuzzCorpus, SeedFilesAreCurrent) {
  testing::expect_seed_files("sweep_config", seeds());
}

TEST(SweepConfigFuzzCorpus, ValidSeedsGivePointsAndBrokenOnesDoNot) {
  // A sweep file's paths are relative to where the command runs: configs/sweep.toml names
  // configs/quickstart.toml from the repository's root.
  const auto previous = std::filesystem::current_path();
  std::filesystem::current_path(DAYTRADER_SOURCE_DIR);
  for (const auto& [name, bytes] : seeds()) {
    const MemFile file(testing::to_string(bytes), "sweep.toml");
    auto c = config::load_sweep_config(file.path(), {});
    const bool ok = c && config::sweep_points(*c).has_value();
    EXPECT_EQ(ok, name.starts_with("valid-")) << name;
  }
  std::filesystem::current_path(previous);
}

TEST(SweepConfigFuzzCorpus, EveryCorpusFileRunsThroughTheFuzzEntry) {
  testing::expect_corpus_runs("sweep_config", &sweep_config_fuzz_one_input, seeds().size());
}

}  // namespace
}  // namespace daytrader::fuzz
