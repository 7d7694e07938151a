// Properties checked on arbitrary text, beyond "no crash, no UB, no leak, no hang":
// 1. a refused file gets a message that starts with the file's name;
// 2. an accepted one gives bars in time order, each with levels strictly ascending;
// 3. import and export round-trip exactly (README): exporting the bars and importing the export
//    gives the same bars, with the file's studies kept and with our studies recomputed.

#include "original_csv_fuzz.h"

#include <string>

#include "fuzz_support.h"
#include "interop/original_csv.h"

namespace daytrader::fuzz {
namespace {

void require(bool ok, const char* property) {
  fuzz::require(ok, "original_csv", property);
}

const std::string kSource = "fuzz.csv";

void check(const std::vector<bars::FootprintBar>& bars) {
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const auto& b = bars[i];
    require(!b.levels.empty(), "a bar has levels");
    for (std::size_t k = 1; k < b.levels.size(); ++k)
      require(b.levels[k - 1].price < b.levels[k].price, "levels strictly ascending");
    if (i > 0) require(bars[i - 1].open_time < b.open_time, "bars in time order");
  }
}

}  // namespace

int original_csv_fuzz_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = as_text(data, size);
  const core::Instrument es = core::Instrument::es();
  const core::SessionCalendar& calendar = core::SessionCalendar::cme_globex();
  for (const bool recompute : {true, false}) {
    interop::CsvImportOptions options;
    options.recompute_studies = recompute;
    interop::CsvImportReport report;
    auto bars = interop::parse_original_csv(text, kSource, es, calendar, options, &report);
    if (!bars) {
      require(bars.error().message.starts_with(kSource + ": "), "an error names the file");
      continue;
    }
    check(*bars);
    require(report.bars == bars->size() && report.rows >= bars->size(), "the report counts rows and bars");
    const std::string exported = interop::format_original_csv(*bars, es, calendar);
    auto again = interop::parse_original_csv(exported, "export.csv", es, calendar, options);
    require(again.has_value(), "an export imports");
    require(*again == *bars, "import and export round-trip exactly");
  }
  return 0;
}

}  // namespace daytrader::fuzz
