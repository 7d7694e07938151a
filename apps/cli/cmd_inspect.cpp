// daytrader inspect: what is in a SCID file, a Sierra Chart text export, a dataset or an original
// CSV, and a readable footprint of one bar.

#include <filesystem>

#include <spdlog/spdlog.h>

#include "commands.h"
#include "common.h"
#include "core/instrument_table.h"
#include "dataset/dataset.h"
#include "features/bar_profile.h"
#include "scid/reader.h"

namespace daytrader::cli {

namespace {

void describe_scid(const std::string& path, const core::SessionCalendar& cal) {
  auto reader = must(scid::Reader::open(path));
  for (const auto& w : reader.warnings()) spdlog::warn("{}", w);
  const auto& h = reader.header();
  fmt::print("File      {} (SCID version {}, header {} B, record {} B, {})\n", path, h.version, h.header_size,
             h.record_size, human_bytes(std::filesystem::file_size(path)));
  const auto rep = reader.validate();
  fmt::print("Records   {}: {} trades, {} quote updates, {} bar records, {} empty", thousands(rep.records),
             thousands(rep.trades), thousands(rep.quotes), thousands(rep.bars), thousands(rep.empty));
  if (reader.trailing_bytes() > 0) fmt::print("; {} bytes of a partial record ignored", reader.trailing_bytes());
  fmt::print("\n");
  if (rep.bars > 0)
    fmt::print("Footprint {} bar records (Sierra's storage unit is not 1 tick): bars keep their open, high, low, "
               "close, volume, bid/ask volume and trades exactly, but each record's volume is placed at its close "
               "price, so footprints, POC and value area are approximate; use 1-tick data for exact footprints\n",
               thousands(rep.bars));
  if (rep.bad_times > 0)
    fmt::print("Bad times {} records with an undecodable DateTime or one past 2262 (skipped by bars)\n",
               thousands(rep.bad_times));
  const auto records = reader.records();
  std::optional<core::Timestamp> first, last;
  for (const auto& r : records)
    if ((first = scid::decode_time(r.date_time))) break;
  for (auto it = records.rbegin(); it != records.rend(); ++it)
    if ((last = scid::decode_time(it->date_time))) break;
  if (first && last)
    fmt::print("Time      {} .. {} UTC\n          {} .. {} exchange time\n", core::format_utc(*first),
               core::format_utc(*last), cal.format_local(*first), cal.format_local(*last));
  if (rep.backwards == 0) {
    fmt::print("Order     timestamps never go backwards\n");
  } else {
    fmt::print("Order     {} records are earlier than the record before them; first at", thousands(rep.backwards));
    for (const auto& b : rep.first_backwards) fmt::print(" record {}", b.index);
    fmt::print("\n");
  }
}

void describe_dataset(const std::string& path) {
  auto d = must(dataset::Dataset::open(path));
  const auto& fs = d.feature_set();
  fmt::print("File      {} (dataset format {}, {})\n", path, dataset::kFormatVersion,
             human_bytes(std::filesystem::file_size(path)));
  fmt::print("Source    {}, {} bars of {}, {} sessions\n", d.meta().source, thousands(d.size()),
             d.meta().bar.to_string(), d.sessions().size());
  fmt::print("Features  {} v{} ({} columns, hash {})\n", fs.name(), fs.version(), fs.size(), fs.hash_hex());
}

// A footprint the way a trader reads one: highest price on top, bid x ask per level.
void print_footprint(const bars::FootprintBar& bar, std::size_t index, const core::Instrument& es,
                     const core::SessionCalendar& cal, const features::ProfileConfig& pc) {
  const auto& s = bar.studies;
  fmt::print("\nBar #{}  {} .. {} exchange time  (trade date {}, bar {} of its session)\n", index,
             cal.format_local(bar.open_time), cal.format_local(bar.close_time),
             core::format_trade_date(bar.trade_date), bar.index_in_session + 1);
  fmt::print("O {}  H {}  L {}  C {}   volume {}  trades {}  delta {}  CVD {}  VWAP {:.2f}\n",
             points(es, bar.open), points(es, bar.high), points(es, bar.low), points(es, bar.close),
             thousands(bar.volume), thousands(bar.num_trades), signed_thousands(s.delta),
             signed_thousands(s.cum_delta), s.vwap * es.tick_size);
  fmt::print("Session open {}  high {}  low {}", points(es, s.session_open), points(es, s.session_high),
             points(es, s.session_low));
  if (s.has_prev_session) fmt::print("   previous session high {}  low {}", points(es, s.prev_high), points(es, s.prev_low));
  fmt::print("\n\n");
  const auto profile = features::compute_profile(bar, pc);
  fmt::print("{:>10}  {:>7} x {:<7} {:>7} {:>6}\n", "price", "bid", "ask", "volume", "trades");
  for (std::size_t k = bar.levels.size(); k-- > 0;) {
    const auto& l = bar.levels[k];
    const auto imb = features::level_imbalance(bar.levels, k, pc);
    std::string notes;
    if (l.price == profile.poc_price) notes += "  POC";
    else if (l.price == profile.hvn_price) notes += "  HVN";
    if (l.price == profile.lvn_price && bar.levels.size() > 1) notes += "  LVN";
    if (l.price == profile.value_area_high) notes += "  VAH";
    if (l.price == profile.value_area_low) notes += "  VAL";
    fmt::print("{:>10}  {:>6}{} x {}{:<6} {:>7} {:>6}{}\n", points(es, l.price), l.bid_volume, imb.sell ? '*' : ' ',
               imb.buy ? '*' : ' ', l.ask_volume, l.volume, l.trades, notes);
  }
  fmt::print("\n* imbalance ({}x, min {}): buy {}  sell {}  stacked buy {}  stacked sell {}   unfinished auction: "
             "high {}  low {}\n", pc.imbalance_ratio, pc.imbalance_min_volume, profile.buy_imbalances,
             profile.sell_imbalances, profile.stacked_buy_imbalances, profile.stacked_sell_imbalances,
             profile.unfinished_high ? "yes" : "no", profile.unfinished_low ? "yes" : "no");
}

}  // namespace

void add_inspect(CLI::App& app) {
  struct Opts {
    std::string path;
    BarOptions bar;
    std::optional<long> index;
    std::string at;
    bool sessions = true;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "inspect", "Describe a SCID file, Sierra Chart text export, dataset or original CSV and show a bar's footprint");
  cmd->add_option("file", o->path,
                  "A .scid tick file, a Sierra Chart text export, a dataset, or an original ES_tuples.csv")
      ->required();
  add_bar_options(*cmd, o->bar, true);
  cmd->add_option("--index", o->index, "Show the footprint of this bar (0 = first, -1 = last)");
  cmd->add_option("--at", o->at, "Show the footprint of the bar open at this exchange time (YYYY-MM-DD HH:MM)");
  cmd->add_flag("!--no-sessions", o->sessions, "Do not print the table of sessions");
  cmd->callback([o] {
    must(features::validate(o->bar.features));
    const auto loaded = load_bars(o->path, o->bar, true);
    for (const auto& n : loaded.notes) spdlog::info("{}", n);
    for (const auto& w : loaded.warnings) spdlog::warn("{}", w);
    const core::Instrument& inst = loaded.instrument.instrument;
    const core::SessionCalendar& cal = *loaded.calendar;
    const auto kind = loaded.kind;
    if (kind == InputKind::kScid) describe_scid(o->path, cal);
    if (kind == InputKind::kDataset) describe_dataset(o->path);
    if (kind == InputKind::kOriginalCsv)
      fmt::print("File      {} (original CSV, {} rows)\n", o->path, thousands(loaded.records));
    if (kind == InputKind::kSierraText) {
      fmt::print("File      {} (Sierra Chart text export, {} rows; times read as {}; --export-tz names the chart's "
                 "time zone)\n", o->path, thousands(loaded.records), loaded.export_tz);
      fmt::print("Footprint none in the file: a text export holds bars, not volume at price, so each row's volume, "
                 "bid/ask volume and trades sit at its Last price; footprints, POC and value area are approximate "
                 "(exact only for a 1-tick chart)\n");
    }
    fmt::print("Instrument {} (from {})\n", core::describe(inst), loaded.instrument.origin);
    fmt::print("Bars      {} x {}\n", thousands(loaded.bars.size()), o->bar.bar);
    if (o->sessions && !loaded.bars.empty()) print_sessions(loaded.bars, inst);

    std::optional<std::size_t> chosen;
    if (o->index) {
      const long n = static_cast<long>(loaded.bars.size());
      const long i = *o->index < 0 ? n + *o->index : *o->index;
      if (i < 0 || i >= n) fail("--index {} is outside the {} bars", *o->index, n);
      chosen = static_cast<std::size_t>(i);
    } else if (!o->at.empty()) {
      const auto t = parse_exchange_time(o->at, "--at", cal);
      for (std::size_t i = 0; i < loaded.bars.size(); ++i)
        if (loaded.bars[i].open_time <= t && t < loaded.bars[i].close_time) chosen = i;
      if (!chosen) fail("no bar is open at {} exchange time", o->at);
    }
    if (chosen) print_footprint(loaded.bars[*chosen], *chosen, inst, cal, o->bar.features.profile);
  });
}

}  // namespace daytrader::cli
