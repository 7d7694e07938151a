// daytrader bars: SCID ticks or the original CSV -> footprint bars and features -> a dataset
// and/or the original CSV.

#include <filesystem>
#include <fstream>

#include <date/date.h>
#include <spdlog/spdlog.h>

#include "commands.h"
#include "common.h"
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
      "bars", "Build footprint bars, session studies and features from SCID ticks or the original CSV");
  cmd->add_option("--in", o->in, "Input: a .scid tick file, the original system's ES_tuples.csv, or a dataset")
      ->required();
  cmd->add_option("--out", o->out, "Write a dataset (bars, footprints, features) for training");
  cmd->add_option("--csv-out", o->csv_out, "Write the bars in the original system's CSV format");
  cmd->add_option("--features-csv", o->features_csv,
                  "Write one CSV row per bar: its time, OHLC, volumes and the feature columns (docs/features.md)");
  add_bar_options(*cmd, o->bar, true);
  cmd->add_flag("--sessions", o->sessions, "Print a table of the sessions");
  cmd->add_flag("--quiet", o->quiet, "No progress line");
  cmd->callback([o] {
    const auto& cal = core::SessionCalendar::cme_globex();
    const auto es = core::Instrument::es();
    must(features::validate(o->bar.features));
    features::FeaturePipeline pipeline(o->bar.features, cal);  // checks the feature set before the long work

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

    auto loaded = load_bars(o->in, o->bar, es, cal, !o->quiet);
    for (const auto& w : loaded.warnings) spdlog::warn("{}", w);
    if (loaded.bars.empty()) fail("{}: no bars in the selected range (check --from/--to and the file)", o->in);

    const auto& set = pipeline.feature_set();
    std::vector<float> features(loaded.bars.size() * set.size());
    for (std::size_t i = 0; i < loaded.bars.size(); ++i)
      pipeline.on_bar(loaded.bars[i], std::span<float>(features).subspan(i * set.size(), set.size()));

    const auto& first = loaded.bars.front();
    const auto& last = loaded.bars.back();
    std::size_t sessions = 1;
    for (std::size_t i = 1; i < loaded.bars.size(); ++i) sessions += loaded.bars[i].trade_date != loaded.bars[i - 1].trade_date;
    fmt::print("Input     {} ({}, {} {})\n", o->in, to_string(loaded.kind), thousands(loaded.records),
               loaded.kind == InputKind::kOriginalCsv ? "rows" : "records");
    if (loaded.kind == InputKind::kScid)
      fmt::print("Trades    {} ({} outside session hours, skipped)\n", thousands(loaded.trades),
                 thousands(loaded.out_of_session));
    fmt::print("Bars      {} x {} in {} session{}, {} .. {} (exchange time {})\n", thousands(loaded.bars.size()),
               o->bar.bar, sessions, sessions == 1 ? "" : "s", cal.format_local(first.open_time), cal.format_local(last.close_time),
               es.time_zone);
    if (loaded.bar_records > 0)
      fmt::print("Note      {} of the trades are SCID bar records: bars carry their OHLC, volume, bid/ask volume "
                 "and trades exactly; their footprints are approximate (each record's volume at its close)\n",
                 thousands(loaded.bar_records));
    fmt::print("Features  {} v{} ({} columns, hash {})\n", set.name(), set.version(), set.size(), set.hash_hex());
    if (o->sessions) print_sessions(loaded.bars, es);

    if (!o->out.empty()) {
      dataset::DatasetMeta meta;
      meta.instrument = es;
      meta.bar = must(bars::BarSpec::parse(o->bar.bar));
      meta.source = std::filesystem::path(o->in).filename().string();
      write_via_temp(o->out, [&](const std::string& tmp) {
        return dataset::write_dataset(tmp, meta, set, loaded.bars, features);
      });
      fmt::print("Wrote     {} ({})\n", o->out, human_bytes(std::filesystem::file_size(o->out)));
    }
    if (!o->csv_out.empty()) {
      write_via_temp(o->csv_out, [&](const std::string& tmp) {
        return interop::export_original_csv(tmp, loaded.bars, es, cal);
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
                         cal.format_local(b.open_time), cal.format_local(b.close_time), points(es, b.open),
                         points(es, b.high), points(es, b.low), points(es, b.close), b.volume, b.bid_volume,
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
