#pragma once
// Fuzz entry for the sweep file of `daytrader sweep`, config::load_sweep_config and
// config::sweep_points (sweep_config_fuzz.cpp).

#include <cstddef>
#include <cstdint>

namespace daytrader::fuzz {

// The input is a sweep.toml. Never crashes; aborts when a property fails.
int sweep_config_fuzz_one_input(const std::uint8_t* data, std::size_t size);

// Grids with more points than this are read but their points are not built (each point parses a
// run configuration: a large grid is slow, not interesting).
inline constexpr std::size_t kSweepFuzzMaxPoints = 64;

}  // namespace daytrader::fuzz
