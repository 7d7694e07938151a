#pragma once
// Contract facts and the one place where a double price becomes integer ticks.

#include <cmath>
#include <cstdint>
#include <string>

#include "core/result.h"
#include "core/ticks.h"

namespace daytrader::core {

struct Instrument {
  std::string root = "ES";
  double tick_size = 0.25;          // index points per tick
  Cents tick_value_cents = 1250;    // $12.50 per tick per contract
  std::string time_zone = "America/Chicago";
  // The contract when known, as Sierra Chart names it ("ESZ25-CME", "MNQH26"); "" when only the
  // root is known. Informational: data and models are matched by root and tick, not by month.
  std::string symbol;

  // The E-mini S&P 500 future (core/instrument_table.h has the others).
  [[nodiscard]] static Instrument es() { return Instrument{}; }

  [[nodiscard]] double points_per_tick() const noexcept { return tick_size; }
  [[nodiscard]] double to_price(Ticks t) const noexcept {
    return static_cast<double>(t.count()) * tick_size;
  }

  // Rounds a price to the nearest tick; false when it is off the grid by more than 1e-6 tick.
  [[nodiscard]] bool try_to_ticks(double price, Ticks& out) const noexcept {
    const double x = price / tick_size;
    if (!std::isfinite(x) || std::fabs(x) > 9.0e15) return false;
    const double r = std::nearbyint(x);
    out = Ticks(static_cast<std::int64_t>(r));
    return x == r || std::fabs(x - r) <= 1e-6;
  }

  // Same, with an error message that names the value; `where` says whose price it is.
  [[nodiscard]] Result<Ticks> to_ticks(double price, const std::string& where = {}) const;

  // Dollars and cents of a price move of `ticks` for `contracts` contracts.
  [[nodiscard]] Cents value_cents(Ticks ticks, std::int64_t contracts = 1) const noexcept {
    return ticks.count() * contracts * tick_value_cents;
  }
};

}  // namespace daytrader::core
