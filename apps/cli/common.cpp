#include "common.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <date/date.h>

#include <spdlog/spdlog.h>

#include "bars/scid_bars.h"
#include "core/instrument_table.h"
#include "core/numbers.h"
#include "dataset/dataset.h"
#include "interop/original_csv.h"
#include "interop/sierra_text.h"
#include "scid/reader.h"

namespace daytrader::cli {

using Clock = std::chrono::steady_clock;

Progress::Progress(std::string label, std::uint64_t total, std::string unit)
    : label_(std::move(label)), total_(total), unit_(std::move(unit)), tty_(::isatty(STDERR_FILENO) != 0),
      start_(Clock::now()), last_draw_(start_) {}

Progress::~Progress() {
  if (!finished_) finish();
}

void Progress::update(std::uint64_t done) {
  const auto now = Clock::now();
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double frac = total_ > 0 ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
  const double rate = secs > 0 ? static_cast<double>(done) / secs : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - std::min(done, total_)) / rate : 0.0;
  if (tty_) {
    if (now - last_draw_ < std::chrono::milliseconds(100) && done < total_) return;
    last_draw_ = now;
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(frac * kWidth);
    std::fprintf(stderr, "\r%s [%s%s] %5.1f%%  %s/%s %s  %.0f %s/s  ETA %.0fs   ", label_.c_str(),
                 std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(kWidth - filled), '.').c_str(), frac * 100.0,
                 thousands(done).c_str(), thousands(total_).c_str(), unit_.c_str(), rate, unit_.c_str(), eta);
  } else {
    const int decile = static_cast<int>(frac * 10);
    if (decile == last_decile_ || decile >= 10) return;
    last_decile_ = decile;
    std::fprintf(stderr, "%s: %3d%%  %s/%s %s\n", label_.c_str(), decile * 10, thousands(done).c_str(),
                 thousands(total_).c_str(), unit_.c_str());
  }
  std::fflush(stderr);
}

void Progress::finish() {
  finished_ = true;
  const double secs = std::chrono::duration<double>(Clock::now() - start_).count();
  if (tty_) std::fprintf(stderr, "\r\033[K");
  std::fprintf(stderr, "%s: done, %s %s in %.2f s\n", label_.c_str(), thousands(total_).c_str(), unit_.c_str(), secs);
  std::fflush(stderr);
}

InputKind detect_input(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail("{}: cannot open", path);
  char head[4096] = {};
  f.read(head, sizeof head);
  const auto n = static_cast<std::size_t>(f.gcount());
  const std::string_view bytes(head, n);
  if (n >= 4 && bytes.substr(0, 4) == "SCID") return InputKind::kScid;
  if (n >= 6 && bytes.substr(0, 6) == "DTDATA") return InputKind::kDataset;
  if (interop::is_sierra_text_header(bytes.substr(0, bytes.find('\n')))) return InputKind::kSierraText;
  if (path.size() >= 4 && path.substr(path.size() - 4) == ".csv") return InputKind::kOriginalCsv;
  fail("{}: not a SCID file (magic \"SCID\"), a daytrader dataset (\"DTDATA\"), a Sierra Chart text export "
       "(first line \"Date, Time, Open, ...\") or an original CSV (*.csv)", path);
}

const char* to_string(InputKind k) {
  switch (k) {
    case InputKind::kScid: return "SCID";
    case InputKind::kDataset: return "dataset";
    case InputKind::kOriginalCsv: return "original CSV";
    case InputKind::kSierraText: return "Sierra Chart text export";
  }
  return "?";
}

