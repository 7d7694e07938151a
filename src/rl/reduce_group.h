#pragma once
// The processes a data-parallel PPO run is spread over, as the trainer needs them: who am I, how
// many are we, and an element-wise sum across all of us. dist::Comm implements it over MPI; a
// trainer without a group is a single process. Torch-free and MPI-free, so rl needs neither.

#include <span>
#include <string_view>

namespace daytrader::rl {

class ReduceGroup {
 public:
  virtual ~ReduceGroup() = default;
  [[nodiscard]] virtual int rank() const noexcept = 0;
  [[nodiscard]] virtual int size() const noexcept = 0;
  // Element-wise sum over every member, in place; every member must end with the same bits (MPI's
  // allreduce algorithms give them; the trainer checks its weights agree after every update).
  // `what` names the operation in the message if it cannot complete (a member died or hung): the
  // group then ends the whole job rather than return.
  virtual void allreduce_sum(std::span<float> data, std::string_view what) = 0;
  virtual void allreduce_sum(std::span<double> data, std::string_view what) = 0;
};

}  // namespace daytrader::rl
