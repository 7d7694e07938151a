#pragma once
// Fuzz entry for the TOML run configuration, config::load_run_config (run_config_fuzz.cpp).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace daytrader::fuzz {

// The input is a run.toml, optionally followed by `--set` overrides, each starting on a new line
// with kRunConfigSetMarker ("\n--set ppo.seed=3"); a single newline ending an override is not
// part of it. Never crashes; aborts when a property fails.
int run_config_fuzz_one_input(const std::uint8_t* data, std::size_t size);

inline constexpr std::string_view kRunConfigSetMarker = "\n--set ";

struct RunConfigInput {
  std::string_view file;
  std::vector<std::string> overrides;
};
[[nodiscard]] RunConfigInput split_run_config_input(std::string_view text);

}  // namespace daytrader::fuzz
