#include "interop/original_csv.h"

#include <array>
#include <cerrno>
#include <cmath>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string_view>

#include <date/date.h>
#include <fmt/format.h>

#include "bars/session_studies.h"
#include "interop/mapped_text.h"

namespace daytrader::interop {

namespace {

enum Col : int {
  kDate, kOpen, kHigh, kLow, kClose, kVolume, kDelta, kCvd, kTodayOpen, kPrevHigh, kPrevLow,
  kVwap, kPrice, kBid, kAsk, kTotalVolume, kNumberOfTrades, kNumCols
};
constexpr std::size_t kMaxFields = 64;
constexpr std::size_t kMaxWarnings = 5;
constexpr std::size_t kMaxProblems = 5;

// Parses one file's rows into bars. State lives here so that helpers can name line and column.
class Parser {
 public:
  Parser(std::string_view text, const std::string& source, const core::Instrument& instrument,
         const core::SessionCalendar& calendar, const CsvImportOptions& options,
         CsvImportReport& report)
      : text_(text), source_(source), instrument_(instrument), calendar_(calendar),
        options_(options), report_(report), inv_tick_(1.0 / instrument.tick_size) {
    const double h = instrument.tick_size * 100.0;
    if (h >= 1.0 && h == static_cast<double>(static_cast<std::int64_t>(h))) tick_hundredths_ = static_cast<std::int64_t>(h);
  }

  core::Result<std::vector<bars::FootprintBar>> run();

 private:
  core::Error error_at(Col col, std::string_view value, std::string_view what) const {
    return core::Error{fmt::format("{}: line {}, column {}: \"{}\" {}", source_, line_,
                                   kOriginalColumns[col], value, what)};
  }
  void warn(std::string message) {
    if (report_.warnings.size() < kMaxWarnings)
      report_.warnings.push_back(fmt::format("{}: line {}: {}", source_, line_, message));
  }
  // A skipped row, named while few have been: "f.csv: line 3, column Price: "0" is outside ...".
  void problem(Col col, std::string_view value, std::string_view what) {
    if (report_.problems.size() < kMaxProblems)
      report_.problems.push_back(fmt::format("{}: line {}, column {}: \"{}\" {}", source_, line_,
                                             kOriginalColumns[col], value, what));
  }
  [[nodiscard]] std::string band_text() const {
    return fmt::format("is outside the accepted price band ({}, {}]", options_.band.min_price,
                       options_.band.max_price);
  }

  core::Status parse_header(std::string_view line);
  bool split(std::string_view line);
  [[nodiscard]] std::string_view field(Col c) const { return fields_[static_cast<std::size_t>(index_[c])]; }
  core::Status parse_int(Col c, std::int64_t& out) const;
  core::Status parse_u32(Col c, std::uint32_t& out) const;
  core::Status parse_double(Col c, double& out) const;
  core::Status parse_price(Col c, core::Ticks& out) const;
  // Same, and whether the price lies inside the band (a price off the grid is still an error).
  core::Status parse_price(Col c, core::Ticks& out, bool& in_band) const;
  core::Status parse_date(std::string_view s, core::Timestamp& out) const;
  core::Status start_bar(bars::FootprintBar& bar);
  void finish_bar(bars::FootprintBar& bar);
  // The bar read so far is complete: finished and kept, or dropped when it was skipped.
  void end_bar(bars::FootprintBar& bar, std::vector<bars::FootprintBar>& out);

  std::string_view text_;
  const std::string& source_;
  const core::Instrument& instrument_;
  const core::SessionCalendar& calendar_;
  const CsvImportOptions& options_;
  CsvImportReport& report_;
  double inv_tick_;
  std::int64_t tick_hundredths_ = 0;  // the tick in hundredths of a point when whole (ES: 25)

  std::uint64_t line_ = 0;
  std::array<int, kNumCols> index_{};
  std::size_t header_fields_ = 0;
  std::array<std::string_view, kMaxFields> fields_{};
  std::size_t nfields_ = 0;