InstrumentChoice choose_instrument(const std::string& option, const std::string& path, InputKind kind,
                                   const core::Instrument* recorded) {
  InstrumentChoice c;
  std::optional<core::Instrument> chosen;
  if (!option.empty()) {
    auto i = core::instrument_from_option(option);
    if (!i) fail("--instrument: {}", i.error().message);
    chosen = std::move(i).value();
  }
  if (kind == InputKind::kDataset) {
    if (recorded == nullptr) fail("{}: the dataset's instrument is not known", path);
    if (chosen && chosen->root != recorded->root)
      fail("{}: the dataset holds {}; --instrument {} names {} (a dataset keeps the instrument it was built for)",
           path, core::describe(*recorded), option, chosen->root);
    c.instrument = *recorded;
    c.origin = "the dataset";
    return c;
  }
  const std::string name = std::filesystem::path(path).filename().string();
  auto from_name = core::symbol_from_file_name(name);
  if (chosen) {
    c.instrument = *chosen;
    c.origin = "--instrument";
    if (from_name && from_name->has_value()) {
      const auto& sym = **from_name;
      if (sym.root != chosen->root)
        spdlog::warn("--instrument {} overrides the file name {}, which names {}", option, name, sym.root);
      else if (c.instrument.symbol.empty() && sym.is_contract())
        c.instrument.symbol = sym.text;  // the contract, when the option names only the root
    }
  } else {
    if (!from_name) fail("{} (--instrument reads the file as one of them)", from_name.error().message);
    if (from_name->has_value()) {
      const auto& sym = **from_name;
      c.instrument = core::find_instrument(sym.root)->instrument(sym.is_contract() ? sym.text : std::string());
      c.origin = "the file name";
    } else {
      c.instrument = core::Instrument::es();
      c.origin = "the default";
      c.defaulted = true;
      spdlog::warn("No instrument given (--instrument) and none in the file name {}: assuming {}, the default", name,
                   core::describe(c.instrument));
    }
  }
  return c;
}

std::string thousands(std::uint64_t n) { return core::thousands(n); }

std::string signed_thousands(std::int64_t n) { return core::signed_thousands(n); }

std::string points(const core::Instrument& instrument, core::Ticks t) {
  return fmt::format("{:.2f}", instrument.to_price(t));
}

std::string human_bytes(std::uint64_t n) {
  if (n >= (1ULL << 30)) return fmt::format("{:.1f} GiB", static_cast<double>(n) / (1ULL << 30));
  if (n >= (1ULL << 20)) return fmt::format("{:.1f} MiB", static_cast<double>(n) / (1ULL << 20));
  if (n >= (1ULL << 10)) return fmt::format("{:.1f} KiB", static_cast<double>(n) / (1ULL << 10));
  return fmt::format("{} B", n);
}

namespace {
// Reads a fixed-width number at s[pos, pos + len); false unless all are digits.
bool digits_at(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  out = 0;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}
}  // namespace

std::int32_t parse_trade_date(const std::string& text, const char* option) {
  int y = 0, m = 0, d = 0;
  const bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-' && digits_at(text, 0, 4, y) &&
                      digits_at(text, 5, 2, m) && digits_at(text, 8, 2, d);
  const date::year_month_day ymd{date::year(y), date::month(static_cast<unsigned>(m)), date::day(static_cast<unsigned>(d))};
  if (!shaped || !ymd.ok()) fail("{} \"{}\" is not a date like 2024-03-15", option, text);
  return static_cast<std::int32_t>(date::sys_days(ymd).time_since_epoch().count());
}

core::Timestamp parse_exchange_time(const std::string& text, const char* option, const core::SessionCalendar& cal) {
  int hh = 0, mm = 0;
  if (text.size() != 16 || text[10] != ' ' || text[13] != ':' || !digits_at(text, 11, 2, hh) ||
      !digits_at(text, 14, 2, mm) || hh > 23 || mm > 59)
    fail("{} \"{}\" is not an exchange time like 2024-03-05 08:30", option, text);
  const auto day = parse_trade_date(text.substr(0, 10), option);
  return cal.to_utc(date::local_days(date::days(day)), std::chrono::hours(hh) + std::chrono::minutes(mm));
}

