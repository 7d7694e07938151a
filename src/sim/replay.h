#pragma once
// The simulator's data side: replay speed, SCID records -> DTC market data messages, and the
// answers to historical price data requests (dtc.md §5.9, §6.8-§6.10).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/instrument.h"
#include "core/result.h"
#include "core/timestamp.h"
#include "dtc/message.h"
#include "scid/scid_format.h"

namespace daytrader::sim {

// How fast data time runs against the wall clock.
struct ReplaySpeed {
  enum class Kind : std::uint8_t { kScaled, kMax, kStep };
  Kind kind = Kind::kScaled;
  double factor = 1.0;  // kScaled: data seconds per wall second (1 = realtime)

  // "realtime", "10x", "0.5x", "max". ("step" is for tests: records are released explicitly.)
  [[nodiscard]] static core::Result<ReplaySpeed> parse(const std::string& text);
  [[nodiscard]] std::string to_string() const;
};

// The last best bid/ask sent on a market data stream, so a quote is sent only when it changes.
struct StreamQuote {
  float bid = 0;
  float ask = 0;
};

// What one SCID record means for the market.
struct RecordEvent {
  bool has_quote = false;  // a bid/ask update (a quote record, or a trade record's bid/ask)
  bool has_trade = false;  // a trade (a tick, or a bar record's close with its volume)
  core::Ticks bid, ask, price;
  core::Timestamp time;
};

// Classifies and converts a record; nullopt for empty records and undecodable times or prices.
[[nodiscard]] std::optional<RecordEvent> read_record(const scid::Record& r,
                                                     const core::Instrument& instrument);

// Appends the market data messages of one record: MARKET_DATA_UPDATE_BID_ASK (108) when the
// quote changed, then MARKET_DATA_UPDATE_TRADE (107). Prices are the record's floats, exactly.
// Returns the number of trade messages written (0 or 1).
std::size_t encode_market_data(const scid::Record& r, const RecordEvent& e, std::uint32_t symbol_id,
                               StreamQuote& last, std::vector<std::uint8_t>& out);

// The answer to one HISTORICAL_PRICE_DATA_REQUEST over a SCID file, produced in batches:
// RecordInterval 0 -> one Sierra-style 803 record per SCID record (ask in High, bid in Low,
// NumTrades, BidVolume/AskVolume as in the file, so a downloader can rebuild the file exactly);
// RecordInterval > 0 -> 803 bars of that many seconds, starting on multiples of the interval,
// from the trades (and bar records) in the range. StartDateTime in Unix microseconds (§6.9).
// The last record carries IsFinalRecord = 1; an empty range gives a header with
// NoRecordsToReturn = 1.
class HistoricalJob {
 public:
  HistoricalJob(std::span<const scid::Record> records, const dtc::HistoricalPriceDataRequest& request);

  // Appends the HISTORICAL_PRICE_DATA_RESPONSE_HEADER now (once); true when the response is
  // complete with it (NoRecordsToReturn = 1).
  bool write_header(std::vector<std::uint8_t>& out);
  // Appends up to about max_bytes of messages (the header first, if not written yet); true when
  // the response is complete.
  bool next_batch(std::vector<std::uint8_t>& out, std::size_t max_bytes);

 private:
  bool produce(dtc::HistoricalPriceDataRecordResponse& record);  // the next data record, if any

  std::span<const scid::Record> records_;
  std::int32_t request_id_;
  std::int32_t interval_s_;
  std::size_t next_ = 0;
  std::size_t end_ = 0;
  bool header_sent_ = false;
  bool done_ = false;
  std::optional<dtc::HistoricalPriceDataRecordResponse> pending_;  // held back for the final flag
};

}  // namespace daytrader::sim
