#pragma once
// The settings of feature computation. Every value here that changes a number is part of the
// FeatureSet hash, so a model trained with one setting refuses data built with another.

#include <string>

#include "core/result.h"
#include "core/session_calendar.h"
#include "features/bar_profile.h"

namespace daytrader::features {

struct FeatureConfig {
  // Name of a registered feature set (FeatureSet::by_name); "footprint" is the only one so far.
  std::string feature_set = "footprint";
  ProfileConfig profile;
  // Start of regular trading hours in exchange time; "minutes since RTH open" counts from it on
  // each bar's trade date. The original's session window opened at 08:30 CT as well.
  core::LocalTimeOfDay rth_open{8 * 60 + 30, 0};

  bool operator==(const FeatureConfig&) const = default;
};

// Ok, or an error naming the field, its value and the allowed range. Does not check that the
// feature set name is registered; FeatureSet::by_name does.
[[nodiscard]] core::Status validate(const FeatureConfig& config);

}  // namespace daytrader::features
