#pragma once
// Historical price data messages (dtc.md §6). zlib inflation of compressed responses is the
// transport's job (§6.7): the bytes it inflates are ordinary frames for the Decoder.
//
// Conventions of every message struct (see wire.h and docs/dtc.md):
// - kType, kSize (current header edition), kName and kPacked describe the message;
// - members are the spec's fields in snake_case, with the spec's defaults: a decoder leaves a
//   member at its default when an older, shorter message does not carry the field (§9.3);
// - for_each_field() lists (spec field name, byte offset, member) in wire order, and is the
//   only place the offsets are written down.

#include <cstdint>
#include <string_view>

#include "dtc/fixed_string.h"
#include "dtc/protocol.h"
#include "dtc/wire.h"

namespace daytrader::dtc {

// Project extension of HISTORICAL_PRICE_DATA_REQUEST.Integer_1 (not in the DTC spec; Sierra
// Chart's only reported bit is 0x10, §6.10): with RecordInterval 0, ask `daytrader serve` for the
// SCID records exactly as stored (quote-only records and sub-trade markers included), so
// `daytrader download` can rebuild a file byte for byte. Without it a tick answer follows §6.10.
inline constexpr std::uint16_t kInteger1RawScidRecords = 0x8000;

// HISTORICAL_PRICE_DATA_REQUEST = 800, client → server, 120 bytes.
struct HistoricalPriceDataRequest {
  static constexpr std::uint16_t kType = 800;
  static constexpr std::uint16_t kSize = 120;
  static constexpr std::string_view kName = "HISTORICAL_PRICE_DATA_REQUEST";
  static constexpr bool kPacked = false;

  // client id echoed in all responses; unique among historical requests of this connection
  std::int32_t request_id = 0;
  FixedString<64> symbol;
  FixedString<16> exchange;                  // optional exchange
  HistoricalDataInterval record_interval{};  // kTick (0) or seconds per bar
  // first time wanted, Unix seconds UTC; 0 = from the earliest available
  std::int64_t start_date_time = 0;
  // last time wanted, Unix seconds UTC; 0 = up to the latest available
  std::int64_t end_date_time = 0;
  // cap on days returned, counted back from EndDateTime (or from latest data); 0 = no cap
  std::uint32_t max_days_to_return = 0;
  // 1 = ask for zlib compression of the records (server may ignore; see header reply)
  std::uint8_t use_zlib_compression = 0;
  std::uint8_t request_dividend_adjusted_stock_data = 0;  // stocks only; 0 for futures
  // general-purpose 16-bit flags (was uint8 Flag_1 + padding in older headers). Keep 0 unless the
  // server documents a use
  std::uint16_t integer_1 = 0;

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("Symbol", 8, m.symbol);
    v("Exchange", 72, m.exchange);
    v("RecordInterval", 88, m.record_interval);
    v("StartDateTime", 96, m.start_date_time);
    v("EndDateTime", 104, m.end_date_time);
    v("MaxDaysToReturn", 112, m.max_days_to_return);
    v("UseZLibCompression", 116, m.use_zlib_compression);
    v("RequestDividendAdjustedStockData", 117, m.request_dividend_adjusted_stock_data);
    v("Integer_1", 118, m.integer_1);
  }
  bool operator==(const HistoricalPriceDataRequest&) const = default;
};

// HISTORICAL_PRICE_DATA_RESPONSE_HEADER = 801, server → client, 20 bytes.
struct HistoricalPriceDataResponseHeader {
  static constexpr std::uint16_t kType = 801;
  static constexpr std::uint16_t kSize = 20;
  static constexpr std::string_view kName = "HISTORICAL_PRICE_DATA_RESPONSE_HEADER";
  static constexpr bool kPacked = false;

  std::int32_t request_id = 0;               // RequestID of the request
  HistoricalDataInterval record_interval{};  // interval of the records that follow
  // 1 = every byte after this message (for this request) is a zlib stream; 0 = plain messages
  std::uint8_t use_zlib_compression = 0;
  // 1 = no data and no error: nothing follows for this request
  std::uint8_t no_records_to_return = 0;
  float int_to_float_price_divisor = 0;  // obsolete; ignore

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("RecordInterval", 8, m.record_interval);
    v("UseZLibCompression", 12, m.use_zlib_compression);
    v("NoRecordsToReturn", 13, m.no_records_to_return);
    v("IntToFloatPriceDivisor", 16, m.int_to_float_price_divisor);
  }
  bool operator==(const HistoricalPriceDataResponseHeader&) const = default;
};

// HISTORICAL_PRICE_DATA_REJECT = 802, server → client, 108 bytes.
struct HistoricalPriceDataReject {
  static constexpr std::uint16_t kType = 802;
  static constexpr std::uint16_t kSize = 108;
  static constexpr std::string_view kName = "HISTORICAL_PRICE_DATA_REJECT";
  static constexpr bool kPacked = false;

