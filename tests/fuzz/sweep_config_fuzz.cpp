// Properties checked on arbitrary text, beyond "no crash, no UB, no leak, no hang":
// 1. load_sweep_config() reads the file from disk; a refusal names the file;
// 2. an accepted file has a dataset and a folder, and every grid axis has values;
// 3. sweep_points() of an accepted file (grids of up to kSweepFuzzMaxPoints) either refuses with
//    a message naming the file and the point, or gives one point per combination, numbered from
//    1, each labelled with every axis, whose effective run configuration parses back to itself.

#include "sweep_config_fuzz.h"

#include "config/sweep_config.h"
#include "fuzz_support.h"

namespace daytrader::fuzz {
namespace {

void require(bool ok, const char* property) {
  fuzz::require(ok, "sweep_config", property);
}

}  // namespace

int sweep_config_fuzz_one_input(const std::uint8_t* data, std::size_t size) {
  const MemFile file(as_text(data, size), "sweep.toml");
  auto config = config::load_sweep_config(file.path(), {});
  if (!config) {
    require(config.error().message.starts_with(file.path() + ":"), "an error names the file");
    return 0;
  }
  require(!config->data.empty() && !config->out.empty(), "an accepted file has sweep.data and sweep.out");
  std::size_t count = 1;
  for (const auto& axis : config->grid) {
    require(!axis.values.empty(), "every grid axis has values");
    count *= axis.values.size();
    if (count > kSweepFuzzMaxPoints) return 0;
  }
  auto points = config::sweep_points(*config);
  if (!points) {
    require(points.error().message.starts_with(file.path() + ": point ") ||
                points.error().message.starts_with(file.path() + ":"),
            "an error names the file");
    return 0;
  }
  require(points->size() == count, "one point per combination of the grid");
  for (std::size_t i = 0; i < points->size(); ++i) {
    const auto& p = (*points)[i];
    require(p.number == i + 1, "points are numbered from 1 in order");
    require(p.grid_sets.size() == config->grid.size(), "a point sets every axis");
    for (const auto& axis : config->grid)
      require(p.label().find(axis.key + "=") != std::string::npos, "a point's label names every axis");
    const std::string effective = config::to_toml(p.run);
    auto again = config::parse_run_config(effective, "effective.toml", {});
    require(again.has_value() && config::to_toml(*again) == effective,
            "a point's effective configuration parses back to itself");
  }
  return 0;
}

}  // namespace daytrader::fuzz
