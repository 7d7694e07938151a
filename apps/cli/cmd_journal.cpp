// daytrader journal RUN: a readable account of a live run from its SQLite journal: orders, fills,
// round trips with P&L, lockouts, faults, halts and kills. Read-only: safe while `live` runs.

#include <charconv>
#include <filesystem>

#include "commands.h"
#include "common.h"
#include "journal/journal.h"
#include "journal/session_report.h"

namespace daytrader::cli {

void add_journal(CLI::App& app) {
  struct Opts {
    std::string run;
    std::string date;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("journal", "Print the account of a live run from its journal");
  cmd->add_option("RUN", o->run, "The run folder of `daytrader live` (or its journal.sqlite)")->required();
  cmd->add_option("--date", o->date, "Only this trade date (YYYY-MM-DD)");
  cmd->callback([o] {
    std::filesystem::path path(o->run);
    if (std::filesystem::is_directory(path)) path = journal::journal_path(path);
    if (!std::filesystem::exists(path)) fail("{}: no journal (is this a run folder of `daytrader live`?)", path.string());
    const auto j = must(journal::Journal::open(path, journal::Journal::Mode::kReadOnly));
    const auto meta_num = [&](const char* key, double fallback) {
      const auto v = must(j->get_meta(key));
      if (!v) return fallback;
      try {
        return std::stod(*v);
      } catch (const std::exception&) {
        fail("{}: meta {} = \"{}\" is not a number", path.string(), key, *v);
      }
    };
    const double tick_size = meta_num("tick_size", 0.25);
    const auto tick_value = static_cast<core::Cents>(meta_num("tick_value_cents", 1250));
    std::optional<std::int32_t> date;
    if (!o->date.empty()) date = parse_trade_date(o->date, "--date");
    fmt::print("{}", must(journal::format_session_report(*j, date, tick_size, tick_value)));
  });
}

}  // namespace daytrader::cli
