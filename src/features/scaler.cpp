#include "features/scaler.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace daytrader::features {

namespace {

constexpr std::string_view kFormat = "daytrader.scaler";
constexpr int kFormatVersion = 1;

std::string value_text(float v) {
  return fmt::format("{}", v);
}

core::Status check_shape(std::string_view what, const FeatureSet& fs, std::size_t n_values) {
  if (fs.size() == 0)
    return core::Error{
        fmt::format("scaler {}: feature set {} v{} has no columns", what, fs.name(), fs.version())};
  if (n_values % fs.size() != 0)
    return core::Error{
        fmt::format("scaler {}: {} values is not a whole number of rows of {} features ({} v{})", what,
                    n_values, fs.size(), fs.name(), fs.version())};
  return {};
}

core::Error not_finite(std::string_view what, const FeatureSet& fs, std::size_t row, std::size_t col,
                       float v) {
  return core::Error{
      fmt::format("scaler {}: row {}, column {} ({}): value {} is not finite; expected a finite number", what,
                  row, col, fs.columns()[col], value_text(v))};
}

}  // namespace

std::string_view to_string(ScalerKind kind) noexcept {
  return kind == ScalerKind::kMinMax ? "minmax" : "standard";
}

core::Result<ScalerKind> parse_scaler_kind(std::string_view text) {
  if (text == "minmax") return ScalerKind::kMinMax;
  if (text == "standard") return ScalerKind::kStandard;
  return core::Error{
      fmt::format("scaler kind \"{}\" is not known; expected \"minmax\" or \"standard\"", text)};
}

Scaler::Scaler(ScalerKind kind, FeatureSet fs, std::uint64_t rows, std::vector<double> a,
               std::vector<double> b, std::vector<std::uint8_t> constant)
    : kind_(kind),
      feature_set_(std::move(fs)),
      rows_fitted_(rows),
      a_(std::move(a)),
      b_(std::move(b)),
      constant_(std::move(constant)) {
  // One place derives offset and scale from the statistics, for fit and for from_json alike.
  const std::size_t n = feature_set_.size();
  offset_.assign(n, 0.0);
  scale_.assign(n, 1.0);
  for (std::size_t c = 0; c < n; ++c) {
    if (constant_[c] != 0) continue;
    offset_[c] = a_[c];
    scale_[c] = kind_ == ScalerKind::kMinMax ? b_[c] - a_[c] : b_[c];
  }
}

core::Result<Scaler> Scaler::fit(ScalerKind kind, const FeatureSet& fs, std::span<const float> rows) {
  if (auto st = check_shape("fit", fs, rows.size()); !st) return st.error();
  const std::size_t n_cols = fs.size();
  const std::size_t n_rows = rows.size() / n_cols;
  if (n_rows == 0)
    return core::Error{
        fmt::format("scaler fit: no rows to fit on (feature set {} v{})", fs.name(), fs.version())};
  std::vector<double> lo(n_cols, 0.0), hi(n_cols, 0.0), sum(n_cols, 0.0);
  for (std::size_t r = 0; r < n_rows; ++r) {
    const float* row = rows.data() + r * n_cols;
    for (std::size_t c = 0; c < n_cols; ++c) {
      const float v = row[c];
      if (!std::isfinite(v)) return not_finite("fit", fs, r, c, v);
      const double d = v;
      if (r == 0 || d < lo[c]) lo[c] = d;
      if (r == 0 || d > hi[c]) hi[c] = d;
      sum[c] += d;
    }
  }
  std::vector<std::uint8_t> constant(n_cols, 0);
  for (std::size_t c = 0; c < n_cols; ++c) constant[c] = lo[c] == hi[c] ? 1 : 0;
  if (kind == ScalerKind::kMinMax)
    return Scaler(kind, fs, n_rows, std::move(lo), std::move(hi), std::move(constant));

  std::vector<double> mean(n_cols), sq(n_cols, 0.0);
  for (std::size_t c = 0; c < n_cols; ++c) mean[c] = sum[c] / static_cast<double>(n_rows);
  for (std::size_t r = 0; r < n_rows; ++r) {
    const float* row = rows.data() + r * n_cols;
    for (std::size_t c = 0; c < n_cols; ++c) {
      const double d = static_cast<double>(row[c]) - mean[c];
      sq[c] += d * d;
    }
  }
  std::vector<double> stdev(n_cols);
  for (std::size_t c = 0; c < n_cols; ++c) {
    stdev[c] = std::sqrt(sq[c] / static_cast<double>(n_rows));
    // Distinct values whose spread underflows: treat as constant rather than divide by zero.
    if (!(stdev[c] > 0.0)) constant[c] = 1;
  }
  return Scaler(kind, fs, n_rows, std::move(mean), std::move(stdev), std::move(constant));
}

core::Status Scaler::transform(std::span<float> rows) const {
  if (auto st = check_shape("transform", feature_set_, rows.size()); !st) return st;
  const std::size_t n_cols = feature_set_.size();
  const std::size_t n_rows = rows.size() / n_cols;
  for (std::size_t r = 0; r < n_rows; ++r) {
    float* row = rows.data() + r * n_cols;
    for (std::size_t c = 0; c < n_cols; ++c) {
      const float v = row[c];
      if (!std::isfinite(v)) return not_finite("transform", feature_set_, r, c, v);
      row[c] =
          constant_[c] != 0 ? 0.0F : static_cast<float>((static_cast<double>(v) - offset_[c]) / scale_[c]);
    }
  }
  return {};
}

