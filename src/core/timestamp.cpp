#include "core/timestamp.h"

#include <date/date.h>

namespace daytrader::core {

std::string format_utc(Timestamp t) {
  return date::format("%FT%TZ", t);
}

}  // namespace daytrader::core
