#pragma once
// The simulator's data side: replay speed, SCID records -> DTC market data messages, and the
// answers to historical price data requests (dtc.md §5.9, §6.8-§6.10).

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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

// What a market data stream sent last: the best bid/ask, so a quote is sent only when it
// changes, and the times of the last trade and quote, which the no-timestamp messages reuse.
struct StreamQuote {
  float bid = 0;
  float ask = 0;
  std::int64_t trade_us = -1;  // Unix us of the last trade message, -1 before the first
  std::int64_t quote_us = -1;  // Unix us of the last quote message
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

// Which trade/quote messages the stream uses (dtc.md §5.9: the simulator sends 107/108 by
// default, and the variants on request so client decoders are exercised; `serve --market-data`).
enum class MarketDataFormat : std::uint8_t {
  kStandard,           // 107 MARKET_DATA_UPDATE_TRADE, 108 MARKET_DATA_UPDATE_BID_ASK
  kCompact,            // 112 ..._TRADE_COMPACT, 117 ..._BID_ASK_COMPACT (whole seconds)
  // 142 ..._TRADE_NO_TIMESTAMP / 143 ..._BID_ASK_NO_TIMESTAMP when the time is that of the
  // stream's previous trade / quote (§5.5: the receiver reuses it), else the timestamped 146 / 144
  kNoTimestamp,
  kFloatMicroseconds,  // 146 ..._TRADE_WITH_UNBUNDLED_INDICATOR_2, 144 ..._BID_ASK_FLOAT_WITH_MICROSECONDS
};
// "standard", "compact", "no-timestamp", "float-us"; errors name --market-data and the value.
[[nodiscard]] core::Result<MarketDataFormat> parse_market_data_format(std::string_view text);
[[nodiscard]] std::string_view to_string(MarketDataFormat f) noexcept;

// Appends the market data messages of one record: the quote message when the quote changed
// (108 by default), then the trade message (107 by default); `format` picks the variants (and
// `last` remembers what no-timestamp messages need).
// Prices are the record's floats, exactly; sizes the record's volume. Returns the number of trade
// messages written (0 or 1).
std::size_t encode_market_data(const scid::Record& r, const RecordEvent& e, std::uint32_t symbol_id,
                               StreamQuote& last, std::vector<std::uint8_t>& out,
                               MarketDataFormat format = MarketDataFormat::kStandard);

// How a tick request (RecordInterval 0, without dtc::kInteger1RawScidRecords) is answered
// (dtc.md §6.6, §6.10; `serve --tick-records`): Sierra-style single-trade 803 records (the
// default), or 804 HISTORICAL_PRICE_DATA_TICK_RECORD_RESPONSE records, which carry the trade's
// time, price, volume and side but no bid/ask.
enum class TickRecordFormat : std::uint8_t { k803, k804 };
// "803" / "804"; errors name --tick-records and the value.
[[nodiscard]] core::Result<TickRecordFormat> parse_tick_record_format(std::string_view text);
[[nodiscard]] std::string_view to_string(TickRecordFormat f) noexcept;

// The answer to one HISTORICAL_PRICE_DATA_REQUEST over a SCID file, produced in batches:
// RecordInterval 0 -> one Sierra-style 803 record per trade (§6.10: OpenPrice 0 whatever
// sub-trade marker the file has, NumTrades 1, ask in High, bid in Low, LastPrice and Volume of the
// trade, the side in BidVolume/AskVolume); quote-only records and zero-volume trades are left out,
// a bar record goes out as the bar it is. With dtc::kInteger1RawScidRecords in Integer_1: one 803
// record per SCID record exactly as stored (quotes and markers included), so a downloader can
// rebuild the file byte for byte. Range: [StartDateTime, EndDateTime], whole seconds, both
// included (EndDateTime 0 = no end).
// With TickRecordFormat::k804 every such trade is an 804 record instead (a bar record: one 804 at
// its close with its volume, the side only when one of its bid/ask volumes is zero).
// RecordInterval > 0 -> 803 bars of that many seconds, starting on multiples of the interval,
// from the trades (and bar records) in the range; only bars whose whole interval lies in the
// range are sent (first bar start >= StartDateTime, last bar end <= EndDateTime + 1 s). StartDateTime in Unix microseconds (§6.9).
// The last record carries IsFinalRecord = 1; an empty range gives a header with
// NoRecordsToReturn = 1.
//
// zlib (dtc.md §6.7): with `allow_zlib` and the request's UseZLibCompression = 1, the header
// says UseZLibCompression = 1 and every byte after it is one zlib stream (RFC 1950, flushed at
// the end of every batch, finished after the final record) that inflates to the same records.
// The caller makes sure nothing else is sent on that connection afterwards.
class HistoricalJob {
 public:
  HistoricalJob(std::span<const scid::Record> records, const dtc::HistoricalPriceDataRequest& request,
                bool allow_zlib = false, TickRecordFormat tick_format = TickRecordFormat::k803);
  ~HistoricalJob();
  HistoricalJob(HistoricalJob&&) noexcept;
  HistoricalJob& operator=(HistoricalJob&&) noexcept;

  // The header says (or will say) UseZLibCompression = 1.
  [[nodiscard]] bool is_compressed() const noexcept { return deflater_ != nullptr; }

  // Appends the HISTORICAL_PRICE_DATA_RESPONSE_HEADER now (once); true when the response is
  // complete with it (NoRecordsToReturn = 1).
  bool write_header(std::vector<std::uint8_t>& out);
  // Appends up to about max_bytes of messages (the header first, if not written yet); true when
  // the response is complete.
  bool next_batch(std::vector<std::uint8_t>& out, std::size_t max_bytes);

 private:
  bool produce(dtc::HistoricalPriceDataRecordResponse& record);  // the next data record, if any
  // Appends one record as 803, or as 804 for a tick answer in that format.
  void emit(const dtc::HistoricalPriceDataRecordResponse& record, std::vector<std::uint8_t>& out) const;

  std::span<const scid::Record> records_;
  std::int32_t request_id_;
  std::int32_t interval_s_;
  bool raw_ = false;
  bool tick804_ = false;
  std::size_t next_ = 0;
  std::size_t end_ = 0;
  bool header_sent_ = false;
  bool done_ = false;
  std::optional<dtc::HistoricalPriceDataRecordResponse> pending_;  // held back for the final flag
  struct Deflater;                       // zlib's z_stream, which must not move
  std::unique_ptr<Deflater> deflater_;   // set when the answer is compressed
  std::vector<std::uint8_t> plain_;      // a compressed batch before deflate
};

}  // namespace daytrader::sim
