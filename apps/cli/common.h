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
#include "core/must.h"
#include "core/result.h"
#include "core/session_calendar.h"
#include "features/feature_config.h"

namespace daytrader::cli {

using core::fail;
using core::must;

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

enum class InputKind { kScid, kDataset, kOriginalCsv, kSierraText };
// Detected from the file's first bytes ("SCID", "DTDATA"), else from its first line (a Sierra
// Chart export header starts "Date, Time"), else by a .csv name (the original CSV).
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
  std::string instrument;  // --instrument: a root or a symbol; "" = from the file name, else ES
  std::string export_tz;   // --export-tz: the time zone of a Sierra text export; "" = the exchange's
  std::string bar = "1m";
  std::string from;  // trade dates YYYY-MM-DD, inclusive
  std::string to;
  bool keep_csv_studies = false;
  double min_price = 0.0;          // prices accepted: min_price < price <= max_price (points)
  double max_price = 1'000'000.0;
  std::int64_t max_bar_range_ticks = 40'000;  // widest bar (high - low + 1, ticks)
  features::FeatureConfig features;
};
void add_bar_options(CLI::App& cmd, BarOptions& o, bool with_features);

// The instrument of an input and where it came from.
struct InstrumentChoice {
  core::Instrument instrument;
  std::string origin;      // "--instrument", "the file name", "the dataset", "the default"
  bool defaulted = false;  // nothing named one: ES, as before instruments were recorded
};
// From --instrument (a root or a symbol), else the symbol a SCID/CSV/text file's name starts
// with ("ESZ25-CME.scid"), else ES with a warning in the log; a dataset has its own (recorded),
// which --instrument must agree with. An unknown root is an error listing the known ones. Logs a
// warning when it falls back to ES or when --instrument overrides the file name.
[[nodiscard]] InstrumentChoice choose_instrument(const std::string& option, const std::string& path,
                                                 InputKind kind, const core::Instrument* recorded = nullptr);

struct LoadedBars {
  InputKind kind;
  InstrumentChoice instrument;
  const core::SessionCalendar* calendar = nullptr;  // the instrument's exchange calendar
  std::vector<bars::FootprintBar> bars;
  std::uint64_t records = 0;       // SCID records, CSV or text rows read
  std::uint64_t trades = 0;
  std::uint64_t out_of_session = 0;
  std::uint64_t bar_records = 0;   // SCID bar (non-tick) records or text export rows among the trades
  std::uint64_t bad_prices = 0;    // records or rows skipped for a price outside the band / off the grid
  std::string export_tz;           // Sierra text: the zone its times were read in
  std::vector<std::string> notes;  // facts for the log (info)
  std::vector<std::string> warnings;
};

// Reads a SCID file (building bars from its ticks), a Sierra Chart text export (each row a bar
// record), an original CSV, or a dataset, keeping the bars whose trade dates fall in [from, to].
// Chooses the instrument (choose_instrument). Shows progress for long work.
[[nodiscard]] LoadedBars load_bars(const std::string& path, const BarOptions& o, bool show_progress);

// Fails when `out` names the same file as `in` (same inode, or the same canonical path), so an
// output can never overwrite its source. `option` names the output's flag in the message.
void refuse_input_as_output(const std::string& in, const std::string& out, const char* option);

// Writes `path` by calling `write` on a temporary file next to it, then renames it into place,
// so a failed or interrupted write never leaves a partial file (or destroys an old one).
void write_via_temp(const std::string& path, const std::function<core::Status(const std::string&)>& write);

// One line per session: bars, open/high/low/close, volume, CVD, VWAP.
void print_sessions(const std::vector<bars::FootprintBar>& bars, const core::Instrument& instrument);

// Parses "YYYY-MM-DD" for --from/--to; fails naming the option.
[[nodiscard]] std::int32_t parse_trade_date(const std::string& text, const char* option);
// Parses "YYYY-MM-DD HH:MM" in exchange time; fails naming the option.
[[nodiscard]] core::Timestamp parse_exchange_time(const std::string& text, const char* option,
                                                  const core::SessionCalendar& cal);

}  // namespace daytrader::cli
