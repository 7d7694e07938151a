#include "interop/sierra_text.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include "interop/mapped_text.h"

namespace daytrader::interop {

namespace {

constexpr std::size_t kMaxProblems = 5;

enum Col : int {
  kDate,
  kTime,
  kOpen,
  kHigh,
  kLow,
  kLast,
  kVolume,
  kTrades,
  kBidVolume,
  kAskVolume,
  kNumCols
};
constexpr const char* kNames[kNumCols] = {"Date", "Time",   "Open",           "High",      "Low",
                                          "Last", "Volume", "NumberOfTrades", "BidVolume", "AskVolume"};
// Header names, compared without case: Export Bar Data to Text File's, then the spellings of the
// Write Bar and Study Data To File study.
struct Alias {
  Col col;
  std::string_view name;
};
constexpr Alias kAliases[] = {
    {kDate, "Date"},
    {kTime, "Time"},
    {kOpen, "Open"},
    {kHigh, "High"},
    {kLow, "Low"},
    {kLast, "Last"},
    {kVolume, "Volume"},
    {kTrades, "NumberOfTrades"},
    {kTrades, "# of Trades"},
    {kBidVolume, "BidVolume"},
    {kBidVolume, "Bid Volume"},
    {kAskVolume, "AskVolume"},
    {kAskVolume, "Ask Volume"},
};

bool same_text(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string_view strip_bom(std::string_view line) noexcept {
  if (line.size() >= 3 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
  return line;
}

// The header's delimiter: comma, else tab, else semicolon (Sierra's text formats allow all three).
char delimiter_of(std::string_view header) noexcept {
  if (header.find(',') != std::string_view::npos) return ',';
  if (header.find('\t') != std::string_view::npos) return '\t';
  if (header.find(';') != std::string_view::npos) return ';';
  return 0;
}

struct Field {
  std::string_view text;   // trimmed of spaces, tabs and surrounding double quotes
  std::size_t column = 0;  // 1-based character column of the field's first character in its line
};

void split(std::string_view line, char delim, std::vector<Field>& out) {
  out.clear();
  std::size_t pos = 0;
  for (;;) {
    const std::size_t end = std::min(line.find(delim, pos), line.size());
    std::size_t b = pos, e = end;
    while (b < e && (line[b] == ' ' || line[b] == '\t')) ++b;
    while (e > b && (line[e - 1] == ' ' || line[e - 1] == '\t')) --e;
    if (e - b >= 2 && line[b] == '"' && line[e - 1] == '"') {
      ++b;
      --e;
    }
    out.push_back(Field{line.substr(b, e - b), b + 1});
    if (end == line.size()) return;
    pos = end + 1;
  }
}

// Digits at s[i..], at most `max` of them (at least one); advances i.
bool digits(std::string_view s, std::size_t& i, std::size_t max, int& out) {
  const std::size_t begin = i;
  out = 0;
  while (i < s.size() && i - begin < max && s[i] >= '0' && s[i] <= '9') out = out * 10 + (s[i++] - '0');
  return i > begin;
}

class Parser {
 public:
  Parser(std::string_view text, const std::string& source, const core::Instrument& instrument,
         const SierraTextOptions& options, const SierraRowSink& sink, SierraTextReport& report)
      : text_(text),
        source_(source),
        instrument_(instrument),
        options_(options),
        sink_(sink),
        report_(report) {}

  core::Status run();

 private:
  core::Error error_at(Col c, std::string_view what) const {
    const Field& f = fields_[static_cast<std::size_t>(index_[c])];
    return core::Error{
        fmt::format("{}:{}:{}: {} \"{}\" {}", source_, line_, f.column, kNames[c], f.text, what)};
  }
  [[nodiscard]] const Field& field(Col c) const { return fields_[static_cast<std::size_t>(index_[c])]; }
  void problem(std::uint64_t count, std::string message) {
    if (count <= kMaxProblems) report_.problems.push_back(std::move(message));
  }

  core::Status parse_header(std::string_view line);
  core::Status parse_row();
  core::Status parse_time(core::Timestamp& out);
  core::Status parse_u32(Col c, std::uint32_t& out) const;
  // A price: an error when it is not a number or off the tick grid; `in_band` false when it lies
  // outside the band (the row is then skipped).
  core::Status parse_price(Col c, core::Ticks& out, bool& in_band) const;
  core::Result<core::Timestamp> to_utc(date::local_days day, core::Nanoseconds tod);

  std::string_view text_;
  const std::string& source_;
  const core::Instrument& instrument_;
  const SierraTextOptions& options_;
  const SierraRowSink& sink_;
  SierraTextReport& report_;

  const date::time_zone* zone_ = nullptr;
  std::int64_t cached_day_ = std::numeric_limits<std::int64_t>::min();
  bool cached_unique_ = false;
  std::chrono::seconds cached_offset_{};

  char delim_ = ',';
  std::uint64_t line_ = 0;
  std::array<int, kNumCols> index_{};
  std::size_t header_fields_ = 0;
  std::vector<Field> fields_;
  core::Timestamp prev_ts_ = core::Timestamp::min();
};

core::Status Parser::parse_header(std::string_view line) {
  delim_ = delimiter_of(line);
  if (delim_ == 0 || !is_sierra_text_header(line))
    return core::Error{
        fmt::format("{}:{}: the first line is not a Sierra Chart export header (Date, Time, Open, "
                    "High, Low, Last, Volume, NumberOfTrades, BidVolume, AskVolume)",
                    source_, line_)};
  split(line, delim_, fields_);
  header_fields_ = fields_.size();
  index_.fill(-1);
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    bool used = false;
    for (const Alias& a : kAliases)
      if (same_text(fields_[i].text, a.name)) {
        if (index_[a.col] < 0) {
          index_[a.col] = static_cast<int>(i);
          used = true;
        }
        break;
      }
    if (!used) report_.ignored_columns.emplace_back(fields_[i].text);
  }
  for (int c = 0; c < kNumCols; ++c)
    if (index_[static_cast<std::size_t>(c)] < 0)
      return core::Error{
          fmt::format("{}:{}: missing column {} (a Sierra Chart bar export has Date, Time, Open, High, Low, "
                      "Last, Volume, "
                      "NumberOfTrades, BidVolume, AskVolume; export an intraday chart, daily exports have no "
                      "bid/ask volume)",
                      source_, line_, kNames[c])};
  return {};
}

core::Status Parser::parse_u32(Col c, std::uint32_t& out) const {
  const std::string_view s = field(c).text;
  std::uint64_t v = 0;
  bool ok = !s.empty() && s.size() <= 10;
  for (std::size_t i = 0; ok && i < s.size(); ++i) {
    ok = s[i] >= '0' && s[i] <= '9';
    v = v * 10 + static_cast<std::uint64_t>(s[i] - '0');
  }
  if (!ok || v > 2'147'483'647) return error_at(c, "is not a whole number in 0..2147483647");
  out = static_cast<std::uint32_t>(v);
  return {};
}

core::Status Parser::parse_price(Col c, core::Ticks& out, bool& in_band) const {
  const std::string_view s = field(c).text;
  double v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return error_at(c, "is not a number");
  in_band = options_.band.contains(v);  // false for NaN and infinities too
  if (!in_band) return {};
  if (!instrument_.try_to_ticks(v, out))
    return error_at(c, fmt::format("is not on the {} tick grid of {}: is this another instrument's data?",
                                   instrument_.tick_size, instrument_.root));
  return {};
}

core::Result<core::Timestamp> Parser::to_utc(date::local_days day, core::Nanoseconds tod) {
  using namespace std::chrono_literals;
  const std::int64_t d = day.time_since_epoch().count();
  if (d != cached_day_) {
    // One lookup per local day: a day without a daylight-saving change has one offset.
    cached_day_ = d;
    const auto a = zone_->get_info(date::local_seconds(day));
    const auto b = zone_->get_info(date::local_seconds(day) + 86399s);
    cached_unique_ = a.result == date::local_info::unique && b.result == date::local_info::unique &&
                     a.first.offset == b.first.offset;
    cached_offset_ = a.first.offset;
  }
  const date::local_time<core::Nanoseconds> local = date::local_time<core::Nanoseconds>(day) + tod;
  if (cached_unique_) return core::Timestamp(local.time_since_epoch() - cached_offset_);
  const auto info = zone_->get_info(date::floor<std::chrono::seconds>(local));
  if (info.result == date::local_info::nonexistent)
    return error_at(kTime, fmt::format("on {} does not exist in {} (the daylight-saving gap)",
                                       field(kDate).text, options_.time_zone));
  if (info.result == date::local_info::ambiguous)
    return error_at(kTime,
                    fmt::format("on {} is ambiguous in {} (the hour repeated when daylight saving ends); "
                                "export in a zone without daylight saving, e.g. UTC",
                                field(kDate).text, options_.time_zone));
  return core::Timestamp(local.time_since_epoch() - info.first.offset);
}

core::Status Parser::parse_time(core::Timestamp& out) {
  // Date: YYYY/M/D or YYYY-MM-DD (one separator throughout).
  const std::string_view ds = field(kDate).text;
  int y = 0, mo = 0, dd = 0;
  std::size_t i = 0;
  bool ok = digits(ds, i, 4, y) && i == 4 && i < ds.size() && (ds[i] == '/' || ds[i] == '-');
  const char sep = ok ? ds[i] : 0;
  ok = ok && digits(ds, ++i, 2, mo) && i < ds.size() && ds[i] == sep && digits(ds, ++i, 2, dd) &&
       i == ds.size();
  if (!ok) return error_at(kDate, "is not a date like 2024/3/4 or 2024-03-04");
  const date::year_month_day ymd{date::year(y), date::month(static_cast<unsigned>(mo)),
                                 date::day(static_cast<unsigned>(dd))};
  if (!ymd.ok()) return error_at(kDate, "is not a valid date");
  if (y < 1970 || y > 2200) return error_at(kDate, "is outside the supported years 1970..2200");
  // Time: H:MM:SS or HH:MM:SS, optionally .f to .fffffffff.
  const std::string_view ts = field(kTime).text;
  int hh = 0, mm = 0, ss = 0;
  std::size_t j = 0;
  ok = digits(ts, j, 2, hh) && j < ts.size() && ts[j] == ':';
  const std::size_t m0 = ++j;
  ok = ok && digits(ts, j, 2, mm) && j == m0 + 2 && j < ts.size() && ts[j] == ':';
  const std::size_t s0 = ++j;
  ok = ok && digits(ts, j, 2, ss) && j == s0 + 2;
  std::int64_t frac_ns = 0;
  if (ok && j < ts.size()) {
    ok = ts[j] == '.' && j + 1 < ts.size();
    std::int64_t scale = 100'000'000;
    for (++j; ok && j < ts.size(); ++j) {
      ok = ts[j] >= '0' && ts[j] <= '9' && scale > 0;
      frac_ns += (ts[j] - '0') * scale;
      scale /= 10;
    }
  }
  if (!ok) return error_at(kTime, "is not a time like 08:30:00 or 08:30:00.018");
  if (hh > 23 || mm > 59 || ss > 59) return error_at(kTime, "is not a valid time of day");
  const auto tod = std::chrono::hours(hh) + std::chrono::minutes(mm) + std::chrono::seconds(ss) +
                   core::Nanoseconds(frac_ns);
  auto t = to_utc(date::local_days(ymd), tod);
  if (!t) return t.error();
  out = *t;
  return {};
}

core::Status Parser::parse_row() {
  SierraTextRow row;
  row.line = line_;
  if (auto st = parse_time(row.ts); !st) return st;
  bool in_band[4] = {true, true, true, true};
  const Col price_cols[4] = {kOpen, kHigh, kLow, kLast};
  core::Ticks* dst[4] = {&row.open, &row.high, &row.low, &row.last};
  for (std::size_t k = 0; k < 4; ++k)
    if (auto st = parse_price(price_cols[k], *dst[k], in_band[k]); !st) return st;
  for (auto [c, out] : {std::pair{kVolume, &row.volume},
                        {kTrades, &row.num_trades},
                        {kBidVolume, &row.bid_volume},
                        {kAskVolume, &row.ask_volume}})
    if (auto st = parse_u32(c, *out); !st) return st;
  for (std::size_t k = 0; k < 4; ++k) {
    if (in_band[k]) continue;
    ++report_.bad_price;
    const Field& f = field(price_cols[k]);
    problem(report_.bad_price,
            fmt::format("{}:{}:{}: {} \"{}\" is outside the accepted price band ({}, {}]; row skipped",
                        source_, line_, f.column, kNames[price_cols[k]], f.text, options_.band.min_price,
                        options_.band.max_price));
    return {};
  }
  if (row.low > row.high || row.open < row.low || row.open > row.high || row.last < row.low ||
      row.last > row.high)
    return core::Error{
        fmt::format("{}:{}: Open/High/Low/Last {}/{}/{}/{}: Open and Last must lie inside Low..High", source_,
                    line_, field(kOpen).text, field(kHigh).text, field(kLow).text, field(kLast).text)};
  if (row.volume == 0) {
    ++report_.zero_volume;
    const Field& f = field(kVolume);
    problem(report_.zero_volume, fmt::format("{}:{}:{}: Volume \"{}\": a bar without volume; row skipped",
                                             source_, line_, f.column, f.text));
    return {};
  }
  if (static_cast<std::uint64_t>(row.bid_volume) + row.ask_volume > row.volume) {
    ++report_.sides_exceed_volume;
    problem(report_.sides_exceed_volume,
            fmt::format("{}:{}: BidVolume {} + AskVolume {} exceed Volume {}; kept as exported", source_,
                        line_, row.bid_volume, row.ask_volume, row.volume));
  }
  if (row.ts < prev_ts_) ++report_.backwards;
  prev_ts_ = row.ts;
  sink_(row);
  return {};
}

core::Status Parser::run() {
  try {
    zone_ = date::locate_zone(options_.time_zone);
  } catch (const std::exception&) {
    return core::Error{
        fmt::format("{}: time zone \"{}\" is not in the tz database (e.g. America/Chicago, "
                    "America/New_York, UTC)",
                    source_, options_.time_zone)};
  }
  std::size_t pos = 0;
  bool have_header = false;
  while (pos < text_.size()) {
    const std::size_t nl = text_.find('\n', pos);
    std::string_view line =
        text_.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text_.size() : nl + 1;
    ++line_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line_ == 1) line = strip_bom(line);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (!have_header) {
      if (auto st = parse_header(line); !st) return st;
      have_header = true;
      continue;
    }
    split(line, delim_, fields_);
    if (fields_.size() != header_fields_)
      return core::Error{fmt::format("{}:{}: {} fields, expected {} like the header", source_, line_,
                                     fields_.size(), header_fields_)};
    ++report_.rows;
    if (auto st = parse_row(); !st) return st;
  }
  if (!have_header) return core::Error{fmt::format("{}: the file is empty (no header line)", source_)};
  return {};
}

}  // namespace

bool is_sierra_text_header(std::string_view first_line) noexcept {
  first_line = strip_bom(first_line);
  if (!first_line.empty() && first_line.back() == '\r') first_line.remove_suffix(1);
  const char delim = delimiter_of(first_line);
  if (delim == 0) return false;
  std::vector<Field> fields;
  try {
    split(first_line.substr(0, std::min<std::size_t>(first_line.size(), 64)), delim, fields);
  } catch (...) {
    return false;
  }
  return fields.size() >= 2 && same_text(fields[0].text, "Date") && same_text(fields[1].text, "Time");
}

core::Status parse_sierra_text(std::string_view text, const std::string& source,
                               const core::Instrument& instrument, const SierraTextOptions& options,
                               const SierraRowSink& sink, SierraTextReport& report) {
  Parser parser(text, source, instrument, options, sink, report);
  return parser.run();
}

core::Result<std::vector<SierraTextRow>> parse_sierra_text(std::string_view text, const std::string& source,
                                                           const core::Instrument& instrument,
                                                           const SierraTextOptions& options,
                                                           SierraTextReport* report) {
  SierraTextReport local;
  std::vector<SierraTextRow> rows;
  if (auto st = parse_sierra_text(
          text, source, instrument, options, [&](const SierraTextRow& r) { rows.push_back(r); },
          report ? *report : local);
      !st)
    return st.error();
  return rows;
}

core::Status build_bars_from_sierra_text(std::string_view text, const std::string& source,
                                         const core::Instrument& instrument, const SierraTextOptions& options,
                                         bars::FootprintBuilder& builder,
                                         const std::function<void(bars::FootprintBar&&)>& sink,
                                         SierraTextReport& report) {
  const bars::BuilderStats before = builder.stats();
  std::uint64_t too_wide = 0;
  const auto st = parse_sierra_text(
      text, source, instrument, options,
      [&](const SierraTextRow& r) {
        // The same path as a SCID bar record: totals at the close, open/high/low exact.
        const market::Trade close{r.ts, r.last, r.volume, r.bid_volume, r.ask_volume, r.num_trades};
        const std::uint64_t rejected = builder.stats().out_of_range;
        if (auto bar = builder.on_bar_record(close, r.open, r.high, r.low)) sink(std::move(*bar));
        if (builder.stats().out_of_range != rejected && ++too_wide <= kMaxProblems)
          report.problems.push_back(
              fmt::format("{}:{}: High {} .. Low {} would make a bar wider than {} ticks; "
                          "row skipped",
                          source, r.line, instrument.to_price(r.high), instrument.to_price(r.low),
                          builder.max_range_ticks()));
      },
      report);
  if (!st) return st;
  if (auto bar = builder.flush()) sink(std::move(*bar));
  report.bar_records = builder.stats().bar_records - before.bar_records;
  report.out_of_session = builder.stats().out_of_session - before.out_of_session;
  report.out_of_range = builder.stats().out_of_range - before.out_of_range;
  return {};
}

core::Status build_bars_from_sierra_text(const std::string& path, const core::Instrument& instrument,
                                         const SierraTextOptions& options, bars::FootprintBuilder& builder,
                                         const std::function<void(bars::FootprintBar&&)>& sink,
                                         SierraTextReport& report) {
  auto file = MappedText::open(path);
  if (!file) return file.error();
  return build_bars_from_sierra_text(file->text(), path, instrument, options, builder, sink, report);
}

}  // namespace daytrader::interop