  // The bar being read: its Date text, its bar columns' text (to check repeats) and file values.
  std::string_view bar_date_;
  std::string_view bar_prefix_;
  std::array<std::string_view, kNumCols> bar_text_{};
  std::uint64_t bar_line_ = 0;
  std::int64_t csv_volume_ = 0, csv_delta_ = 0, csv_cvd_ = 0;
  core::Ticks csv_today_open_, csv_prev_high_, csv_prev_low_;
  double csv_vwap_ = 0;
  bool skip_bar_ = false;          // a bar column's price is outside the band: drop the whole bar
  std::uint64_t bar_rows_ = 0;     // rows of the bar being read
  bool has_level_price_ = false;   // the bar's previous level price (skipped rows included)
  core::Ticks last_level_price_;
  bars::SessionStudies studies_;
};

core::Status Parser::parse_header(std::string_view line) {
  index_.fill(-1);
  if (!split(line)) return core::Error{fmt::format("{}: line 1: more than {} columns", source_, kMaxFields)};
  header_fields_ = nfields_;
  for (std::size_t i = 0; i < nfields_; ++i) {
    std::string_view name = fields_[i];
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
    for (int c = 0; c < kNumCols; ++c)
      if (name == kOriginalColumns[c]) index_[static_cast<std::size_t>(c)] = static_cast<int>(i);
  }
  for (int c = 0; c < kNumCols; ++c)
    if (index_[static_cast<std::size_t>(c)] < 0)
      return core::Error{fmt::format("{}: line 1: missing column {} (the header must name {})",
                                     source_, kOriginalColumns[c],
                                     fmt::join(std::begin(kOriginalColumns), std::end(kOriginalColumns), ","))};
  return {};
}

bool Parser::split(std::string_view line) {
  nfields_ = 0;
  const char* p = line.data();
  const char* const end = p + line.size();
  for (;;) {
    if (nfields_ == kMaxFields) return false;
    const char* q = p;
    while (q != end && *q != ',') ++q;
    std::string_view f(p, static_cast<std::size_t>(q - p));
    if (f.size() >= 2 && f.front() == '"' && f.back() == '"') f = f.substr(1, f.size() - 2);
    fields_[nfields_++] = f;
    if (q == end) return true;
    p = q + 1;
  }
}

// Digits only, at most 18 of them: the common case, without from_chars' generality.
bool parse_plain_int(std::string_view s, std::int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  std::size_t i = 0;
  const bool neg = s[0] == '-';
  if (neg && s.size() == 1) return false;
  i = neg ? 1 : 0;
  std::int64_t v = 0;
  for (; i < s.size(); ++i) {
    const unsigned d = static_cast<unsigned>(s[i] - '0');
    if (d > 9) return false;
    v = v * 10 + d;
  }
  out = neg ? -v : v;
  return true;
}

core::Status Parser::parse_int(Col c, std::int64_t& out) const {
  const std::string_view s = field(c);
  if (parse_plain_int(s, out)) return {};
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, out);
  if (ec == std::errc() && p != s.data()) {
    if (p == end) return {};
    // pandas writes integer columns holding NaN as floats: accept "123.0".
    if (*p == '.') {
      const char* q = p + 1;
      while (q < end && *q == '0') ++q;
      if (q == end) return {};
    }
  }
  if (s.empty()) return error_at(c, s, "is empty (expected an integer)");
  return error_at(c, s, "is not an integer");
}

core::Status Parser::parse_u32(Col c, std::uint32_t& out) const {
  std::int64_t v = 0;
  if (auto st = parse_int(c, v); !st) return st;
  if (v < 0 || v > 2'147'483'647) return error_at(c, field(c), "is outside 0..2147483647");
  out = static_cast<std::uint32_t>(v);
  return {};
}

core::Status Parser::parse_double(Col c, double& out) const {
  const std::string_view s = field(c);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty())
    return error_at(c, s, s.empty() ? "is empty (expected a number)" : "is not a number");
  // from_chars reads "nan" and "inf": a VWAP kept from the file would carry them into features.
  if (!std::isfinite(out)) return error_at(c, s, "is not a finite number");
  return {};
}

core::Status Parser::parse_price(Col c, core::Ticks& out) const {
  // "5100.25", "5100.0", "5100": exact in hundredths, so a price on a grid of whole hundredths
  // (ES: 25) needs no floating point. Anything else takes the general path below.
  if (tick_hundredths_ > 0) {
    const std::string_view s = field(c);
    const std::size_t dot = s.find('.');
    std::int64_t whole = 0, frac = 0;
    const std::string_view frac_text = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
    // (whole is bounded so that whole * 100 + 99 cannot overflow; larger values take the general path)
    if (parse_plain_int(s.substr(0, dot), whole) && s[0] != '-' && frac_text.size() <= 2 &&
        whole <= (std::numeric_limits<std::int64_t>::max() - 99) / 100 &&
        (frac_text.empty() || parse_plain_int(frac_text, frac)) && frac >= 0 &&
        (dot == std::string_view::npos || !frac_text.empty())) {
      const std::int64_t hundredths = whole * 100 + (frac_text.size() == 1 ? frac * 10 : frac);
      if (hundredths % tick_hundredths_ == 0) {
        out = core::Ticks(hundredths / tick_hundredths_);
        return {};
      }
    }
  }
  double v = 0;
  if (auto st = parse_double(c, v); !st) return st;
  if (!instrument_.try_to_ticks(v, out))
    return error_at(c, field(c), fmt::format("is not on the {} tick grid of {}", instrument_.tick_size, instrument_.root));
  return {};
}

core::Status Parser::parse_price(Col c, core::Ticks& out, bool& in_band) const {
  if (auto st = parse_price(c, out); !st) return st;
  in_band = options_.band.contains(instrument_.to_price(out));
  return {};
}

core::Status Parser::parse_date(std::string_view s, core::Timestamp& out) const {
  // YYYY-MM-DD HH:MM:SS
  static constexpr std::string_view kShape = "dddd-dd-dd dd:dd:dd";
  bool ok = s.size() == kShape.size();
  for (std::size_t i = 0; ok && i < s.size(); ++i)
    ok = kShape[i] == 'd' ? (s[i] >= '0' && s[i] <= '9') : s[i] == kShape[i];
  if (!ok) return error_at(kDate, s, "is not a date and time like 2024-03-15 08:30:00");
  auto num = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  const date::year_month_day ymd{date::year(num(0, 4)), date::month(static_cast<unsigned>(num(5, 2))),
                                 date::day(static_cast<unsigned>(num(8, 2)))};
  const int hh = num(11, 2), mm = num(14, 2), ss = num(17, 2);
  if (!ymd.ok() || hh > 23 || mm > 59 || ss > 59) return error_at(kDate, s, "is not a valid date and time");
  // Timestamps are int64 nanoseconds (1677..2262); keep well inside so nothing wraps.
  if (ymd.year() < date::year(1970) || ymd.year() > date::year(2200))
    return error_at(kDate, s, "is outside the supported years 1970..2200");
  const auto tod = std::chrono::seconds(hh * 3600 + mm * 60 + ss);
  out = calendar_.to_utc(date::local_days(ymd), tod);
  // A local time that does not exist (the spring-forward hour) does not come back unchanged.
  if (calendar_.format_local(out) != s)
    return error_at(kDate, s, fmt::format("does not exist in exchange time {} (daylight saving gap)",
                                          instrument_.time_zone));
  const core::Session session = calendar_.session(calendar_.trade_date(out));
  if (!session.contains(out) || !core::SessionCalendar::is_weekday(session.trade_date))
    return error_at(kDate, s, "is outside every CME session (weekend or daily halt)");
  return {};
}

core::Status Parser::start_bar(bars::FootprintBar& bar) {
  bar_line_ = line_;
  bar_date_ = field(kDate);
  for (int c = kOpen; c <= kVwap; ++c) bar_text_[static_cast<std::size_t>(c)] = field(static_cast<Col>(c));
  skip_bar_ = false;
  bar_rows_ = 0;
  has_level_price_ = false;
  if (auto st = parse_date(bar_date_, bar.open_time); !st) return st;
  bar.close_time = bar.open_time + std::chrono::seconds(options_.bar.size);
  bar.trade_date = static_cast<std::int32_t>(calendar_.trade_date(bar.open_time).time_since_epoch().count());
  // A price outside the band (0, negative, absurd) makes the whole bar unusable, as a SCID
  // record's does: it is skipped and counted. The first such column is named.
  auto check_band = [&](Col c, bool in_band) {
    if (in_band || skip_bar_) return;
    skip_bar_ = true;
    problem(c, field(c), fmt::format("{}; bar {} skipped", band_text(), bar_date_));
  };
  for (auto [c, dst] : {std::pair{kOpen, &bar.open}, {kHigh, &bar.high}, {kLow, &bar.low}, {kClose, &bar.close},
                        {kTodayOpen, &csv_today_open_}}) {
    bool in_band = true;
    if (auto st = parse_price(c, *dst, in_band); !st) return st;
    check_band(c, in_band);
  }
  // PrevHigh/PrevLow are empty when there is no previous session (our export); older files
  // wrote 0 for that, which is read the same way.
  const bool prev_empty = field(kPrevHigh).empty() && field(kPrevLow).empty();
  if (prev_empty) {
    csv_prev_high_ = csv_prev_low_ = core::Ticks(0);
  } else {
    bool in_band[2] = {true, true};
    if (auto st = parse_price(kPrevHigh, csv_prev_high_, in_band[0]); !st) return st;
    if (auto st = parse_price(kPrevLow, csv_prev_low_, in_band[1]); !st) return st;
    if (csv_prev_high_.count() != 0 || csv_prev_low_.count() != 0) {
      check_band(kPrevHigh, in_band[0]);
      check_band(kPrevLow, in_band[1]);
    }
  }
  if (auto st = parse_int(kVolume, csv_volume_); !st) return st;
  if (auto st = parse_int(kDelta, csv_delta_); !st) return st;
  if (auto st = parse_int(kCvd, csv_cvd_); !st) return st;
  if (auto st = parse_double(kVwap, csv_vwap_); !st) return st;
  if (skip_bar_) return {};
  if (bar.low > bar.high || bar.open < bar.low || bar.open > bar.high || bar.close < bar.low || bar.close > bar.high)
    return core::Error{fmt::format("{}: line {}: bar {} has Open/High/Low/Close {}/{}/{}/{} that are not "
                                   "inside High..Low", source_, line_, bar_date_, field(kOpen),
                                   field(kHigh), field(kLow), field(kClose))};
  return {};
}

void Parser::end_bar(bars::FootprintBar& bar, std::vector<bars::FootprintBar>& out) {
  if (skip_bar_) {
    ++report_.bad_price_bars;
    report_.bad_price_rows += bar_rows_;
  } else if (bar.levels.empty()) {
    ++report_.empty_bars;
    if (report_.problems.size() < kMaxProblems)
      report_.problems.push_back(fmt::format("{}: line {}: bar {} has no usable level left; skipped", source_,
                                             bar_line_, bar_date_));
  } else {
    finish_bar(bar);
    out.push_back(std::move(bar));
  }
  bar = bars::FootprintBar{};
}

void Parser::finish_bar(bars::FootprintBar& bar) {
  for (const auto& l : bar.levels) {
    bar.volume += l.volume;
    bar.bid_volume += l.bid_volume;
    bar.ask_volume += l.ask_volume;
    bar.num_trades += l.trades;
  }
  if (static_cast<std::int64_t>(bar.volume) != csv_volume_)
    warn(fmt::format("bar {} (line {}): Volume {} differs from the sum {} of its levels' TotalVolume; "
                     "using the levels", bar_date_, bar_line_, csv_volume_, bar.volume));
  if (bar.levels.front().price < bar.low || bar.levels.back().price > bar.high)
    warn(fmt::format("bar {} (line {}): levels span {}..{}, outside Low..High", bar_date_, bar_line_,
                     instrument_.to_price(bar.levels.front().price), instrument_.to_price(bar.levels.back().price)));
  studies_.on_bar(bar);
  if (!options_.recompute_studies) {
    bars::BarStudies& s = bar.studies;
    s.delta = csv_delta_;
    s.cum_delta = csv_cvd_;
    s.session_open = csv_today_open_;
    s.has_prev_session = csv_prev_high_.count() != 0 || csv_prev_low_.count() != 0;
    s.prev_high = csv_prev_high_;
    s.prev_low = csv_prev_low_;
    s.vwap = csv_vwap_ * inv_tick_;
  }
}

core::Result<std::vector<bars::FootprintBar>> Parser::run() {
  if (options_.bar.kind != bars::BarKind::kTime)
    return core::Error{fmt::format("{}: the original CSV holds time bars; bar period {} is not a time period",
                                   source_, options_.bar.to_string())};
  std::vector<bars::FootprintBar> out;
  std::size_t pos = 0;
  bool have_header = false;
  bars::FootprintBar bar;
  bool in_bar = false;
  core::Timestamp prev_open{};
  while (pos < text_.size()) {
    const std::size_t nl = text_.find('\n', pos);
    std::string_view line = text_.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text_.size() : nl + 1;
    ++line_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (!have_header) {
      if (line_ == 1 && line.size() >= 3 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // BOM
      if (auto st = parse_header(line); !st) return st.error();
      have_header = true;
      continue;
    }
    if (!split(line) || nfields_ != header_fields_)
      return core::Error{fmt::format("{}: line {}: {} fields, expected {} like the header", source_, line_,
                                     nfields_, header_fields_)};
    ++report_.rows;
    if (!in_bar || field(kDate) != bar_date_) {
      if (in_bar) {
        prev_open = bar.open_time;
        end_bar(bar, out);
      }
      if (auto st = start_bar(bar); !st) return st.error();
      // The first row's text before its first level column: later rows of the bar repeat it.
      std::size_t first_level = line.size();
      for (Col c : {kPrice, kBid, kAsk, kTotalVolume, kNumberOfTrades})
        first_level = std::min(first_level, static_cast<std::size_t>(field(c).data() - line.data()));
      bar_prefix_ = line.substr(0, first_level);
      if (in_bar && bar.open_time <= prev_open)
        return error_at(kDate, bar_date_, "is not after the previous bar's Date (rows must be sorted by Date, "
                                          "then Price)");
      in_bar = true;
    } else if (line.substr(0, bar_prefix_.size()) != bar_prefix_) {
      // Not the same text as the bar's first row up to its level columns: find the column.
      for (int c = kOpen; c <= kVwap; ++c)
        if (field(static_cast<Col>(c)) != bar_text_[static_cast<std::size_t>(c)])
          return error_at(static_cast<Col>(c), field(static_cast<Col>(c)),
                          fmt::format("differs from \"{}\" on line {}, the first row of bar {}",
                                      bar_text_[static_cast<std::size_t>(c)], bar_line_, bar_date_));
    }
    ++bar_rows_;
    bars::PriceLevel level;
    bool in_band = true;
    if (auto st = parse_price(kPrice, level.price, in_band); !st) return st.error();
    if (auto st = parse_u32(kBid, level.bid_volume); !st) return st.error();
    if (auto st = parse_u32(kAsk, level.ask_volume); !st) return st.error();
    if (auto st = parse_u32(kTotalVolume, level.volume); !st) return st.error();
    if (auto st = parse_u32(kNumberOfTrades, level.trades); !st) return st.error();
    if (has_level_price_ && level.price <= last_level_price_)
      return error_at(kPrice, field(kPrice), "is not above the previous level of the same bar (rows must be "
                                             "sorted by Date, then Price)");
    has_level_price_ = true;
    last_level_price_ = level.price;
    if (skip_bar_) continue;  // counted with its bar
    if (!in_band) {
      ++report_.bad_price_levels;
      problem(kPrice, field(kPrice), fmt::format("{}; row skipped", band_text()));
      continue;
    }
    if (level.volume == 0) {
      ++report_.zero_volume_levels;
      problem(kTotalVolume, field(kTotalVolume), "is a level without volume (no contract traded); row skipped");
      continue;
    }
    if (static_cast<std::uint64_t>(level.bid_volume) + level.ask_volume > level.volume)
      warn(fmt::format("Bid {} + Ask {} exceed TotalVolume {}", level.bid_volume, level.ask_volume, level.volume));
    bar.levels.push_back(level);
  }
  if (!have_header) return core::Error{fmt::format("{}: the file is empty (no header line)", source_)};
  if (in_bar) end_bar(bar, out);
  report_.bars = out.size();
  return out;
}

}  // namespace

core::Result<std::vector<bars::FootprintBar>> parse_original_csv(
    std::string_view text, const std::string& source, const core::Instrument& instrument,
    const core::SessionCalendar& calendar, const CsvImportOptions& options, CsvImportReport* report) {
  CsvImportReport local;
  Parser parser(text, source, instrument, calendar, options, report ? *report : local);
  return parser.run();
}

core::Result<std::vector<bars::FootprintBar>> import_original_csv(
    const std::string& path, const core::Instrument& instrument, const core::SessionCalendar& calendar,
    const CsvImportOptions& options, CsvImportReport* report) {
  auto file = MappedText::open(path);
  if (!file) return file.error();
  return parse_original_csv(file->text(), path, instrument, calendar, options, report);
}

namespace {

// Prices in points with the shortest text that reads back exactly ("5000.25", "5000").
void append_price(fmt::memory_buffer& buf, const core::Instrument& instrument, core::Ticks t) {
  fmt::format_to(std::back_inserter(buf), "{}", instrument.to_price(t));
}

}  // namespace

std::string format_original_csv(const std::vector<bars::FootprintBar>& bars,
                                const core::Instrument& instrument, const core::SessionCalendar& calendar) {
  fmt::memory_buffer buf;
  fmt::format_to(std::back_inserter(buf), "{}\n",
                 fmt::join(std::begin(kOriginalColumns), std::end(kOriginalColumns), ","));
  fmt::memory_buffer prefix;
  for (const auto& bar : bars) {
    prefix.clear();
    const auto& s = bar.studies;
    fmt::format_to(std::back_inserter(prefix), "{},", calendar.format_local(bar.open_time));
    for (core::Ticks p : {bar.open, bar.high, bar.low, bar.close}) {
      append_price(prefix, instrument, p);
      prefix.push_back(',');
    }
    fmt::format_to(std::back_inserter(prefix), "{},{},{},", bar.volume, s.delta, s.cum_delta);
    append_price(prefix, instrument, s.session_open);
    prefix.push_back(',');
    // No previous session: PrevHigh and PrevLow are left empty (0 would read as a price).
    for (core::Ticks p : {s.prev_high, s.prev_low}) {
      if (s.has_prev_session) append_price(prefix, instrument, p);
      prefix.push_back(',');
    }
    fmt::format_to(std::back_inserter(prefix), "{},", s.vwap * instrument.tick_size);
    for (const auto& l : bar.levels) {
      buf.append(prefix);
      append_price(buf, instrument, l.price);
      fmt::format_to(std::back_inserter(buf), ",{},{},{},{}\n", l.bid_volume, l.ask_volume, l.volume, l.trades);
    }
  }
  return fmt::to_string(buf);
}

core::Status export_original_csv(const std::string& path, const std::vector<bars::FootprintBar>& bars,
                                 const core::Instrument& instrument, const core::SessionCalendar& calendar) {
  const std::string text = format_original_csv(bars, instrument, calendar);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return core::Error{fmt::format("{}: cannot create: {}", path, std::strerror(errno))};
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  const bool closed = std::fclose(f) == 0;
  if (!ok || !closed) return core::Error{fmt::format("{}: cannot write: {}", path, std::strerror(errno))};
  return {};
}

}  // namespace daytrader::interop
