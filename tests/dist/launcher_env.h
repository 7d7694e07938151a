#pragma once
// Test helpers: the environment variables through which MPI launchers announce a job, cleared or
// set for one test and put back afterwards.

#include <stdlib.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace daytrader::dist::test_support {

// Every variable that dist::launched_by_mpi_launcher() looks at, or that a launcher sets beside.
inline std::vector<std::string> launcher_variable_names() {
  std::vector<std::string> names = {
      "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "PMI_SIZE", "PMI_RANK", "PMI_FD", "SLURM_PROCID",
      "SLURM_NTASKS",         "SLURM_STEP_NUM_TASKS"};
  for (char** entry = ::environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (text.starts_with("PMIX_")) names.emplace_back(text.substr(0, text.find('=')));
  }
  return names;
}

// Clears the launcher's variables for the life of the object, then restores them.
class CleanLauncherEnv {
 public:
  CleanLauncherEnv() {
    for (const auto& name : launcher_variable_names()) {
      if (const char* value = std::getenv(name.c_str())) saved_[name] = value;
      unsetenv(name.c_str());
    }
  }
  CleanLauncherEnv(const CleanLauncherEnv&) = delete;
  CleanLauncherEnv& operator=(const CleanLauncherEnv&) = delete;
  ~CleanLauncherEnv() {
    for (const auto& name : launcher_variable_names()) unsetenv(name.c_str());
    for (const auto& [name, value] : saved_) setenv(name.c_str(), value.c_str(), 1);
  }

  static void set(const std::string& name, const std::string& value) {
    setenv(name.c_str(), value.c_str(), 1);
  }

 private:
  std::map<std::string, std::string> saved_;
};

}  // namespace daytrader::dist::test_support