  std::int32_t request_id = 0;  // RequestID of the request
  FixedString<96> reject_text;  // reason
  HistoricalPriceDataRejectReasonCode reject_reason_code{};
  // only with reason 1: seconds to wait before retrying; normally 0
  std::uint16_t retry_time_in_seconds = 0;

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("RejectText", 8, m.reject_text);
    v("RejectReasonCode", 104, m.reject_reason_code);
    v("RetryTimeInSeconds", 106, m.retry_time_in_seconds);
  }
  bool operator==(const HistoricalPriceDataReject&) const = default;
};

// HISTORICAL_PRICE_DATA_RECORD_RESPONSE = 803, server → client, 88 bytes.
struct HistoricalPriceDataRecordResponse {
  static constexpr std::uint16_t kType = 803;
  static constexpr std::uint16_t kSize = 88;
  static constexpr std::string_view kName = "HISTORICAL_PRICE_DATA_RECORD_RESPONSE";
  static constexpr bool kPacked = false;

  std::int32_t request_id = 0;  // RequestID of the request
  // Bar START time: Unix us in the current header, Unix s in older ones; classify by magnitude
  // (§2.4, §6.9).
  std::int64_t start_date_time = 0;
  double open_price = 0;  // open. 0 in single-trade records (see 6.10)
  double high_price = 0;  // high (single-trade record: ask at the time of the trade)
  double low_price = 0;   // low (single-trade record: bid at the time of the trade)
  double last_price = 0;  // close / last
  double volume = 0;      // volume of the bar
  // A union in the header: NumTrades and OpenInterest share these 4 bytes. Sierra Chart fills
  // the number of trades for intraday bars, so the storage is named after that and
  // open_interest() reads the same bytes under the other name.
  std::uint32_t num_trades = 0;
  double bid_volume = 0;  // volume traded at bid or lower
  double ask_volume = 0;  // volume traded at ask or higher
  // 1 = last message of this response (this record may be an empty placeholder, see 6.8)
  std::uint8_t is_final_record = 0;

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("StartDateTime", 8, m.start_date_time);
    v("OpenPrice", 16, m.open_price);
    v("HighPrice", 24, m.high_price);
    v("LowPrice", 32, m.low_price);
    v("LastPrice", 40, m.last_price);
    v("Volume", 48, m.volume);
    v("NumTrades", 56, m.num_trades);
    v("BidVolume", 64, m.bid_volume);
    v("AskVolume", 72, m.ask_volume);
    v("IsFinalRecord", 80, m.is_final_record);
  }
  [[nodiscard]] std::uint32_t open_interest() const noexcept { return num_trades; }

  bool operator==(const HistoricalPriceDataRecordResponse&) const = default;
};

// HISTORICAL_PRICE_DATA_TICK_RECORD_RESPONSE = 804, server → client, 48 bytes.
struct HistoricalPriceDataTickRecordResponse {
  static constexpr std::uint16_t kType = 804;
  static constexpr std::uint16_t kSize = 48;
  static constexpr std::string_view kName = "HISTORICAL_PRICE_DATA_TICK_RECORD_RESPONSE";
  static constexpr bool kPacked = false;

  std::int32_t request_id = 0;  // RequestID of the request
  double date_time = 0;         // trade time [Unix s + fraction]
  AtBidOrAsk at_bid_or_ask{};
  double price = 0;                  // trade price
  double volume = 0;                 // trade size
  std::uint8_t is_final_record = 0;  // 1 = last message of this response

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("DateTime", 8, m.date_time);
    v("AtBidOrAsk", 16, m.at_bid_or_ask);
    v("Price", 24, m.price);
    v("Volume", 32, m.volume);
    v("IsFinalRecord", 40, m.is_final_record);
  }
  bool operator==(const HistoricalPriceDataTickRecordResponse&) const = default;
};

// HISTORICAL_PRICE_DATA_RESPONSE_TRAILER = 807, server → client, 16 bytes.
struct HistoricalPriceDataResponseTrailer {
  static constexpr std::uint16_t kType = 807;
  static constexpr std::uint16_t kSize = 16;
  static constexpr std::string_view kName = "HISTORICAL_PRICE_DATA_RESPONSE_TRAILER";
  static constexpr bool kPacked = false;

  std::int32_t request_id = 0;  // RequestID of the request
  // Time of the last data in the final record, Unix us (older v8 headers: a double of seconds
  // in the same 8 bytes, which this codec does not reinterpret).
  std::int64_t final_record_last_date_time = 0;

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("FinalRecordLastDateTime", 8, m.final_record_last_date_time);
  }
  bool operator==(const HistoricalPriceDataResponseTrailer&) const = default;
};

// Offsets and sizes above must follow the C layout rule of §2.3 (see wire.h).
static_assert(wire::follows_layout_rule<HistoricalPriceDataRequest>());
static_assert(wire::follows_layout_rule<HistoricalPriceDataResponseHeader>());
static_assert(wire::follows_layout_rule<HistoricalPriceDataReject>());
static_assert(wire::follows_layout_rule<HistoricalPriceDataRecordResponse>());
static_assert(wire::follows_layout_rule<HistoricalPriceDataTickRecordResponse>());
static_assert(wire::follows_layout_rule<HistoricalPriceDataResponseTrailer>());

}  // namespace daytrader::dtc