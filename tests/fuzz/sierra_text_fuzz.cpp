// Properties checked on arbitrary text, beyond "no crash, no UB, no leak, no hang":
// 1. a refused file gets a message that starts with the file's name;
// 2. every row accepted has Low <= Open, Last <= High inside the price band, and Volume > 0;
// 3. the report adds up: rows read = rows delivered + rows skipped for price or volume;
// 4. the bars built from the same text are in time order, each with OHLC consistent with its
//    levels' range and a volume equal to the sum of its levels' volume, and the bars' total
//    volume is that of the rows added to them.

#include "sierra_text_fuzz.h"

#include <cstdint>
#include <string>
#include <vector>

#include "bars/footprint_builder.h"
#include "fuzz_support.h"
#include "interop/sierra_text.h"

namespace daytrader::fuzz {
namespace {

void require(bool ok, const char* property) { fuzz::require(ok, "sierra_text", property); }

const std::string kSource = "fuzz.txt";

}  // namespace

int sierra_text_fuzz_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = as_text(data, size);
  const core::Instrument es = core::Instrument::es();
  const interop::SierraTextOptions options;

  interop::SierraTextReport report;
  auto rows = interop::parse_sierra_text(text, kSource, es, options, &report);
  if (!rows) {
    require(rows.error().message.starts_with(kSource), "an error names the file");
    return 0;
  }
  std::uint64_t row_volume = 0;
  for (const auto& r : *rows) {
    require(r.low <= r.open && r.open <= r.high && r.low <= r.last && r.last <= r.high,
            "an accepted row has Low <= Open, Last <= High");
    require(r.volume > 0, "an accepted row has volume");
    row_volume += r.volume;
  }
  require(report.rows == rows->size() + report.bad_price + report.zero_volume,
          "rows read = rows delivered + rows skipped");

  // The same text through the bar builder, as `bars --in` does.
  bars::FootprintBuilder builder(bars::BarSpec{}, core::SessionCalendar::cme_globex());
  std::vector<bars::FootprintBar> built;
  interop::SierraTextReport bar_report;
  const core::Status st = interop::build_bars_from_sierra_text(
      text, kSource, es, options, builder, [&](bars::FootprintBar&& b) { built.push_back(std::move(b)); },
      bar_report);
  require(static_cast<bool>(st), "text that parses builds bars");
  std::uint64_t bar_volume = 0;
  for (std::size_t i = 0; i < built.size(); ++i) {
    const auto& b = built[i];
    require(b.open_time < b.close_time, "a bar closes after it opens");
    if (i > 0) require(built[i - 1].close_time <= b.open_time, "bars in time order");
    require(b.low <= b.open && b.open <= b.high && b.low <= b.close && b.close <= b.high, "bar OHLC consistent");
    std::uint64_t level_volume = 0;
    for (std::size_t k = 0; k < b.levels.size(); ++k) {
      if (k > 0) require(b.levels[k - 1].price < b.levels[k].price, "levels strictly ascending");
      require(b.low <= b.levels[k].price && b.levels[k].price <= b.high, "levels inside the bar's range");
      level_volume += b.levels[k].volume;
    }
    require(level_volume == b.volume, "a bar's volume is its levels' volume");
    bar_volume += b.volume;
  }
  require(bar_report.bar_records + bar_report.out_of_session + bar_report.out_of_range == rows->size(),
          "every delivered row is added to a bar or counted");
  if (bar_report.out_of_session == 0 && bar_report.out_of_range == 0)
    require(bar_volume == row_volume, "the bars hold the rows' volume");
  return 0;
}

}  // namespace daytrader::fuzz
