#include "core/instrument.h"

#include <fmt/format.h>

namespace daytrader::core {

Result<Ticks> Instrument::to_ticks(double price, const std::string& where) const {
  Ticks t;
  if (try_to_ticks(price, t)) return t;
  return Error{fmt::format("{}{}price {} is not on the {} tick grid of {}", where,
                           where.empty() ? "" : ": ", price, tick_size, root)};
}

}  // namespace daytrader::core
