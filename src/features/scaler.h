#pragma once
// Column scaling of feature rows, fitted on the training fold only and saved with the model, so
// that training, evaluation, backtests and live trading feed the policy identical numbers (the
// original trained on unscaled features and traded on scaled ones).
//
// - kMinMax (the original's MinMaxScaler): (x - min) / (max - min), [0, 1] on the fitted rows;
//   values outside the fitted range map outside [0, 1] (no clipping).
// - kStandard (z-score): (x - mean) / std, population std (ddof 0, as scikit-learn).
// - A column that was constant in the fitted rows maps every value to 0 in both kinds.
//
// Statistics are computed in double; transform computes (double(x) - offset) / scale and rounds
// to float once. NaN and infinite values are rejected, in fit and in transform, naming the row
// and column. The JSON form records the feature set (name, version, columns, parameters, hash)
// and the statistics with round-trip precision, so a loaded scaler transforms bit-identically.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "features/feature_set.h"

namespace daytrader::features {

enum class ScalerKind : std::uint8_t { kMinMax = 0, kStandard = 1 };

[[nodiscard]] std::string_view to_string(ScalerKind kind) noexcept;
// "minmax" or "standard".
[[nodiscard]] core::Result<ScalerKind> parse_scaler_kind(std::string_view text);

class Scaler {
 public:
  // Fits on `rows`: row-major, rows.size() / feature_set.size() rows of feature_set.size() values.
  // Errors: no rows, a size that is not a whole number of rows, a NaN or infinite value.
  [[nodiscard]] static core::Result<Scaler> fit(ScalerKind kind, const FeatureSet& feature_set,
                                                std::span<const float> rows);

  // Scales whole rows in place. Errors (naming row and column) on NaN or infinite input or a size
  // that is not a whole number of rows; on error the rows before the bad one are already scaled.
  [[nodiscard]] core::Status transform(std::span<float> rows) const;

  // Refuses rows built with another feature set than the one this scaler was fitted on.
  [[nodiscard]] core::Status check_feature_set(const FeatureSet& data) const;

  [[nodiscard]] std::string to_json() const;
  // `source` names the text's origin in error messages (a path, "scaler.json").
  [[nodiscard]] static core::Result<Scaler> from_json(std::string_view text,
                                                      std::string_view source = "scaler");
  [[nodiscard]] core::Status save(const std::string& path) const;
  [[nodiscard]] static core::Result<Scaler> load(const std::string& path);

  [[nodiscard]] ScalerKind kind() const noexcept { return kind_; }
  [[nodiscard]] const FeatureSet& feature_set() const noexcept { return feature_set_; }
  [[nodiscard]] std::size_t size() const noexcept { return feature_set_.size(); }
  [[nodiscard]] std::uint64_t rows_fitted() const noexcept { return rows_fitted_; }
  // Fitted statistics per column: min and max (kMinMax) or mean and std (kStandard).
  [[nodiscard]] const std::vector<double>& first_stat() const noexcept { return a_; }
  [[nodiscard]] const std::vector<double>& second_stat() const noexcept { return b_; }
  // x' = (x - offset) / scale, or 0 for a column that was constant in the fitted rows.
  [[nodiscard]] const std::vector<double>& offsets() const noexcept { return offset_; }
  [[nodiscard]] const std::vector<double>& scales() const noexcept { return scale_; }
  [[nodiscard]] bool is_constant(std::size_t column) const noexcept { return constant_[column] != 0; }

  bool operator==(const Scaler&) const = default;

 private:
  Scaler(ScalerKind kind, FeatureSet fs, std::uint64_t rows, std::vector<double> a, std::vector<double> b,
         std::vector<std::uint8_t> constant);

  ScalerKind kind_;
  FeatureSet feature_set_;
  std::uint64_t rows_fitted_ = 0;
  std::vector<double> a_, b_;
  std::vector<std::uint8_t> constant_;
  std::vector<double> offset_, scale_;
};

}  // namespace daytrader::features