void add_bar_options(CLI::App& cmd, BarOptions& o, bool with_features) {
  cmd.add_option("--bar", o.bar, "Bar period: 30s, 1m, 5m, 1h (time), v500 (volume), t1000 (trades)")
      ->capture_default_str();
  cmd.add_option("--instrument", o.instrument,
                 "Instrument: a root (ES, MES, NQ, MNQ, YM, MYM, RTY, M2K, CL, MCL, GC, MGC) or a symbol (MESM26-CME); "
                 "default: the symbol the file name starts with, else ES");
  cmd.add_option("--export-tz", o.export_tz,
                 "Sierra Chart text export: the time zone of its Date/Time (the chart's, e.g. America/New_York); "
                 "default: the instrument's exchange time (America/Chicago)");
  cmd.add_option("--from", o.from, "First trade date to keep (YYYY-MM-DD, exchange calendar)");
  cmd.add_option("--to", o.to, "Last trade date to keep (YYYY-MM-DD), inclusive");
  cmd.add_flag("--keep-csv-studies", o.keep_csv_studies,
               "Original CSV input: keep the file's Delta/CVD/TodayOpen/PrevHigh/PrevLow/VWAP instead of "
               "recomputing them");
  cmd.add_option("--min-price", o.min_price,
                 "Prices at or below this (points) are bad: such SCID records and CSV/text rows are skipped and counted")
      ->capture_default_str();
  cmd.add_option("--max-price", o.max_price, "Prices above this (points) are bad, as --min-price")
      ->capture_default_str();
  cmd.add_option("--max-bar-range", o.max_bar_range_ticks,
                 "Widest bar in ticks (high - low + 1); a print that would exceed it is skipped and counted")
      ->capture_default_str();
  if (!with_features) return;
  auto& p = o.features.profile;
  cmd.add_option("--value-area", p.value_area_percent, "Value area, percent of the bar's volume")
      ->capture_default_str();
  cmd.add_option("--imbalance-ratio", p.imbalance_ratio,
                 "Diagonal imbalance ratio (3 = 300%): ask at p vs bid at p-1 tick, bid at p vs ask at p+1")
      ->capture_default_str();
  cmd.add_option("--imbalance-min-volume", p.imbalance_min_volume,
                 "Minimum volume on the dominant side for an imbalance")
      ->capture_default_str();
  cmd.add_option("--stacked-min", p.stacked_min_run, "Adjacent imbalanced levels that make a stack")
      ->capture_default_str();
}

