// daytrader bars: SCID ticks or the original CSV -> footprint bars and features -> a dataset
// and/or the original CSV.

#include <filesystem>

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
  add_bar_options(*cmd, o->bar, true);
  cmd->add_flag("--sessions", o->sessions, "Print a table of the sessions");
  cmd->add_flag("--quiet", o->quiet, "No progress line");
  cmd->callback([o] {
    const auto& cal = core::SessionCalendar::cme_globex();
    const auto es = core::Instrument::es();
    must(features::validate(o->bar.features));
    features::FeaturePipeline pipeline(o->bar.features, cal);  // checks the feature set before the long work

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
    fmt::print("Features  {} v{} ({} columns, hash {})\n", set.name(), set.version(), set.size(), set.hash_hex());
    if (o->sessions) print_sessions(loaded.bars, es);

    if (!o->out.empty()) {
      const std::filesystem::path out(o->out);
      if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
      dataset::DatasetMeta meta;
      meta.instrument = es;
      meta.bar = must(bars::BarSpec::parse(o->bar.bar));
      meta.source = std::filesystem::path(o->in).filename().string();
      must(dataset::write_dataset(o->out, meta, set, loaded.bars, features));
      fmt::print("Wrote     {} ({})\n", o->out, human_bytes(std::filesystem::file_size(out)));
    }
    if (!o->csv_out.empty()) {
      const std::filesystem::path out(o->csv_out);
      if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
      must(interop::export_original_csv(o->csv_out, loaded.bars, es, cal));
      fmt::print("Wrote     {} ({})\n", o->csv_out, human_bytes(std::filesystem::file_size(out)));
    }
  });
}

}  // namespace daytrader::cli
