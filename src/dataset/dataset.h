#pragma once
// The dataset file: bars, their footprints and their feature rows, built once by `daytrader bars`
// and memory-mapped by training and backtests.
//
// Layout (all little-endian; sections 64-byte aligned):
//   header (128 bytes): magic "DTDATA\r\n", format version, section table, counts, feature-set
//                       hash, CRC-32 of the whole file (the header with its CRC field zeroed, then
//                       every byte after it; version 1 covered only the bytes after the header)
//   meta      JSON: instrument (root, tick size and value, time zone, symbol: the contract or ""; a
//                   dataset written before the symbol was recorded reads as ""), bar spec, source,
//                   feature set (name, version, columns, parameters, hash)
//   sessions  SessionRecord[n_sessions]  (trade date, first bar, bar count)
//   bars      BarRecord[n_bars]          (OHLC, volumes, studies, level range)
//   levels    LevelRecord[n_levels]      (price, bid, ask, total volume, trades)
//   features  float32[n_bars][n_features], row-major, in the feature set's column order
//
// A reader refuses another format version, a corrupt file, a structurally invalid one (sessions
// that overlap, leave gaps or go back in time; bars outside their session or
// with high < low; a tick size that is not positive), and (through check_feature_set)
// data built with another feature set than the one a model was trained on.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bars/bar_spec.h"
#include "bars/footprint_bar.h"
#include "core/instrument.h"
#include "core/result.h"
#include "features/feature_set.h"

namespace daytrader::dataset {

inline constexpr std::uint32_t kFormatVersion = 2;

struct SessionRecord {
  std::int32_t trade_date = 0;  // days since 1970-01-01
  std::uint32_t bar_count = 0;
  std::uint64_t first_bar = 0;
};
static_assert(sizeof(SessionRecord) == 16);

struct LevelRecord {
  std::int64_t price_ticks = 0;
  std::uint32_t bid_volume = 0;
  std::uint32_t ask_volume = 0;
  std::uint32_t volume = 0;
  std::uint32_t trades = 0;
};
static_assert(sizeof(LevelRecord) == 24);

struct BarRecord {
  std::int64_t open_time_ns = 0;
  std::int64_t close_time_ns = 0;
  std::int32_t trade_date = 0;
  std::int32_t index_in_session = 0;
  std::int64_t open = 0, high = 0, low = 0, close = 0;  // ticks
  std::uint64_t volume = 0, bid_volume = 0, ask_volume = 0;
  std::uint32_t num_trades = 0;
  std::uint32_t level_count = 0;
  std::uint64_t first_level = 0;
  std::int64_t delta = 0, cum_delta = 0;
  std::int64_t session_open = 0, session_high = 0, session_low = 0, prev_high = 0, prev_low = 0;
  std::uint32_t has_prev_session = 0;
  std::uint32_t reserved = 0;
  double vwap = 0;  // ticks
};
static_assert(sizeof(BarRecord) == 168);

struct DatasetMeta {
  core::Instrument instrument;
  bars::BarSpec bar;
  std::string source;  // what the bars were built from, e.g. "ESZ25.scid"
};

// Writes a dataset. `features` holds bars.size() rows of feature_set.size() values.
[[nodiscard]] core::Status write_dataset(const std::string& path, const DatasetMeta& meta,
                                         const features::FeatureSet& feature_set,
                                         const std::vector<bars::FootprintBar>& bars,
                                         std::span<const float> features);

class Dataset {
 public:
  // Maps and validates the file; errors name the file and what is wrong.
  [[nodiscard]] static core::Result<Dataset> open(const std::string& path);

  Dataset(Dataset&&) noexcept;
  Dataset& operator=(Dataset&&) noexcept;
  ~Dataset();

  // Refuses data built with another feature set than `expected` (a model's), naming both.
  [[nodiscard]] core::Status check_feature_set(const features::FeatureSet& expected) const;

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] const DatasetMeta& meta() const noexcept { return meta_; }
  [[nodiscard]] const features::FeatureSet& feature_set() const noexcept { return feature_set_; }
  [[nodiscard]] std::size_t size() const noexcept { return bars_.size(); }
  [[nodiscard]] std::size_t num_features() const noexcept { return feature_set_.size(); }

  [[nodiscard]] std::span<const SessionRecord> sessions() const noexcept { return sessions_; }
  [[nodiscard]] std::span<const BarRecord> bars() const noexcept { return bars_; }
  [[nodiscard]] std::span<const LevelRecord> levels(std::size_t bar) const noexcept {
    return levels_.subspan(bars_[bar].first_level, bars_[bar].level_count);
  }
  [[nodiscard]] std::span<const float> features(std::size_t bar) const noexcept {
    return features_.subspan(bar * num_features(), num_features());
  }
  [[nodiscard]] std::span<const float> feature_matrix() const noexcept { return features_; }

  // The bar as the builder produced it.
  [[nodiscard]] bars::FootprintBar footprint_bar(std::size_t bar) const;
  [[nodiscard]] std::vector<bars::FootprintBar> footprint_bars() const;

 private:
  Dataset(std::string path, features::FeatureSet fs) : path_(std::move(path)), feature_set_(std::move(fs)) {}
  void unmap() noexcept;

  std::string path_;
  features::FeatureSet feature_set_;
  DatasetMeta meta_;
  void* map_ = nullptr;
  std::size_t map_size_ = 0;
  std::span<const SessionRecord> sessions_;
  std::span<const BarRecord> bars_;
  std::span<const LevelRecord> levels_;
  std::span<const float> features_;
};

}  // namespace daytrader::dataset