LoadedBars load_bars(const std::string& path, const BarOptions& o, bool show_progress) {
  const auto spec = must(bars::BarSpec::parse(o.bar));
  const std::int32_t from = o.from.empty() ? INT32_MIN : parse_trade_date(o.from, "--from");
  const std::int32_t to = o.to.empty() ? INT32_MAX : parse_trade_date(o.to, "--to");
  if (from > to) fail("--from {} is after --to {}", o.from, o.to);
  if (!(o.min_price < o.max_price)) fail("--min-price {} must be below --max-price {}", o.min_price, o.max_price);
  LoadedBars out;
  out.kind = detect_input(path);
  if (!o.export_tz.empty() && out.kind != InputKind::kSierraText)
    fail("--export-tz applies to Sierra Chart text exports; {} is a {} file{}", path, to_string(out.kind),
         out.kind == InputKind::kScid ? " (SCID times are UTC)" : "");
  std::optional<dataset::Dataset> data;
  if (out.kind == InputKind::kDataset) data.emplace(must(dataset::Dataset::open(path)));
  out.instrument = choose_instrument(o.instrument, path, out.kind, data ? &data->meta().instrument : nullptr);
  const core::Instrument& instrument = out.instrument.instrument;
  const core::SessionCalendar& calendar = core::session_calendar_of(instrument);
  out.calendar = &calendar;
  const market::PriceBand band{o.min_price, o.max_price};
  auto keep = [&](const bars::FootprintBar& b) { return b.trade_date >= from && b.trade_date <= to; };

  switch (out.kind) {
    case InputKind::kScid: {
      auto reader = must(scid::Reader::open(path));
      out.warnings = reader.warnings();
      auto records = reader.records();
      // Seek to the first session of --from by binary search; stop after --to's session.
      if (from != INT32_MIN) {
        const auto open = calendar.session(date::sys_days(date::days(from))).open;
        records = records.subspan(reader.lower_bound(open));
      }
      if (to != INT32_MAX) {
        const auto close = calendar.session(date::sys_days(date::days(to))).close;
        const auto base = static_cast<std::size_t>(records.data() - reader.records().data());
        records = records.first(reader.lower_bound(close) - base);
      }
      bars::FootprintBuilder builder(spec, calendar);
      builder.set_max_range_ticks(o.max_bar_range_ticks);
      std::optional<Progress> progress;
      if (show_progress) progress.emplace("bars", records.size(), "records");
      const auto rep = bars::build_bars_from_scid(
          records, instrument, builder, [&](bars::FootprintBar&& b) { if (keep(b)) out.bars.push_back(std::move(b)); },
          true, path, [&](std::uint64_t done, std::uint64_t) { if (progress) progress->update(done); }, band);
      if (progress) progress->finish();
      out.records = rep.records;
      out.trades = rep.trades;
      out.out_of_session = builder.stats().out_of_session;
      out.bar_records = rep.bar_records;
      out.bad_prices = rep.bad_price;
      for (const auto& p : rep.problems) out.warnings.push_back(p);
      if (const auto& s = builder.stats(); s.first_out_of_range && rep.out_of_range > 0)
        out.warnings.push_back(fmt::format(
            "{}: trade at {} UTC, price {}, would make a bar wider than --max-bar-range {} ticks; skipped", path,
            core::format_utc(s.first_out_of_range->ts), points(instrument, s.first_out_of_range->price),
            o.max_bar_range_ticks));
      if (const auto bad = bars::bad_records(rep); bad > 0)
        out.warnings.push_back(fmt::format(
            "{}: {} bad records in all, skipped: {} bad prices (off the tick grid, not finite, or outside "
            "--min-price {} .. --max-price {}), {} bad DateTimes, {} with volume 0, {} too wide for a bar",
            path, bad, rep.bad_price, o.min_price, o.max_price, rep.bad_time, rep.zero_volume, rep.out_of_range));
      if (builder.stats().out_of_order > 0)
        out.warnings.push_back(fmt::format("{}: {} trades earlier than the bar before them (kept in the next bar)",
                                           path, builder.stats().out_of_order));
      break;
    }
    case InputKind::kSierraText: {
      interop::SierraTextOptions so;
      so.time_zone = o.export_tz.empty() ? instrument.time_zone : o.export_tz;
      so.band = band;
      out.export_tz = so.time_zone;
      out.notes.push_back(fmt::format(
          "Times in {} read as {} ({}); Sierra Chart exports in the chart's time zone", path, so.time_zone,
          o.export_tz.empty() ? "the exchange time, the default of --export-tz" : "--export-tz"));
      bars::FootprintBuilder builder(spec, calendar);
      builder.set_max_range_ticks(o.max_bar_range_ticks);
      interop::SierraTextReport rep;
      must(interop::build_bars_from_sierra_text(
          path, instrument, so, builder, [&](bars::FootprintBar&& b) { if (keep(b)) out.bars.push_back(std::move(b)); },
          rep));
      out.records = rep.rows;
      out.trades = rep.bar_records;
      out.bar_records = rep.bar_records;
      out.out_of_session = rep.out_of_session;
      out.bad_prices = rep.bad_price;
      if (!rep.ignored_columns.empty())
        out.notes.push_back(fmt::format("{}: columns not read: {}", path, fmt::join(rep.ignored_columns, ", ")));
      out.warnings = rep.problems;
      if (rep.skipped() > 0)
        out.warnings.push_back(fmt::format(
            "{}: {} rows in all, skipped: {} with a price outside --min-price {} .. --max-price {}, {} with Volume 0, "
            "{} too wide for a bar", path, rep.skipped(), rep.bad_price, o.min_price, o.max_price, rep.zero_volume,
            rep.out_of_range));
      if (rep.sides_exceed_volume > 0)
        out.warnings.push_back(fmt::format("{}: {} rows have BidVolume + AskVolume above Volume (kept as exported)",
                                           path, rep.sides_exceed_volume));
      if (rep.out_of_session > 0)
        out.warnings.push_back(fmt::format(
            "{}: {} rows fall in no session (the daily halt or a weekend in {} exchange time), skipped; if that is "
            "every day's last or first hour, the export's time zone is not {}: give the chart's with --export-tz",
            path, rep.out_of_session, instrument.time_zone, so.time_zone));
      if (rep.backwards > 0)
        out.warnings.push_back(fmt::format("{}: {} rows are earlier than the row before them (kept in the next bar)",
                                           path, rep.backwards));
      if (builder.stats().out_of_order > 0 && rep.backwards == 0)
        out.warnings.push_back(fmt::format("{}: {} rows earlier than the bar before them (kept in the next bar)",
                                           path, builder.stats().out_of_order));
      break;
    }
    case InputKind::kOriginalCsv: {
      interop::CsvImportOptions opts;
      opts.bar = spec;
      opts.recompute_studies = !o.keep_csv_studies;
      opts.band = band;
      interop::CsvImportReport rep;
      auto all = must(interop::import_original_csv(path, instrument, calendar, opts, &rep));
      out.records = rep.rows;
      out.warnings = rep.warnings;
      out.bad_prices = rep.bad_price_rows + rep.bad_price_levels;
      for (const auto& p : rep.problems) out.warnings.push_back(p);
      if (rep.skipped_rows() > 0 || rep.empty_bars > 0)
        out.warnings.push_back(fmt::format(
            "{}: {} rows in all, skipped: {} bars ({} rows) with a price outside --min-price {} .. --max-price {}, "
            "{} level rows with such a price, {} level rows with TotalVolume 0, {} bars left without a level",
            path, rep.skipped_rows(), rep.bad_price_bars, rep.bad_price_rows, o.min_price, o.max_price,
            rep.bad_price_levels, rep.zero_volume_levels, rep.empty_bars));
      for (auto& b : all) {
        out.trades += b.num_trades;
        if (keep(b)) out.bars.push_back(std::move(b));
      }
      break;
    }
    case InputKind::kDataset: {
      const dataset::Dataset& d = *data;
      if (d.meta().bar != spec && o.bar != "1m")
        fail("{} holds {} bars; rebuilding with --bar {} needs the SCID or CSV source", path, d.meta().bar.to_string(), o.bar);
      out.records = d.size();
      for (std::size_t i = 0; i < d.size(); ++i) {
        if (d.bars()[i].trade_date < from || d.bars()[i].trade_date > to) continue;
        out.bars.push_back(d.footprint_bar(i));
        out.trades += out.bars.back().num_trades;
      }
      break;
    }
  }
  return out;
}

