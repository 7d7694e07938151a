#pragma once
// The sweep file of `daytrader sweep` (train/sweep.h): a base run configuration, overrides, and a
// grid of settings whose every combination is one point of the sweep. Torch-free, so the command
// line reads and checks it before the training plugin is loaded.
//
//   [sweep]
//   data = "data/ES-synthetic-1m.dtds"     # the dataset (required)
//   run_config = "configs/quickstart.toml" # the base run configuration ("" = defaults)
//   out = "runs/sweep"                     # the sweep folder (required)
//   set = ["ppo.total_timesteps=200_000"]  # overrides of the base, as --set takes them
//   [grid]                                 # every combination of these is one setting ("point")
//   "ppo.ent_coef" = [0.05, 0.1]
//   "ppo.learning_rate" = [3e-4, 1e-4]
//
// Paths are relative to the directory the command runs in.

#include <cstddef>
#include <string>
#include <vector>

#include "config/run_config.h"
#include "core/result.h"

namespace daytrader::config {

struct SweepAxis {
  std::string key;                  // "ppo.ent_coef"
  std::vector<std::string> values;  // as --set takes them: "0.05", "[64, 64]", "\"rolling\""
};

struct SweepConfig {
  std::string source;               // the sweep file, for messages
  std::string data;
  std::string run_config;
  std::string out;
  std::vector<std::string> sets;    // the base overrides
  std::vector<SweepAxis> grid;
};

// Reads and checks a sweep file: unknown keys, missing or empty values are errors naming the file,
// line and key. `extra_sets` (the command line's --set) are applied after the file's.
[[nodiscard]] core::Result<SweepConfig> load_sweep_config(const std::string& path, const std::vector<std::string>& extra_sets);

// One setting of the grid: its overrides (base sets first) and its effective configuration.
struct SweepPoint {
  std::size_t number = 1;                // 1-based
  std::vector<std::string> grid_sets;    // "ppo.ent_coef=0.05", ... (the grid part only)
  RunConfig run;
  [[nodiscard]] std::string label() const;  // "ppo.ent_coef=0.05 ppo.learning_rate=0.0003" ("base" without a grid)
};
// Every combination of the grid, the first axis varying slowest. Errors name the point and value.
[[nodiscard]] core::Result<std::vector<SweepPoint>> sweep_points(const SweepConfig& config);

}  // namespace daytrader::config
