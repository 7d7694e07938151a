// daytrader generate: the synthetic ES market, written as Sierra Chart tick records.

#include <cmath>
#include <filesystem>

#include <date/date.h>
#include <spdlog/spdlog.h>

#include "commands.h"
#include "common.h"
#include "gen/market_generator.h"
#include "gen/market_stats.h"
#include "scid/reader.h"
#include "scid/writer.h"

namespace daytrader::cli {

void add_generate(CLI::App& app) {
  struct Opts {
    gen::GeneratorConfig config;
    std::string out = "data/ES-synthetic.scid";
    std::string first_date;
    bool quiet = false;
    bool stats = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "generate", "Generate a deterministic synthetic ES tick file (SCID) on the CME Globex calendar");
  cmd->add_option("--sessions", o->config.sessions, "Trade dates (sessions) to generate")
      ->check(CLI::Range(1, 5000))
      ->capture_default_str();
  cmd->add_option("--seed", o->config.seed, "Random seed; the same seed gives the same file")->capture_default_str();
  cmd->add_option("--out", o->out, "Output .scid file (replaced)")->capture_default_str();
  cmd->add_option("--start", o->first_date, "First trade date, YYYY-MM-DD (default 2024-02-26)");
  cmd->add_option("--start-price", o->config.start_price, "First price in index points")->capture_default_str();
  cmd->add_option("--orders-per-session", o->config.orders_per_session,
                  "Aggressive orders per session (each may fill at several prices)")
      ->capture_default_str();
  cmd->add_option("--signal-strength", o->config.signal_strength,
                  "How much order flow predicts prices: 1 = the default market, 0 = none (a null market), "
                  "up to 2; the orders are the same at every strength (docs/synthetic-market.md)")
      ->capture_default_str();
  cmd->add_flag("--stats", o->stats,
                "Measure the written file's predictability: imbalance-return correlations and a follow-the-"
                "imbalance rule, with standard errors");
  cmd->add_flag("--quiet", o->quiet, "No progress line");
  cmd->callback([o] {
    if (!o->first_date.empty())
      o->config.first_trade_date = date::sys_days(date::days(parse_trade_date(o->first_date, "--start")));
    if (const double s = o->config.signal_strength; !std::isfinite(s) || s < 0 || s > gen::kMaxSignalStrength)
      fail("--signal-strength {} is not valid: expected a number from 0 (order flow predicts nothing) to {} "
           "(1 = the default market)", s, gen::kMaxSignalStrength);
    must(gen::validate(o->config));
    const std::filesystem::path out(o->out);
    if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
    auto writer = must(scid::Writer::open(o->out, scid::Writer::Mode::kTruncate));
    std::optional<Progress> progress;
    if (!o->quiet) progress.emplace("generate", static_cast<std::uint64_t>(o->config.sessions), "sessions");
    const auto summary = must(gen::generate(o->config, writer, [&](int done, int) {
      if (progress) progress->update(static_cast<std::uint64_t>(done));
    }));
    must(writer.close());
    if (progress) progress->finish();
    const auto es = core::Instrument::es();
    fmt::print("Wrote {} ({}): {} sessions, {} trade records, {} contracts\n", o->out,
               human_bytes(std::filesystem::file_size(out)), summary.sessions, thousands(summary.trades),
               thousands(summary.volume));
    fmt::print("{:<12} {:>9} {:>9} {:>9} {:>9} {:>8} {:>11} {:>9}\n", "trade date", "open", "high", "low",
               "close", "range", "volume", "trades");
    for (const auto& s : summary.per_session)
      fmt::print("{:<12} {:>9} {:>9} {:>9} {:>9} {:>8.2f} {:>11} {:>9}\n", date::format("%F", s.trade_date),
                 points(es, s.open_price), points(es, s.high), points(es, s.low), points(es, s.close_price),
                 es.to_price(s.high - s.low), thousands(s.volume), thousands(s.trades));
    if (o->stats) {
      // Measured on the file as written, read back.
      const auto reader = must(scid::Reader::open(o->out));
      fmt::print("Signal strength {}\n{}", o->config.signal_strength,
                 gen::format_predictability(gen::measure_predictability(reader.records())));
    }
  });
}

}  // namespace daytrader::cli
