#pragma once
// The readable account of a journal that `daytrader journal RUN` prints, and the round trips it
// rebuilds from the fills.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/ticks.h"
#include "exec/position.h"
#include "journal/journal.h"

namespace daytrader::journal {

// A round trip rebuilt from fills, first in first out.
struct RoundTrip {
  exec::Side side = exec::Side::kLong;
  std::int32_t quantity = 0;
  std::int64_t entry_ns = 0;
  std::int64_t exit_ns = 0;
  core::Ticks entry_price;
  core::Ticks exit_price;
  std::string entry_exec_id;
  std::string exit_exec_id;
  core::Cents gross_cents = 0;       // (exit - entry) x side x quantity x tick value
  core::Cents commission_cents = 0;  // both sides
  core::Cents net_cents = 0;

  bool operator==(const RoundTrip&) const = default;
};

// What is left open after the fills: a lot not yet closed.
struct OpenLot {
  exec::Side side = exec::Side::kLong;
  std::int32_t quantity = 0;
  std::int64_t entry_ns = 0;
  core::Ticks entry_price;
  std::string exec_id;

  bool operator==(const OpenLot&) const = default;
};

struct RoundTrips {
  std::vector<RoundTrip> trips;
  std::vector<OpenLot> open;
};

// Matches the fills (taken in the given order) first in first out; a fill larger than the open
// position reverses it. Commission is charged per contract per side.
[[nodiscard]] RoundTrips reconstruct_round_trips(const std::vector<FillRow>& fills,
                                                 core::Cents tick_value_cents,
                                                 core::Cents commission_per_side_cents);

// The readable account `daytrader journal RUN` prints: the meta header, then for each trade date
// (or only `trade_date`) the orders, the fills, the round trips with P&L in dollars (commission
// from meta `commission_per_side_cents` when present), the day's P&L, the lockout/kill/halt state
// and every fault, halt, kill and lockout event. Prices are shown in points (ticks x tick_size).
[[nodiscard]] core::Result<std::string> format_session_report(const Journal& journal,
                                                              std::optional<std::int32_t> trade_date,
                                                              double tick_size, core::Cents tick_value_cents);

}  // namespace daytrader::journal
