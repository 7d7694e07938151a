// daytrader bars: SCID ticks, a Sierra Chart text export or the original CSV -> footprint bars and
// features -> a dataset and/or the original CSV.

#include <filesystem>
#include <fstream>

#include <date/date.h>
#include <spdlog/spdlog.h>

#include "commands.h"
#include "common.h"
#include "core/instrument_table.h"
#include "dataset/dataset.h"
#include "features/feature_pipeline.h"
#include "interop/original_csv.h"

namespace daytrader::cli {

void add_bars(CLI::App& app) {
  struct Opts {
    std::string in;
    std::string out;
    std::string csv_out;
    std::string features_csv;
    BarOptions bar;
    bool quiet = false;
    bool sessions = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "bars",
      "Build footprint bars, session studies and features from SCID ticks, a Sierra Chart text export or the original CSV");
  cmd->add_option("--in", o->in,
                  "Input: a .scid tick file, a Sierra Chart text export (Export Bar Data to Text File), the original "
                  "system's ES_tuples.csv, or a dataset")
      ->required();
  cmd->add_option("--out", o->out, "Write a dataset (bars, footprints, features) for training");
  cmd->add_option("--csv-out", o->csv_out, "Write the bars in the original system's CSV format");
  cmd->add_option("--features-csv", o->features_csv,
                  "Write one CSV row per bar: its time, OHLC, volumes and the feature columns (docs/features.md)");
  add_bar_options(*cmd, o->bar, true);
  cmd->add_flag("--sessions", o->sessions, "Print a table of the sessions");
  cmd->add_flag("--quiet", o->quiet, "No progress line");
  cmd->callback([o] {
    must(features::validate(o->bar.features));
    // Checks the feature set before the long work; the pipeline proper follows the instrument.
    (void)features::FeaturePipeline(o->bar.features, core::SessionCalendar::cme_globex());

    // No output may overwrite the input or another output.
    const std::pair<const char*, const std::string*> outputs[] = {
        {"--out", &o->out}, {"--csv-out", &o->csv_out}, {"--features-csv", &o->features_csv}};
    for (std::size_t i = 0; i < std::size(outputs); ++i) {
      if (outputs[i].second->empty()) continue;
      refuse_input_as_output(o->in, *outputs[i].second, outputs[i].first);
      for (std::size_t j = 0; j < i; ++j)
        if (!outputs[j].second->empty() && std::filesystem::weakly_canonical(*outputs[j].second) ==
                                               std::filesystem::weakly_canonical(*outputs[i].second))
          fail("{} and {} both name {}", outputs[j].first, outputs[i].first, *outputs[i].second);
    }

    auto loaded = load_bars(o->in, o->bar, !o->quiet);
    for (const auto& n : loaded.notes) spdlog::info("{}", n);
    for (const auto& w : loaded.warnings) spdlog::warn("{}", w);
    const core::Instrument& inst = loaded.instrument.instrument;  // the bars' instrument
    const core::SessionCalendar& cal = *loaded.calendar;
    if (loaded.bars.empty()) {
      if (loaded.bad_prices > 0 && loaded.bad_prices >= loaded.records)
        fail("{}: no bars: every price was unusable (see the warnings); is the instrument right? The file was read "
             "as {} from {} (--instrument chooses another)", o->in, core::describe(inst), loaded.instrument.origin);
      fail("{}: no bars in the selected range (check --from/--to and the file)", o->in);
    }
    // "Minutes since the RTH open" counts from the instrument's RTH open (08:30 CT for ES).
    features::FeatureConfig feature_config = o->bar.features;
    feature_config.rth_open = core::rth_open_of(inst);
    features::FeaturePipeline pipeline(feature_config, cal);

    const auto& set = pipeline.feature_set();
    std::vector<float> features(loaded.bars.size() * set.size());
    for (std::size_t i = 0; i < loaded.bars.size(); ++i)
      pipeline.on_bar(loaded.bars[i], std::span<float>(features).subspan(i * set.size(), set.size()));

    const auto& first = loaded.bars.front();
    const auto& last = loaded.bars.back();
    std::size_t sessions = 1;
    for (std::size_t i = 1; i < loaded.bars.size(); ++i) sessions += loaded.bars[i].trade_date != loaded.bars[i - 1].trade_date;
    const bool rows = loaded.kind == InputKind::kOriginalCsv || loaded.kind == InputKind::kSierraText;
    fmt::print("Input     {} ({}, {} {})\n", o->in, to_string(loaded.kind), thousands(loaded.records),
               rows ? "rows" : "records");
    fmt::print("Instrument {} (from {})\n", core::describe(inst), loaded.instrument.origin);
    if (loaded.kind == InputKind::kScid)
      fmt::print("Trades    {} ({} outside session hours, skipped)\n", thousands(loaded.trades),
                 thousands(loaded.out_of_session));
    if (loaded.kind == InputKind::kSierraText)
      fmt::print("Rows      {} bar rows used ({} outside session hours, skipped); times read as {}\n",
                 thousands(loaded.bar_records), thousands(loaded.out_of_session), loaded.export_tz);
    fmt::print("Bars      {} x {} in {} session{}, {} .. {} (exchange time {})\n", thousands(loaded.bars.size()),
               o->bar.bar, sessions, sessions == 1 ? "" : "s", cal.format_local(first.open_time), cal.format_local(last.close_time),
               inst.time_zone);
    if (loaded.kind == InputKind::kSierraText)
      fmt::print("Note      a text export has no volume at price: bars carry the rows' OHLC, volume, bid/ask volume and "
                 "trades exactly; their footprints are approximate (each row's volume at its Last price; exact only "
                 "for a 1-tick chart)\n");
    else if (loaded.bar_records > 0)
      fmt::print("Note      {} of the trades are SCID bar records: bars carry their OHLC, volume, bid/ask volume "
                 "and trades exactly; their footprints are approximate (each record's volume at its close)\n",
                 thousands(loaded.bar_records));
    fmt::print("Features  {} v{} ({} columns, hash {})\n", set.name(), set.version(), set.size(), set.hash_hex());
    if (o->sessions) print_sessions(loaded.bars, inst);

    if (!o->out.empty()) {
      dataset::DatasetMeta meta;
      meta.instrument = inst;
      meta.bar = must(bars::BarSpec::parse(o->bar.bar));
      meta.source = std::filesystem::path(o->in).filename().string();
      write_via_temp(o->out, [&](const std::string& tmp) {
        return dataset::write_dataset(tmp, meta, set, loaded.bars, features);
      });
      fmt::print("Wrote     {} ({})\n", o->out, human_bytes(std::filesystem::file_size(o->out)));
    }
    if (!o->csv_out.empty()) {
      write_via_temp(o->csv_out, [&](const std::string& tmp) {
        return interop::export_original_csv(tmp, loaded.bars, inst, cal);
      });
      fmt::print("Wrote     {} ({})\n", o->csv_out, human_bytes(std::filesystem::file_size(o->csv_out)));
    }
    if (!o->features_csv.empty()) {
      write_via_temp(o->features_csv, [&](const std::string& tmp) -> core::Status {
        std::ofstream f(tmp, std::ios::binary);
        if (!f) return core::Error{fmt::format("{}: cannot create", o->features_csv)};
        fmt::memory_buffer buf;
        fmt::format_to(std::back_inserter(buf),
                       "trade_date,open_time,close_time,open,high,low,close,bar_volume,bid_volume,ask_volume,"
                       "num_trades,{}\n", fmt::join(set.columns(), ","));
        for (std::size_t i = 0; i < loaded.bars.size(); ++i) {
          const auto& b = loaded.bars[i];
          fmt::format_to(std::back_inserter(buf), "{},{},{},{},{},{},{},{},{},{},{}", core::format_trade_date(b.trade_date),
                         cal.format_local(b.open_time), cal.format_local(b.close_time), points(inst, b.open),
                         points(inst, b.high), points(inst, b.low), points(inst, b.close), b.volume, b.bid_volume,
                         b.ask_volume, b.num_trades);
          for (std::size_t c = 0; c < set.size(); ++c)
            fmt::format_to(std::back_inserter(buf), ",{}", features[i * set.size() + c]);
          buf.push_back('\n');
        }
        f.write(buf.data(), static_cast<std::streamsize>(buf.size()));
        f.close();
        if (!f) return core::Error{fmt::format("{}: cannot write", o->features_csv)};
        return {};
      });
      fmt::print("Wrote     {} ({} bars x {} features)\n", o->features_csv, thousands(loaded.bars.size()), set.size());
    }
  });
}

}  // namespace daytrader::cli
