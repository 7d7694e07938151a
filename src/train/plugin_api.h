#pragma once
// The seam between the daytrader binary and its training library.
//
// libtorch costs every process that links it about a third of a second and 160 MB before main()
// (its shared libraries and their static initialisers). Only training needs it, so the trainer
// and everything that calls it is built as a plugin, daytrader-train.so next to the binary, which
// `daytrader train` loads with dlopen; every other command starts without torch.
//
// Both sides are built from the same tree in one build, so the types below cross the boundary
// as they are; check_layout() refuses a plugin from another build whose layouts differ.

#include <cstddef>
#include <string>
#include <vector>

#include "train/cv_driver.h"
#include "train/sweep.h"

namespace daytrader::train {

inline constexpr int kPluginAbiVersion = 2;

// Sizes of the types that cross the boundary, compared on load as a guard against a plugin built
// from another revision.
struct PluginLayout {
  std::size_t run_config = sizeof(config::RunConfig);
  std::size_t dataset = sizeof(dataset::Dataset);
  std::size_t cv_options = sizeof(CvOptions);
  std::size_t fold_outcome = sizeof(FoldOutcome);
  std::size_t sweep_config = sizeof(SweepConfig);
  std::size_t sweep_options = sizeof(SweepOptions);
  bool operator==(const PluginLayout&) const = default;
};

struct PluginApi {
  int abi_version = kPluginAbiVersion;
  const char* daytrader_version = "";
  PluginLayout layout;
  // run_cross_validation(); an exception inside becomes the returned message (empty on success).
  // Started by an MPI launcher (mpirun -np N daytrader train ...), the plugin joins the MPI job
  // and trains data-parallel over its ranks (dist/comm.h); an error on any rank then ends every
  // rank with the message instead of returning.
  std::string (*run_cross_validation)(const config::RunConfig& run, const dataset::Dataset& data,
                                      const CvOptions& options, std::vector<FoldOutcome>& outcomes) = nullptr;
  // run_sweep() (train/sweep.h), over the MPI job's ranks likewise.
  std::string (*run_sweep)(const SweepConfig& config, const SweepOptions& options) = nullptr;
};

}  // namespace daytrader::train

// The plugin's one exported symbol.
extern "C" const daytrader::train::PluginApi* daytrader_train_plugin_api();
inline constexpr const char* kDaytraderTrainPluginSymbol = "daytrader_train_plugin_api";
