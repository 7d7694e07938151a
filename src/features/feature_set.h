#pragma once
// A named, versioned list of feature columns in a fixed order, with a stable 64-bit hash.
//
// Models and data sets record the feature set's name, version and hash; loading one against
// the other goes through check_compatible, so a model refuses rows whose columns mean something
// else (the original system fed live data with a different layout than it trained on).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "features/feature_config.h"

namespace daytrader::features {

// A setting that changes feature values, recorded as text so it can be hashed and shown.
struct FeatureParameter {
  std::string key;    // "profile.imbalance_ratio"
  std::string value;  // "3.000000": fixed formatting, so the hash does not depend on fmt's version
  bool operator==(const FeatureParameter&) const = default;
};

class FeatureSet {
 public:
  // Use by_name for the registered sets; constructing one directly is for tests and tools.
  FeatureSet(std::string name, int version, std::vector<std::string> columns,
             std::vector<FeatureParameter> parameters);

  // The registered set with this name, at its current version, with the parameters of config.
  // An error when the name is unknown or the config is invalid.
  [[nodiscard]] static core::Result<FeatureSet> by_name(std::string_view name,
                                                        const FeatureConfig& config = {});
  [[nodiscard]] static std::vector<std::string> registered_names();

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] int version() const noexcept { return version_; }
  [[nodiscard]] const std::vector<std::string>& columns() const noexcept { return columns_; }
  [[nodiscard]] std::size_t size() const noexcept { return columns_.size(); }
  [[nodiscard]] const std::vector<FeatureParameter>& parameters() const noexcept {
    return parameters_;
  }
  [[nodiscard]] std::optional<std::size_t> column_index(std::string_view column) const;

  // FNV-1a 64 over the name, version, columns and parameters (see docs/features.md for the
  // exact byte layout). Stable across runs, machines and compilers.
  [[nodiscard]] std::uint64_t hash() const noexcept { return hash_; }
  [[nodiscard]] std::string hash_hex() const;  // "0x" and 16 lower-case hex digits

  // Multi-line summary: name, version, hash, parameters and numbered columns.
  [[nodiscard]] std::string describe() const;

  // Called on the set a model was trained with, passing the set the data was built with.
  // Ok when they are the same; otherwise an error saying what each side used and what differs:
  // "model was trained on feature set footprint v1 (hash 0x...); data was built with feature
  // set footprint v1 (hash 0x...): parameter profile.imbalance_ratio is 3.000000 vs 2.500000".
  [[nodiscard]] core::Status check_compatible(const FeatureSet& data) const;

  bool operator==(const FeatureSet& o) const = default;

 private:
  std::string name_;
  int version_ = 0;
  std::vector<std::string> columns_;
  std::vector<FeatureParameter> parameters_;
  std::uint64_t hash_ = 0;
};

}  // namespace daytrader::features
