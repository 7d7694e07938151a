#pragma once
// Each subcommand registers itself on the app; its callback runs when it is chosen.

#include <CLI/CLI.hpp>

namespace daytrader::cli {

void add_generate(CLI::App& app);
void add_bars(CLI::App& app);
void add_inspect(CLI::App& app);
void add_train(CLI::App& app);
void add_sweep(CLI::App& app);
void add_backtest(CLI::App& app);
void add_sb3(CLI::App& app);
void add_serve(CLI::App& app);
void add_download(CLI::App& app);
void add_live(CLI::App& app);
void add_journal(CLI::App& app);

}  // namespace daytrader::cli
