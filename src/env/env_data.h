#pragma once
// The read-only market data every environment of a run shares: for each usable session of the
// selected range, its decision bars (plus the bar after the last one, whose open fills the
// end-of-window flatten) as flat arrays of prices and times, and their feature rows already
// scaled. Built once; stepping then only copies a row and updates the account.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/instrument.h"
#include "core/result.h"
#include "dataset/dataset.h"
#include "env/env_config.h"
#include "env/observation.h"
#include "exec/fill_model.h"
#include "features/feature_set.h"
#include "features/scaler.h"

namespace daytrader::env {

// What an environment reads. The production path is a dataset::Dataset (the overloads below
// build this view from it); tests and benchmarks may point it at arrays of their own.
struct MarketView {
  std::string name = "in-memory";  // for error messages: the dataset's path
  core::Instrument instrument;     // tick value and time zone
  const features::FeatureSet* feature_set = nullptr;
  std::span<const dataset::SessionRecord> sessions;
  std::span<const dataset::BarRecord> bars;
  std::span<const float> features;  // bars.size() rows of feature_set->size() floats

  [[nodiscard]] static MarketView of(const dataset::Dataset& d);
};

// One usable session: the bars an episode on it steps through. Indices are into EnvData's arrays.
struct EpisodePlan {
  std::size_t session = 0;      // index into the dataset's sessions
  std::int32_t trade_date = 0;  // days since 1970-01-01
  std::size_t begin = 0;        // first decision bar (the reset observation)
  std::size_t entry_begin = 0;  // first bar closing at or after window_start: entries from here...
  std::size_t last = 0;         // ...up to, not including, this one: the last bar closing at or
                                // before window_end, whose decision is the end-of-window flatten
  bool has_fill_bar = false;    // bar last + 1 (same session) exists: the flatten fills at its open
  bool ends_data = false;       // the dataset ends before window_end: the episode is truncated
  [[nodiscard]] std::size_t decisions() const noexcept { return last - begin + 1; }
};

class EnvData {
 public:
  // Errors: an invalid config, a session range outside the data, no usable session in it, a bar
  // with inconsistent prices or times, a non-finite feature, a scaler fitted on another feature
  // set. Messages name the dataset, the session or bar, and the value.
  [[nodiscard]] static core::Result<std::shared_ptr<const EnvData>> create(const dataset::Dataset& data,
                                                                           const features::Scaler& scaler,
                                                                           const EnvConfig& config);
  [[nodiscard]] static core::Result<std::shared_ptr<const EnvData>> create(const MarketView& view,
                                                                           const features::Scaler& scaler,
                                                                           const EnvConfig& config);

  [[nodiscard]] const EnvConfig& config() const noexcept { return config_; }
  [[nodiscard]] const core::Instrument& instrument() const noexcept { return instrument_; }
  [[nodiscard]] const features::FeatureSet& feature_set() const noexcept { return feature_set_; }
  [[nodiscard]] std::size_t num_features() const noexcept { return num_features_; }
  [[nodiscard]] std::size_t observation_size() const noexcept { return num_features_ + kAccountValues; }
  [[nodiscard]] std::span<const EpisodePlan> episodes() const noexcept { return episodes_; }
  [[nodiscard]] std::size_t num_bars() const noexcept { return prices_.size(); }

  // Per stored bar: prices in ticks (one 32-byte record, read every step), times (read on fills).
  [[nodiscard]] const exec::BarPrices& prices(std::size_t i) const noexcept { return prices_[i]; }
  [[nodiscard]] std::int64_t open(std::size_t i) const noexcept { return prices_[i].open.count(); }
  [[nodiscard]] std::int64_t high(std::size_t i) const noexcept { return prices_[i].high.count(); }
  [[nodiscard]] std::int64_t low(std::size_t i) const noexcept { return prices_[i].low.count(); }
  [[nodiscard]] std::int64_t close(std::size_t i) const noexcept { return prices_[i].close.count(); }
  [[nodiscard]] std::int64_t open_time_ns(std::size_t i) const noexcept { return times_[i].open_ns; }
  [[nodiscard]] std::int64_t close_time_ns(std::size_t i) const noexcept { return times_[i].close_ns; }
  [[nodiscard]] std::size_t dataset_bar(std::size_t i) const noexcept { return dataset_bar_[i]; }
  [[nodiscard]] const float* scaled_features(std::size_t i) const noexcept {
    return features_.data() + i * num_features_;
  }

  // Account values appended to every observation.
  static constexpr std::size_t kAccountValues = ::daytrader::env::kAccountValues;

 private:
  EnvData() = default;

  EnvConfig config_;
  core::Instrument instrument_;
  features::FeatureSet feature_set_{"unset", 1, {}, {}};
  std::size_t num_features_ = 0;
  std::vector<EpisodePlan> episodes_;
  struct Times {
    std::int64_t open_ns, close_ns;
  };
  std::vector<exec::BarPrices> prices_;
  std::vector<Times> times_;
  std::vector<std::size_t> dataset_bar_;
  std::vector<float> features_;
};

// The raw (unscaled) feature rows of the decision bars of the sessions `config` selects, in
// order: what a scaler for those episodes should be fitted on (the training fold only).
[[nodiscard]] core::Result<std::vector<float>> decision_feature_rows(const MarketView& view,
                                                                     const EnvConfig& config);

// Fits a scaler on decision_feature_rows(dataset, training_config).
[[nodiscard]] core::Result<features::Scaler> fit_scaler(const dataset::Dataset& data,
                                                        const EnvConfig& training_config,
                                                        features::ScalerKind kind);
[[nodiscard]] core::Result<features::Scaler> fit_scaler(const MarketView& view,
                                                        const EnvConfig& training_config,
                                                        features::ScalerKind kind);

}  // namespace daytrader::env
