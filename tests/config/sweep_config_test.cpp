#include "config/sweep_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

namespace daytrader::config {
namespace {

// Writes `text` to a file of its own in the test's temporary folder and returns its path.
std::string write_sweep(const std::string& name, const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() / "daytrader_sweep_config_test";
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  std::ofstream(path) << text;
  return path.string();
}

TEST(SweepConfig, ReadsTheSweepAndEveryCombinationOfTheGrid) {
  const auto path = write_sweep("grid.toml", R"(
[sweep]
data = "data/m.dtds"
out = "runs/s"
set = ["ppo.total_timesteps=4096", "train.seeds=2"]
[grid]
"ppo.ent_coef" = [0.05, 0.1]
"ppo.policy_hidden" = [[64, 64], [32]]
"train.window" = ["expanding", "rolling"]
)");
  auto c = load_sweep_config(path, {"ppo.n_steps=128"});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->data, "data/m.dtds");
  EXPECT_EQ(c->out, "runs/s");
  EXPECT_EQ(c->run_config, "");
  ASSERT_EQ(c->sets.size(), 3U);
  EXPECT_EQ(c->sets.back(), "ppo.n_steps=128");  // the command line's --set after the file's
  ASSERT_EQ(c->grid.size(), 3U);
  // Values as --set takes them: the shortest text of a double, arrays, strings quoted (TOML's
  // literal strings, as toml++ writes them).
  EXPECT_EQ(c->grid[0].values, (std::vector<std::string>{"0.05", "0.1"}));
  EXPECT_EQ(c->grid[1].values, (std::vector<std::string>{"[64, 64]", "[32]"}));
  EXPECT_EQ(c->grid[2].values, (std::vector<std::string>{"'expanding'", "'rolling'"}));

  auto points = sweep_points(*c);
  ASSERT_TRUE(points) << points.error().message;
  ASSERT_EQ(points->size(), 8U);
  // The first axis varies slowest; every point carries the base settings and its own.
  EXPECT_EQ((*points)[0].label(), "ppo.ent_coef=0.05 ppo.policy_hidden=[64, 64] train.window='expanding'");
  EXPECT_EQ((*points)[7].label(), "ppo.ent_coef=0.1 ppo.policy_hidden=[32] train.window='rolling'");
  EXPECT_EQ((*points)[1].number, 2U);
  EXPECT_DOUBLE_EQ((*points)[0].run.ppo.ent_coef, 0.05);
  EXPECT_DOUBLE_EQ((*points)[7].run.ppo.ent_coef, 0.1);
  EXPECT_EQ((*points)[7].run.ppo.policy_hidden, (std::vector<std::int64_t>{32}));
  EXPECT_EQ((*points)[1].run.train.window, backtest::WindowScheme::kRolling);
  for (const auto& p : *points) {
    EXPECT_EQ(p.run.ppo.total_timesteps, 4096);
    EXPECT_EQ(p.run.ppo.n_steps, 128);
    EXPECT_EQ(p.run.train.seeds, 2);
  }
}

TEST(SweepConfig, WithoutAGridIsOnePointOfTheBase) {
  auto c = load_sweep_config(write_sweep("base.toml", "[sweep]\ndata = \"d\"\nout = \"o\"\n"), {});
  ASSERT_TRUE(c) << c.error().message;
  auto points = sweep_points(*c);
  ASSERT_TRUE(points) << points.error().message;
  ASSERT_EQ(points->size(), 1U);
  EXPECT_EQ(points->front().label(), "base");
}

TEST(SweepConfig, ErrorsNameTheFileTheKeyAndTheValue) {
  struct Row {
    const char* text;
    const char* expected;  // part of the message
  };
  const Row rows[] = {
      {"[sweep]\nout = \"o\"\n", "sweep.data is missing"},
      {"[sweep]\ndata = \"d\"\n", "sweep.out is missing"},
      {"[sweep]\ndata = \"d\"\nout = \"o\"\nthreads = 4\n", ":4:11: unknown key sweep.threads"},
      {"[sweep]\ndata = 3\nout = \"o\"\n", "sweep.data: expected a string"},
      {"[sweep]\ndata = \"d\"\nout = \"o\"\nset = \"ppo.seed=1\"\n", "sweep.set: expected a list of strings"},
      {"[sweep]\ndata = \"d\"\nout = \"o\"\n[grid]\n\"ppo.ent_coef\" = []\n", "grid.\"ppo.ent_coef\": expected a non-empty list"},
      {"[sweep]\ndata = \"d\"\nout = \"o\"\n[grids]\n", "unknown section grids"},
      {"[sweep]\ndata = \"d\"\nout = \"o\"\n[grid]\n\"ppo.ent_coeff\" = [0.1]\n", "point 1 (ppo.ent_coeff=0.1): --set ppo.ent_coeff=0.1: unknown key"},
      {"[sweep]\ndata = \"d\"\nout = \"o\"\n[grid]\n\"ppo.n_steps\" = [64, -1]\n", "point 2 (ppo.n_steps=-1)"},
      {"[sweep]\ndata = \"d\"\nout = \"o\"\nrun_config = \"no-such-run.toml\"\n", "no-such-run.toml"},
  };
  int i = 0;
  for (const auto& row : rows) {
    const auto path = write_sweep(fmt::format("bad_{}.toml", i++), row.text);
    auto c = load_sweep_config(path, {});
    std::string message;
    if (!c) {
      message = c.error().message;
    } else {
      auto points = sweep_points(*c);
      ASSERT_FALSE(points) << "accepted: " << row.text;
      message = points.error().message;
    }
    EXPECT_NE(message.find(row.expected), std::string::npos) << "for:\n" << row.text << "got: " << message;
    EXPECT_NE(message.find(path), std::string::npos) << "the file is not named: " << message;
  }
}

// A device or a huge file named as a configuration is refused, not read into memory whole.
TEST(SweepConfig, AFileLargerThanAConfigurationIsRefusedUnread) {
  auto c = load_sweep_config("/dev/zero", {});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("/dev/zero: larger than 1048576 bytes"), std::string::npos) << c.error().message;
  auto run = load_run_config("/dev/zero", {});
  ASSERT_FALSE(run);
  EXPECT_NE(run.error().message.find("/dev/zero: larger than"), std::string::npos) << run.error().message;
}

}  // namespace
}  // namespace daytrader::config
