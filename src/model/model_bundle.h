#pragma once
// The model folder that `train` writes and `backtest` and `live` read, loaded in one place:
// weights and PPO config (rl/checkpoint.h), the fitted scaler with its feature set, the effective
// run configuration (the environment settings the trading rules need), and metadata.json (data
// range, bar spec, seed, versions).

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "bars/bar_spec.h"
#include "config/run_config.h"
#include "core/instrument.h"
#include "features/feature_config.h"
#include "features/scaler.h"
#include "rl/policy.h"

namespace daytrader::model {

inline constexpr const char* kScalerFile = "scaler.json";
inline constexpr const char* kRunConfigFile = "run.toml";
inline constexpr const char* kMetadataFile = "metadata.json";

struct ModelBundle {
  std::filesystem::path dir;
  config::RunConfig config;
  features::Scaler scaler;
  nlohmann::json metadata;
  // What the model was trained on, from metadata.json and the scaler's feature set:
  bars::BarSpec bar;                 // dataset.bar
  core::Instrument instrument;       // instrument (ES for folders written before it was recorded)
  features::FeatureConfig features;  // the feature set's parameters, re-checked against its hash

  // Each refuses a mismatch with a message naming the folder and both values.
  [[nodiscard]] core::Status check_feature_set(const features::FeatureSet& data) const;
  [[nodiscard]] core::Status check_bar_spec(const bars::BarSpec& data) const;
  [[nodiscard]] core::Status check_instrument(const core::Instrument& data) const;
  // All three (the instrument first) against the data's.
  [[nodiscard]] core::Status check_data(const features::FeatureSet& feature_set, const bars::BarSpec& bar,
                                        const core::Instrument& instrument) const;

  // The policy, ready to act (throws core::DaytraderError when the weights are missing or do not
  // fit the feature set's observation).
  [[nodiscard]] rl::Policy load_policy(std::uint64_t seed) const;
};

// The instrument as metadata.json records it.
[[nodiscard]] nlohmann::json instrument_json(const core::Instrument& instrument);

// Loads everything but the weights (rl::load_policy reads those). Throws core::DaytraderError
// naming the folder and the missing or bad file.
[[nodiscard]] ModelBundle load_model_bundle(const std::filesystem::path& dir);

}  // namespace daytrader::model
