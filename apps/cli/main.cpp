// daytrader: footprint bars, features, RL training and live trading of ES futures.

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "commands.h"
#include "common.h"

int main(int argc, char** argv) {
  using namespace daytrader;
  CLI::App app{"daytrader: order-flow (footprint) bars, features and an RL day-trading agent for ES futures"};
  app.set_version_flag("--version", "daytrader " DAYTRADER_VERSION);
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  app.parse_complete_callback([&] {
    auto logger = spdlog::stderr_color_mt("daytrader");
    logger->set_pattern("%^%l%$: %v");
    logger->set_level(spdlog::level::from_str(log_level));
    spdlog::set_default_logger(logger);
  });

  cli::add_generate(app);
  cli::add_bars(app);
  cli::add_inspect(app);
  cli::add_train(app);
  cli::add_sweep(app);
  cli::add_backtest(app);
  cli::add_sb3(app);
  cli::add_serve(app);
  cli::add_download(app);
  cli::add_live(app);
  cli::add_journal(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const core::DaytraderError& e) {
    fmt::print(stderr, "daytrader: error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "daytrader: unexpected error: {}\n", e.what());
    return 2;
  }
  return 0;
}
