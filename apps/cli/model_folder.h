#pragma once
// The model folder that `train` writes and `backtest` (and later `live`) read: weights, optimiser
// state and PPO config (rl/checkpoint.h), the fitted scaler with its feature set, the effective
// run configuration, and metadata.json (data range, seed, versions).

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "config/run_config.h"
#include "features/scaler.h"

namespace daytrader::cli {

inline constexpr const char* kScalerFile = "scaler.json";
inline constexpr const char* kRunConfigFile = "run.toml";
inline constexpr const char* kMetadataFile = "metadata.json";

struct ModelFolder {
  std::filesystem::path dir;
  config::RunConfig config;
  features::Scaler scaler;
  nlohmann::json metadata;
};

// Loads everything but the weights (rl::load_policy reads those); fails naming the missing file.
[[nodiscard]] ModelFolder load_model_folder(const std::filesystem::path& dir);

}  // namespace daytrader::cli