core::Status Scaler::check_feature_set(const FeatureSet& data) const {
  if (auto st = feature_set_.check_compatible(data); !st)
    return core::Error{fmt::format("scaler: {}", st.error().message)};
  return {};
}

std::string Scaler::to_json() const {
  nlohmann::json params = nlohmann::json::array();
  for (const auto& p : feature_set_.parameters()) params.push_back({{"key", p.key}, {"value", p.value}});
  nlohmann::json cols = nlohmann::json::array();
  const bool minmax = kind_ == ScalerKind::kMinMax;
  for (std::size_t c = 0; c < size(); ++c) {
    nlohmann::json col = {{"name", feature_set_.columns()[c]}};
    col[minmax ? "min" : "mean"] = a_[c];
    col[minmax ? "max" : "std"] = b_[c];
    col["constant"] = constant_[c] != 0;
    cols.push_back(std::move(col));
  }
  const nlohmann::json j = {
      {"format", kFormat},
      {"format_version", kFormatVersion},
      {"kind", to_string(kind_)},
      {"rows_fitted", rows_fitted_},
      {"feature_set",
       {{"name", feature_set_.name()},
        {"version", feature_set_.version()},
        {"hash", feature_set_.hash_hex()},
        {"columns", feature_set_.columns()},
        {"parameters", params}}},
      {"columns", cols},
  };
  return j.dump(2) + "\n";
}

core::Result<Scaler> Scaler::from_json(std::string_view text, std::string_view source) {
  auto fail = [&](const std::string& what) { return core::Error{fmt::format("{}: {}", source, what)}; };
  try {
    const auto j = nlohmann::json::parse(text);
    if (j.at("format").get<std::string>() != kFormat)
      return fail(
          fmt::format("format is \"{}\", expected \"{}\"", j.at("format").get<std::string>(), kFormat));
    const int version = j.at("format_version").get<int>();
    if (version != kFormatVersion)
      return fail(fmt::format("format_version is {}, this build reads version {}", version, kFormatVersion));
    auto kind = parse_scaler_kind(j.at("kind").get<std::string>());
    if (!kind) return fail(kind.error().message);
    const auto& jf = j.at("feature_set");
    std::vector<FeatureParameter> params;
    for (const auto& p : jf.at("parameters"))
      params.push_back({p.at("key").get<std::string>(), p.at("value").get<std::string>()});
    const int fs_version = jf.at("version").get<int>();
    if (fs_version < 1) return fail(fmt::format("feature_set.version is {}, expected >= 1", fs_version));
    auto fs_columns = jf.at("columns").get<std::vector<std::string>>();
    if (fs_columns.empty()) return fail("feature_set.columns is empty, expected at least one column");
    FeatureSet fs(jf.at("name").get<std::string>(), fs_version, std::move(fs_columns), std::move(params));
    const auto hash = jf.at("hash").get<std::string>();
    if (hash != fs.hash_hex())
      return fail(
          fmt::format("feature_set.hash is {}, but the recorded set {} v{} hashes to {}: edited or corrupt",
                      hash, fs.name(), fs.version(), fs.hash_hex()));
    const auto& cols = j.at("columns");
    if (!cols.is_array() || cols.size() != fs.size())
      return fail(
          fmt::format("columns has {} entries, expected {} (one per feature)", cols.size(), fs.size()));
    const bool minmax = *kind == ScalerKind::kMinMax;
    const char* ka = minmax ? "min" : "mean";
    const char* kb = minmax ? "max" : "std";
    std::vector<double> a(fs.size()), b(fs.size());
    std::vector<std::uint8_t> constant(fs.size());
    for (std::size_t c = 0; c < fs.size(); ++c) {
      const auto& col = cols[c];
      const auto name = col.at("name").get<std::string>();
      if (name != fs.columns()[c])
        return fail(fmt::format("columns[{}].name is \"{}\", expected \"{}\"", c, name, fs.columns()[c]));
      a[c] = col.at(ka).get<double>();
      b[c] = col.at(kb).get<double>();
      constant[c] = col.at("constant").get<bool>() ? 1 : 0;
      if (!std::isfinite(a[c]) || !std::isfinite(b[c]))
        return fail(fmt::format("columns[{}] ({}): {} and {} must be finite", c, name, ka, kb));
      const bool ok =
          minmax ? (constant[c] != 0 ? a[c] <= b[c] : a[c] < b[c]) : (constant[c] != 0 || b[c] > 0);
      if (!ok)
        return fail(fmt::format("columns[{}] ({}): {} {} and {} {} are not a valid {} fit", c, name, ka, a[c],
                                kb, b[c], to_string(*kind)));
    }
    return Scaler(*kind, std::move(fs), j.at("rows_fitted").get<std::uint64_t>(), std::move(a), std::move(b),
                  std::move(constant));
  } catch (const std::exception& e) {
    return fail(fmt::format("not a valid scaler file: {}", e.what()));
  }
}

core::Status Scaler::save(const std::string& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return core::Error{fmt::format("{}: cannot create the scaler file", path)};
  out << to_json();
  out.close();
  if (!out) return core::Error{fmt::format("{}: cannot write the scaler file", path)};
  return {};
}

core::Result<Scaler> Scaler::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::Error{fmt::format("{}: cannot open the scaler file", path)};
  std::ostringstream ss;
  ss << in.rdbuf();
  return from_json(ss.str(), path);
}

}  // namespace daytrader::features