void refuse_input_as_output(const std::string& in, const std::string& out, const char* option) {
  namespace fs = std::filesystem;
  std::error_code ec;
  bool same = fs::exists(out, ec) && fs::equivalent(in, out, ec) && !ec;
  if (!same) {
    const auto a = fs::weakly_canonical(in, ec);
    const auto b = fs::weakly_canonical(out, ec);
    same = !ec && a == b;
  }
  if (same) fail("{} {} is the input file {}; refusing to overwrite the source", option, out, in);
}

void write_via_temp(const std::string& path, const std::function<core::Status(const std::string&)>& write) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  if (target.has_parent_path()) fs::create_directories(target.parent_path());
  const std::string tmp = fmt::format("{}.tmp-{}", path, ::getpid());
  const core::Status st = write(tmp);
  std::error_code ec;
  if (!st) {
    fs::remove(tmp, ec);
    must(st);
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    fail("{}: cannot rename the temporary file {} into place: {}", path, tmp, ec.message());
  }
}

void print_sessions(const std::vector<bars::FootprintBar>& bars, const core::Instrument& es) {
  fmt::print("{:<12} {:>5} {:>9} {:>9} {:>9} {:>9} {:>11} {:>10} {:>9}\n", "trade date", "bars", "open", "high",
             "low", "close", "volume", "delta", "vwap");
  std::size_t i = 0;
  while (i < bars.size()) {
    std::size_t j = i;
    std::uint64_t volume = 0;
    while (j < bars.size() && bars[j].trade_date == bars[i].trade_date) volume += bars[j++].volume;
    const auto& last = bars[j - 1];
    fmt::print("{:<12} {:>5} {:>9} {:>9} {:>9} {:>9} {:>11} {:>10} {:>9.2f}\n",
               core::format_trade_date(bars[i].trade_date), j - i,
               points(es, last.studies.session_open), points(es, last.studies.session_high),
               points(es, last.studies.session_low), points(es, last.close), thousands(volume),
               signed_thousands(last.studies.cum_delta), last.studies.vwap * es.tick_size);
    i = j;
  }
}

}  // namespace daytrader::cli
