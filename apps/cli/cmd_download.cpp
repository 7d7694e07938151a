// daytrader download: DTC historical tick data into a Sierra Chart .scid file, resumable.

#include <chrono>

#include <date/date.h>
#include <spdlog/spdlog.h>

#include "commands.h"
#include "common.h"
#include "net/credentials.h"
#include "net/history_download.h"

namespace daytrader::cli {

namespace {

struct DownloadCliOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 11099;
  std::string symbol;
  std::string exchange;
  std::string from;
  std::string to;
  std::string out;
  std::string env_file = ".env";
  int attempts = 3;
  bool trades_only = false;
  bool zlib = false;
  std::string encoding = "binary";
};

void run_download(const DownloadCliOptions& o) {
  const auto& cal = core::SessionCalendar::cme_globex();
  const auto d1 = date::sys_days(date::days(parse_trade_date(o.from, "--from")));
  const auto d2 = date::sys_days(date::days(parse_trade_date(o.to, "--to")));
  if (d2 < d1) fail("--to {} is before --from {}", o.to, o.from);
  const auto credentials = must(net::load_credentials(o.env_file));
  // A password the DTC LOGON_REQUEST cannot carry is refused here, before connecting.
  must(net::check_logon_limits(credentials));

  net::DownloadOptions d;
  d.host = o.host;
  d.port = o.port;
  d.username = credentials.username;
  d.password = credentials.password;
  d.symbol = o.symbol;
  d.exchange = o.exchange;
  d.from = cal.session(d1).open;
  d.to = cal.session(d2).close;
  d.out_path = o.out;
  d.max_attempts = o.attempts;
  d.raw_records = !o.trades_only;
  d.zlib = o.zlib;
  if (o.encoding == "binary") {
    d.encoding = dtc::Encoding::kBinary;
  } else if (o.encoding == "json") {
    d.encoding = dtc::Encoding::kJson;
  } else if (o.encoding == "json-compact") {
    d.encoding = dtc::Encoding::kJsonCompact;
  } else {
    fail("--encoding \"{}\" is not binary, json or json-compact", o.encoding);
  }
  if (d.zlib && d.encoding != dtc::Encoding::kBinary)
    fail("--zlib needs --encoding binary: zlib-compressed history is read in the binary encoding only");
  spdlog::info("Downloading symbol={} exchange=\"{}\" from={} to={} (sessions {}..{}) host={}:{} out={} {}",
               o.symbol, o.exchange, core::format_utc(d.from), core::format_utc(d.to), o.from, o.to, o.host,
               o.port, o.out, net::describe(credentials));
  const auto start = std::chrono::steady_clock::now();
  const auto result = must(net::download_ticks(d, [](const net::DownloadProgress& p) {
    spdlog::info("Progress attempt={} received={} written={} duplicates={} last={}", p.attempt,
                 thousands(p.received), thousands(p.written), thousands(p.duplicates),
                 p.last_time ? core::format_utc(*p.last_time) : std::string("-"));
  }));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (result.no_records) {
    spdlog::info("The server has no records for {} in the range; {} unchanged ({} records)", o.symbol, o.out,
                 thousands(result.existing_records));
    return;
  }
  spdlog::info("Done file={} existing={} written={} duplicates_skipped={} attempts={} seconds={:.2f}{}",
               o.out, thousands(result.existing_records), thousands(result.written),
               thousands(result.duplicates), result.attempts, secs,
               result.last_written ? " last=" + core::format_utc(*result.last_written) : std::string());
}

}  // namespace

void add_download(CLI::App& app) {
  auto o = std::make_shared<DownloadCliOptions>();
  auto* cmd = app.add_subcommand("download", "Download DTC historical ticks into a .scid file (resumable)");
  cmd->add_option("--host", o->host, "DTC server host")->capture_default_str();
  cmd->add_option("--port", o->port, "DTC server port (Sierra Chart: its historical data port)")
      ->capture_default_str();
  cmd->add_option("--symbol", o->symbol, "Symbol exactly as the server names it, e.g. ESZ25")->required();
  cmd->add_option("--exchange", o->exchange, "Exchange, if the server uses one (e.g. CME)");
  cmd->add_option("--from", o->from,
                  "First trade date, YYYY-MM-DD (CME session from 17:00 CT the day before)")
      ->required();
  cmd->add_option("--to", o->to, "Last trade date, YYYY-MM-DD, inclusive")->required();
  cmd->add_option("--out", o->out, "SCID file; appended to after its last record if it exists")->required();
  cmd->add_option("--attempts", o->attempts, "Connections tried before giving up")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd->add_flag("--trades-only", o->trades_only,
                "Do not ask for the records as stored (Integer_1 0x8000, a daytrader serve extension): "
                "the file gets the trades of the dtc.md 6.10 answer only, no quote-only records");
  cmd->add_flag("--zlib", o->zlib,
                "Ask for a zlib-compressed answer (UseZLibCompression, dtc.md 6.7), inflated on arrival; "
                "binary encoding only");
  cmd->add_option("--encoding", o->encoding, "DTC encoding of the session: binary, json or json-compact")
      ->capture_default_str();
  cmd->add_option("--env-file", o->env_file, "KEY=VALUE file with DTC_USERNAME/DTC_PASSWORD")
      ->capture_default_str();
  cmd->callback([o] { run_download(*o); });
}

}  // namespace daytrader::cli
