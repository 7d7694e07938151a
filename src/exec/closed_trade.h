#pragma once
// A round trip in the ledger: how and when it was entered and left, and what it earned.

#include <cstdint>
#include <string_view>

#include "core/ticks.h"
#include "core/timestamp.h"
#include "exec/position.h"

namespace daytrader::exec {

enum class ExitReason : std::uint8_t {
  kTarget = 0,     // the bracket's profit target (a limit order)
  kStop = 1,       // the bracket's stop-loss (a stop-market order)
  kAction = 2,     // the agent or strategy asked to exit (a market order)
  kEndOfDay = 3,   // flattened at the end of the session window
  kRisk = 4,       // flattened by a risk limit (drawdown from the high-water mark, daily target)
  kEndOfData = 5,  // the data ended with the position open; closed at the last known price
};

[[nodiscard]] constexpr std::string_view to_string(ExitReason r) noexcept {
  switch (r) {
    case ExitReason::kTarget:
      return "target";
    case ExitReason::kStop:
      return "stop";
    case ExitReason::kAction:
      return "action";
    case ExitReason::kEndOfDay:
      return "end_of_day";
    case ExitReason::kRisk:
      return "risk";
    case ExitReason::kEndOfData:
      return "end_of_data";
  }
  return "unknown";
}

struct ClosedTrade {
  Side side = Side::kLong;
  core::Contracts quantity = 1;  // contracts traded, always positive
  core::Timestamp entry_time{};
  core::Timestamp exit_time{};
  core::Ticks entry_price;  // fill prices, slippage included
  core::Ticks exit_price;
  ExitReason reason = ExitReason::kAction;
  core::Cents gross_cents = 0;       // (exit - entry) x side x quantity x tick value
  core::Cents commission_cents = 0;  // both sides
  core::Cents net_cents = 0;         // gross - commission

  bool operator==(const ClosedTrade&) const = default;
};

}  // namespace daytrader::exec
