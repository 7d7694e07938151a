// The entry of daytrader-train.so (train/plugin_api.h).

#include <exception>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/result.h"
#include "dist/comm.h"
#include "train/plugin_api.h"

namespace {

using daytrader::dist::Comm;

// Runs `work` as one rank of the process's MPI world (a group of one without a launcher). Rank 0
// alone logs below warnings. An exception ends every rank with its message, naming the rank: the
// others would otherwise wait in a collective for a rank that is gone.
template <typename Work>
std::string as_rank(double collective_timeout_s, Work&& work) {
  Comm* comm = nullptr;
  try {
    daytrader::dist::set_world_settings({collective_timeout_s, 5});
    comm = &daytrader::dist::world();
    if (comm->size() > 1) {
      daytrader::dist::install_signal_messages();
      if (!comm->is_root()) spdlog::set_level(spdlog::level::warn);
    }
    work(*comm);
    daytrader::dist::finalize();
    return {};
  } catch (const std::exception& e) {
    if (comm != nullptr && comm->size() > 1) comm->abort(e.what());
    return e.what();
  } catch (...) {
    const char* what = "training failed with an exception that is not a std::exception";
    if (comm != nullptr && comm->size() > 1) comm->abort(what);
    return what;
  }
}

std::string run_cross_validation(const daytrader::config::RunConfig& run, const daytrader::dataset::Dataset& data,
                                 const daytrader::train::CvOptions& options,
                                 std::vector<daytrader::train::FoldOutcome>& outcomes) {
  return as_rank(options.collective_timeout_s, [&](Comm& comm) {
    daytrader::train::CvOptions o = options;
    if (comm.size() > 1) {
      o.group = &comm;
      if (run.ppo.num_envs % comm.size() != 0)
        throw daytrader::core::DaytraderError(
            fmt::format("ppo.num_envs = {} cannot be shared by {} ranks: make it a multiple of {}", run.ppo.num_envs,
                        comm.size(), comm.size()));
      if (comm.is_root())
        fmt::print("Data-parallel training on {} ranks ({}): ppo.num_envs = {} environments, {} per rank\n",
                   comm.size(), daytrader::dist::mpi_description(), run.ppo.num_envs, run.ppo.num_envs / comm.size());
    }
    outcomes = daytrader::train::run_cross_validation(run, data, o);
  });
}

std::string run_sweep(const daytrader::train::SweepConfig& config, const daytrader::train::SweepOptions& options) {
  return as_rank(options.collective_timeout_s, [&](Comm&) { daytrader::train::run_sweep(config, options); });
}

}  // namespace

extern "C" __attribute__((visibility("default"))) const daytrader::train::PluginApi* daytrader_train_plugin_api() {
  static const daytrader::train::PluginApi api{
      .abi_version = daytrader::train::kPluginAbiVersion,
      .daytrader_version = DAYTRADER_VERSION,
      .layout = {},
      .run_cross_validation = &run_cross_validation,
      .run_sweep = &run_sweep,
  };
  return &api;
}
