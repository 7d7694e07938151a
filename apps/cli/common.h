#pragma once
// Helpers shared by the subcommands: errors, progress, input detection, number formatting.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "bars/bar_spec.h"
#include "bars/footprint_bar.h"
#include "core/instrument.h"
#include "core/result.h"
#include "core/session_calendar.h"
#include "features/feature_config.h"

namespace daytrader::cli {

// Throws the "cannot start" exception that main() prints once.
template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) {
  throw core::DaytraderError(fmt::format(f, std::forward<Args>(args)...));
}

// The value of a Result, or the error thrown as DaytraderError.
template <typename T>
T must(core::Result<T> r) {
  if (!r) throw core::DaytraderError(r.error().message);
  return std::move(r).value();
}
inline void must(const core::Status& s) {
  if (!s) throw core::DaytraderError(s.error().message);
}

// A progress line on stderr for long work: redrawn in place on a terminal, a few plain lines
// otherwise (logs, CI). Finishes with the elapsed time.
class Progress {
 public:
  Progress(std::string label, std::uint64_t total, std::string unit);
  void update(std::uint64_t done);
  void finish();
  ~Progress();

 private:
  std::string label_;
  std::uint64_t total_;
  std::string unit_;
  bool tty_;
  bool finished_ = false;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

enum class InputKind { kScid, kDataset, kOriginalCsv };
// Detected from the file's first bytes ("SCID", "DTDATA"), else by a .csv name.
[[nodiscard]] InputKind detect_input(const std::string& path);
[[nodiscard]] const char* to_string(InputKind k);

// 1234567 -> "1,234,567"
[[nodiscard]] std::string thousands(std::uint64_t n);
[[nodiscard]] std::string signed_thousands(std::int64_t n);
// A price in ticks as index points with two decimals: "5100.25".
[[nodiscard]] std::string points(const core::Instrument& instrument, core::Ticks t);
[[nodiscard]] std::string human_bytes(std::uint64_t n);

// Options shared by commands that turn input into bars and features.
struct BarOptions {
  std::string bar = "1m";
  std::string from;  // trade dates YYYY-MM-DD, inclusive
  std::string to;
  bool keep_csv_studies = false;
  double min_price = 0.0;          // SCID prices accepted: min_price < price <= max_price (points)
  double max_price = 1'000'000.0;
  std::int64_t max_bar_range_ticks = 40'000;  // widest bar (high - low + 1, ticks)
  features::FeatureConfig features;
};
void add_bar_options(CLI::App& cmd, BarOptions& o, bool with_features);

struct LoadedBars {
  InputKind kind;
  std::vector<bars::FootprintBar> bars;
  std::uint64_t records = 0;       // SCID records or CSV rows read
  std::uint64_t trades = 0;
  std::uint64_t out_of_session = 0;
  std::uint64_t bar_records = 0;   // SCID bar (non-tick) records among the trades
  std::vector<std::string> warnings;
};

// Reads a SCID file (building bars from its ticks), an original CSV, or a dataset, keeping the
// bars whose trade dates fall in [from, to]. Shows progress for long work.
[[nodiscard]] LoadedBars load_bars(const std::string& path, const BarOptions& o,
                                   const core::Instrument& instrument,
                                   const core::SessionCalendar& calendar, bool show_progress);

// Fails when `out` names the same file as `in` (same inode, or the same canonical path), so an
// output can never overwrite its source. `option` names the output's flag in the message.
void refuse_input_as_output(const std::string& in, const std::string& out, const char* option);

// Writes `path` by calling `write` on a temporary file next to it, then renames it into place,
// so a failed or interrupted write never leaves a partial file (or destroys an old one).
void write_via_temp(const std::string& path, const std::function<core::Status(const std::string&)>& write);

// One line per session: bars, open/high/low/close, volume, CVD, VWAP.
void print_sessions(const std::vector<bars::FootprintBar>& bars, const core::Instrument& es);

// Parses "YYYY-MM-DD" for --from/--to; fails naming the option.
[[nodiscard]] std::int32_t parse_trade_date(const std::string& text, const char* option);
// Parses "YYYY-MM-DD HH:MM" in exchange time; fails naming the option.
[[nodiscard]] core::Timestamp parse_exchange_time(const std::string& text, const char* option,
                                                  const core::SessionCalendar& cal);

}  // namespace daytrader::cli
