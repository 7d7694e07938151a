// Properties checked on arbitrary .scid bytes, beyond "no crash, no UB, no leak, no hang":
// 1. Reader::open either fails with a message naming the file, or maps exactly the complete
//    records after the header (a partial tail is counted, not read);
// 2. validate() classifies every record once; lower_bound() stays inside the records;
// 3. the offline bar path (market::ScidAdapter -> bars::FootprintBuilder) accounts for every
//    record, and each bar it emits is consistent: low <= open, close <= high, levels ascending
//    inside low..high, bars in time order. Time, volume and trade-count bars are all built.

#include "scid_fuzz.h"

#include <string>

#include "bars/scid_bars.h"
#include "fuzz_support.h"
#include "scid/reader.h"

namespace daytrader::fuzz {
namespace {

void require(bool ok, const char* property) {
  fuzz::require(ok, "scid", property);
}

void check_bar(const bars::FootprintBar& b, const bars::FootprintBar* previous) {
  require(b.low <= b.high, "bar low <= high");
  require(b.low <= b.open && b.open <= b.high, "bar open inside low..high");
  require(b.low <= b.close && b.close <= b.high, "bar close inside low..high");
  require(b.open_time <= b.close_time, "bar opens before it closes");
  for (std::size_t i = 0; i < b.levels.size(); ++i) {
    require(b.levels[i].price >= b.low && b.levels[i].price <= b.high, "levels inside low..high");
    if (i > 0) require(b.levels[i - 1].price < b.levels[i].price, "levels strictly ascending");
  }
  if (previous != nullptr) require(previous->open_time <= b.open_time, "bars in time order");
}

}  // namespace

int scid_fuzz_one_input(const std::uint8_t* data, std::size_t size) {
  const MemFile file({data, size}, "fuzz.scid");
  auto reader = scid::Reader::open(file.path());
  if (!reader) {
    require(reader.error().message.starts_with(file.path() + ": "), "an open error names the file");
    return 0;
  }
  const auto records = reader->records();
  const std::size_t payload = size - reader->header().header_size;
  require(records.size() == payload / scid::kRecordSize, "every complete record is read");
  require(reader->trailing_bytes() == payload % scid::kRecordSize, "the partial tail is counted");

  const scid::ValidationReport rep = reader->validate();
  require(rep.records == records.size(), "validate() sees every record");
  require(rep.empty + rep.quotes + rep.trades + rep.bars == rep.records,
          "validate() classifies each record once");
  if (!records.empty()) {
    for (const std::size_t i : {std::size_t{0}, records.size() / 2, records.size() - 1}) {
      if (const auto t = scid::decode_time(records[i].date_time))
        require(reader->lower_bound(*t) <= records.size(), "lower_bound() inside the records");
    }
  }

  const core::Instrument es = core::Instrument::es();
  for (const bars::BarSpec spec :
       {bars::BarSpec{bars::BarKind::kTime, 60}, bars::BarSpec{bars::BarKind::kVolume, 7},
        bars::BarSpec{bars::BarKind::kTick, 3}}) {
    bars::FootprintBuilder builder(spec);
    bars::FootprintBar previous;
    bool have_previous = false;
    const bars::ScidBuildReport built = bars::build_bars_from_scid(
        records, es, builder,
        [&](bars::FootprintBar&& bar) {
          check_bar(bar, have_previous ? &previous : nullptr);
          previous = std::move(bar);
          have_previous = true;
        },
        /*flush_at_end=*/true, "fuzz.scid");
    require(built.records == records.size(), "the bar builder sees every record");
    require(built.quotes + built.skipped + bars::bad_records(built) <= built.records,
            "the bar builder's counts add up");
    require(built.bar_records <= built.trades, "bar records are counted among trades");
  }
  return 0;
}

}  // namespace daytrader::fuzz
