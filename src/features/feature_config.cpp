#include "features/feature_config.h"

#include <fmt/format.h>

namespace daytrader::features {

core::Status validate(const FeatureConfig& config) {
  if (auto status = validate(config.profile); !status) return status;
  const auto& tod = config.rth_open;
  if (tod.minutes < 0 || tod.minutes >= 24 * 60 || tod.seconds < 0 || tod.seconds > 59)
    return core::Error{fmt::format("features.rth_open: {} is not a time of day in 00:00:00..23:59:59",
                                   tod.to_string())};
  return {};
}

}  // namespace daytrader::features
