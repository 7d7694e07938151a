#pragma once
// Level-1 market data messages (dtc.md §5).
//
// SymbolID is the client's id from MARKET_DATA_REQUEST. Prices stay doubles or floats as sent,
// with the unset sentinels of §2.7 as defaults; times keep their wire unit (named per field:
// "Unix s", "Unix s + fraction" for doubles, "Unix us"). Conversion to ticks and Timestamp is
// market/'s job.
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

// MARKET_DATA_REQUEST = 101, client → server, 96 bytes.
struct MarketDataRequest {
  static constexpr std::uint16_t kType = 101;
  static constexpr std::uint16_t kSize = 96;
  static constexpr std::string_view kName = "MARKET_DATA_REQUEST";
  static constexpr bool kPacked = false;

  RequestAction request_action = RequestAction::kSubscribe;
  // Client-chosen, non-zero, unique per symbol; the server echoes it in every market data
  // message for the symbol instead of the symbol text.
  std::uint32_t symbol_id = 0;
  FixedString<64> symbol;    // symbol text (server specific). Empty when unsubscribing
  FixedString<16> exchange;  // optional exchange. Empty when unsubscribing
  // only for action 4: period of repeated snapshots (meaning inferred from the name; not described
  // in the docs we could read)
  std::uint32_t interval_for_snapshot_updates_in_milliseconds = 0;

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestAction", 4, m.request_action);
    v("SymbolID", 8, m.symbol_id);
    v("Symbol", 12, m.symbol);
    v("Exchange", 76, m.exchange);
    v("IntervalForSnapshotUpdatesInMilliseconds", 92,
      m.interval_for_snapshot_updates_in_milliseconds);
  }
  bool operator==(const MarketDataRequest&) const = default;
};

// MARKET_DATA_REJECT = 103, server → client, 104 bytes.
struct MarketDataReject {
  static constexpr std::uint16_t kType = 103;
  static constexpr std::uint16_t kSize = 104;
  static constexpr std::string_view kName = "MARKET_DATA_REJECT";
  static constexpr bool kPacked = false;

  std::uint32_t symbol_id = 0;  // SymbolID of the rejected request
  FixedString<96> reject_text;  // reason

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("SymbolID", 4, m.symbol_id);
    v("RejectText", 8, m.reject_text);
  }
  bool operator==(const MarketDataReject&) const = default;
};

// MARKET_DATA_SNAPSHOT = 104, server → client, 144 bytes.
struct MarketDataSnapshot {
  static constexpr std::uint16_t kType = 104;
  static constexpr std::uint16_t kSize = 144;
  static constexpr std::string_view kName = "MARKET_DATA_SNAPSHOT";
  static constexpr bool kPacked = false;

  std::uint32_t symbol_id = 0;
  // previous settlement (before close) or latest settlement (after close). Unset = DBL_MAX
  double session_settlement_price = kUnsetDouble;
  double session_open_price = kUnsetDouble;  // session open. Unset = DBL_MAX
  double session_high_price = kUnsetDouble;  // session high. Unset = DBL_MAX
  double session_low_price = kUnsetDouble;   // session low. Unset = DBL_MAX
  double session_volume = kUnsetDouble;      // session volume. Unset = DBL_MAX
  // number of trades in session. Unset = UINT_MAX (0xFFFFFFFF)
  std::uint32_t session_num_trades = kUnsetUint32;
  std::uint32_t open_interest = kUnsetUint32;  // open interest. Unset = UINT_MAX
  double bid_price = kUnsetDouble;             // best bid. Unset = DBL_MAX
  double ask_price = kUnsetDouble;             // best ask. Unset = DBL_MAX
  double ask_quantity = kUnsetDouble;          // size at best ask. Unset = DBL_MAX
  double bid_quantity = kUnsetDouble;          // size at best bid. Unset = DBL_MAX
  double last_trade_price = kUnsetDouble;      // last trade price. Unset = DBL_MAX
  double last_trade_volume = kUnsetDouble;     // last trade size. Unset = DBL_MAX
  double last_trade_date_time = 0;  // time of last trade; 0 = unknown [Unix s + fraction]
  double bid_ask_date_time = 0;     // time of last quote update; 0 = unknown [Unix s + fraction]
  // trading date the settlement belongs to (time part irrelevant); 0 = unknown [Unix s]
  std::uint32_t session_settlement_date_time = 0;
  std::uint32_t trading_session_date = 0;  // date of the session the snapshot describes [Unix s]
  TradingStatus trading_status{};
  // Time of the last depth update; 0 = unknown [Unix s + fraction].
  double market_depth_update_date_time = 0;

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("SymbolID", 4, m.symbol_id);
    v("SessionSettlementPrice", 8, m.session_settlement_price);
    v("SessionOpenPrice", 16, m.session_open_price);
    v("SessionHighPrice", 24, m.session_high_price);
    v("SessionLowPrice", 32, m.session_low_price);
    v("SessionVolume", 40, m.session_volume);
    v("SessionNumTrades", 48, m.session_num_trades);
    v("OpenInterest", 52, m.open_interest);
    v("BidPrice", 56, m.bid_price);
    v("AskPrice", 64, m.ask_price);
    v("AskQuantity", 72, m.ask_quantity);
    v("BidQuantity", 80, m.bid_quantity);
    v("LastTradePrice", 88, m.last_trade_price);
    v("LastTradeVolume", 96, m.last_trade_volume);
    v("LastTradeDateTime", 104, m.last_trade_date_time);
    v("BidAskDateTime", 112, m.bid_ask_date_time);
    v("SessionSettlementDateTime", 120, m.session_settlement_date_time);
    v("TradingSessionDate", 124, m.trading_session_date);
    v("TradingStatus", 128, m.trading_status);
    v("MarketDepthUpdateDateTime", 136, m.market_depth_update_date_time);
  }
  bool operator==(const MarketDataSnapshot&) const = default;
};

// MARKET_DATA_UPDATE_TRADE = 107, server → client, 40 bytes.
struct MarketDataUpdateTrade {
  static constexpr std::uint16_t kType = 107;
  static constexpr std::uint16_t kSize = 40;
  static constexpr std::string_view kName = "MARKET_DATA_UPDATE_TRADE";
  static constexpr bool kPacked = false;

  std::uint32_t symbol_id = 0;
  AtBidOrAsk at_bid_or_ask{};  // kAtBid = seller aggressor, kAtAsk = buyer aggressor
  double price = 0;            // trade price
  double volume = 0;           // trade size (contracts)
  double date_time = 0;        // trade time [Unix s + fraction]

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("SymbolID", 4, m.symbol_id);
    v("AtBidOrAsk", 8, m.at_bid_or_ask);
    v("Price", 16, m.price);
    v("Volume", 24, m.volume);
    v("DateTime", 32, m.date_time);
  }
  bool operator==(const MarketDataUpdateTrade&) const = default;
};

// MARKET_DATA_UPDATE_TRADE_COMPACT = 112, server → client, 24 bytes.
struct MarketDataUpdateTradeCompact {
  static constexpr std::uint16_t kType = 112;
  static constexpr std::uint16_t kSize = 24;
  static constexpr std::string_view kName = "MARKET_DATA_UPDATE_TRADE_COMPACT";
  static constexpr bool kPacked = false;

  float price = 0;              // trade price (float)
  float volume = 0;             // trade size (float)
  std::uint32_t date_time = 0;  // trade time, whole seconds only [Unix s]
  std::uint32_t symbol_id = 0;  // after the data fields in this message
  AtBidOrAsk at_bid_or_ask{};

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("Price", 4, m.price);
    v("Volume", 8, m.volume);
    v("DateTime", 12, m.date_time);
    v("SymbolID", 16, m.symbol_id);
    v("AtBidOrAsk", 20, m.at_bid_or_ask);
  }
  bool operator==(const MarketDataUpdateTradeCompact&) const = default;
};

// MARKET_DATA_UPDATE_TRADE_WITH_UNBUNDLED_INDICATOR = 137, server → client, 40 bytes.
struct MarketDataUpdateTradeWithUnbundledIndicator {
  static constexpr std::uint16_t kType = 137;
  static constexpr std::uint16_t kSize = 40;
  static constexpr std::string_view kName = "MARKET_DATA_UPDATE_TRADE_WITH_UNBUNDLED_INDICATOR";
  static constexpr bool kPacked = false;

  std::uint32_t symbol_id = 0;
  AtBidOrAsk8 at_bid_or_ask{};
  UnbundledTradeIndicator unbundled_trade_indicator{};
  // A raw code, not TradeConditionEnum (named SaleCondition in older headers); 0 = none.
  std::uint8_t trade_condition = 0;
  std::uint8_t reserve_1 = 0;   // reserved, 0
  std::uint32_t reserve_2 = 0;  // reserved, 0
  double price = 0;             // trade price
  std::uint32_t volume = 0;     // trade size (uint32)
  std::uint32_t reserve_3 = 0;  // reserved, 0
  double date_time = 0;         // trade time [Unix s + fraction]

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("SymbolID", 4, m.symbol_id);
    v("AtBidOrAsk", 8, m.at_bid_or_ask);
    v("UnbundledTradeIndicator", 9, m.unbundled_trade_indicator);
    v("TradeCondition", 10, m.trade_condition);
    v("Reserve_1", 11, m.reserve_1);
    v("Reserve_2", 12, m.reserve_2);
    v("Price", 16, m.price);
    v("Volume", 24, m.volume);
    v("Reserve_3", 28, m.reserve_3);
    v("DateTime", 32, m.date_time);
  }
  bool operator==(const MarketDataUpdateTradeWithUnbundledIndicator&) const = default;
};

// MARKET_DATA_UPDATE_TRADE_WITH_UNBUNDLED_INDICATOR_2 = 146, server → client, 27 bytes (packed).
struct MarketDataUpdateTradeWithUnbundledIndicator2 {
  static constexpr std::uint16_t kType = 146;
  static constexpr std::uint16_t kSize = 27;
  static constexpr std::string_view kName = "MARKET_DATA_UPDATE_TRADE_WITH_UNBUNDLED_INDICATOR_2";
  static constexpr bool kPacked = true;

  std::uint32_t symbol_id = 0;
  float price = 0;             // trade price (float)
  std::uint32_t volume = 0;    // trade size
  std::int64_t date_time = 0;  // trade time, Unix MICROseconds
  AtBidOrAsk8 at_bid_or_ask{};
  UnbundledTradeIndicator unbundled_trade_indicator{};
  TradeCondition trade_condition{};

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("SymbolID", 4, m.symbol_id);
    v("Price", 8, m.price);
    v("Volume", 12, m.volume);
    v("DateTime", 16, m.date_time);
    v("AtBidOrAsk", 24, m.at_bid_or_ask);
    v("UnbundledTradeIndicator", 25, m.unbundled_trade_indicator);
    v("TradeCondition", 26, m.trade_condition);
  }
  bool operator==(const MarketDataUpdateTradeWithUnbundledIndicator2&) const = default;
};

// MARKET_DATA_UPDATE_TRADE_NO_TIMESTAMP = 142, server → client, 19 bytes (packed).
// Older v8 header: 18 bytes.
struct MarketDataUpdateTradeNoTimestamp {
  static constexpr std::uint16_t kType = 142;
  static constexpr std::uint16_t kSize = 19;
  static constexpr std::string_view kName = "MARKET_DATA_UPDATE_TRADE_NO_TIMESTAMP";
  static constexpr bool kPacked = true;

  std::uint32_t symbol_id = 0;
  float price = 0;           // trade price (float)
  std::uint32_t volume = 0;  // trade size
  AtBidOrAsk8 at_bid_or_ask{};
  UnbundledTradeIndicator unbundled_trade_indicator{};
  TradeCondition trade_condition{};  // absent in older headers (then Size = 18)

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("SymbolID", 4, m.symbol_id);
    v("Price", 8, m.price);
    v("Volume", 12, m.volume);
    v("AtBidOrAsk", 16, m.at_bid_or_ask);
    v("UnbundledTradeIndicator", 17, m.unbundled_trade_indicator);
    v("TradeCondition", 18, m.trade_condition);
  }
  bool operator==(const MarketDataUpdateTradeNoTimestamp&) const = default;
};

// MARKET_DATA_UPDATE_LAST_TRADE_SNAPSHOT = 134, server → client, 32 bytes.
struct MarketDataUpdateLastTradeSnapshot {
  static constexpr std::uint16_t kType = 134;
  static constexpr std::uint16_t kSize = 32;
  static constexpr std::string_view kName = "MARKET_DATA_UPDATE_LAST_TRADE_SNAPSHOT";
  static constexpr bool kPacked = false;

  std::uint32_t symbol_id = 0;
  double last_trade_price = 0;      // corrected last price
  double last_trade_volume = 0;     // corrected last size
  double last_trade_date_time = 0;  // time of that last trade [Unix s + fraction]

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("SymbolID", 4, m.symbol_id);
    v("LastTradePrice", 8, m.last_trade_price);
    v("LastTradeVolume", 16, m.last_trade_volume);
    v("LastTradeDateTime", 24, m.last_trade_date_time);
  }
  bool operator==(const MarketDataUpdateLastTradeSnapshot&) const = default;
};

// MARKET_DATA_UPDATE_BID_ASK = 108, server → client, 40 bytes.
struct MarketDataUpdateBidAsk {
  static constexpr std::uint16_t kType = 108;
  static constexpr std::uint16_t kSize = 40;
  static constexpr std::string_view kName = "MARKET_DATA_UPDATE_BID_ASK";
  static constexpr bool kPacked = false;

  std::uint32_t symbol_id = 0;
  // best bid. DBL_MAX = no bid / not set (then BidQuantity is also meaningless)
  double bid_price = kUnsetDouble;
  float bid_quantity = 0;  // size at best bid (float)
  // best ask. DBL_MAX = no ask / not set (then AskQuantity is meaningless)
  double ask_price = kUnsetDouble;
  float ask_quantity = 0;       // size at best ask (float)
  std::uint32_t date_time = 0;  // quote time, whole seconds only [Unix s]

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("SymbolID", 4, m.symbol_id);
    v("BidPrice", 8, m.bid_price);
    v("BidQuantity", 16, m.bid_quantity);
    v("AskPrice", 24, m.ask_price);
    v("AskQuantity", 32, m.ask_quantity);
    v("DateTime", 36, m.date_time);
  }
  bool operator==(const MarketDataUpdateBidAsk&) const = default;
};

// MARKET_DATA_UPDATE_BID_ASK_COMPACT = 117, server → client, 28 bytes.
struct MarketDataUpdateBidAskCompact {
  static constexpr std::uint16_t kType = 117;
  static constexpr std::uint16_t kSize = 28;
  static constexpr std::string_view kName = "MARKET_DATA_UPDATE_BID_ASK_COMPACT";
  static constexpr bool kPacked = false;

  float bid_price = kUnsetFloat;  // best bid
  float bid_quantity = 0;         // bid size
  float ask_price = kUnsetFloat;  // best ask
  float ask_quantity = 0;         // ask size
  std::uint32_t date_time = 0;    // quote time, whole seconds [Unix s]
  std::uint32_t symbol_id = 0;    // last in this message

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("BidPrice", 4, m.bid_price);
    v("BidQuantity", 8, m.bid_quantity);
    v("AskPrice", 12, m.ask_price);
    v("AskQuantity", 16, m.ask_quantity);
    v("DateTime", 20, m.date_time);
    v("SymbolID", 24, m.symbol_id);
  }
  bool operator==(const MarketDataUpdateBidAskCompact&) const = default;
};

// MARKET_DATA_UPDATE_BID_ASK_FLOAT_WITH_MICROSECONDS = 144, server → client, 32 bytes (packed).
struct MarketDataUpdateBidAskFloatWithMicroseconds {
  static constexpr std::uint16_t kType = 144;
  static constexpr std::uint16_t kSize = 32;
  static constexpr std::string_view kName = "MARKET_DATA_UPDATE_BID_ASK_FLOAT_WITH_MICROSECONDS";
  static constexpr bool kPacked = true;

  std::uint32_t symbol_id = 0;
  float bid_price = kUnsetFloat;  // best bid
  float bid_quantity = 0;         // bid size
  float ask_price = kUnsetFloat;  // best ask
  float ask_quantity = 0;         // ask size
  // quote time, Unix MICROseconds (older headers: name ..._WITH_MILLISECONDS and int64
  // milliseconds) [Unix us]
  std::int64_t date_time = 0;

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("SymbolID", 4, m.symbol_id);
    v("BidPrice", 8, m.bid_price);
    v("BidQuantity", 12, m.bid_quantity);
    v("AskPrice", 16, m.ask_price);
    v("AskQuantity", 20, m.ask_quantity);
    v("DateTime", 24, m.date_time);
  }
  bool operator==(const MarketDataUpdateBidAskFloatWithMicroseconds&) const = default;
};

// MARKET_DATA_UPDATE_BID_ASK_NO_TIMESTAMP = 143, server → client, 24 bytes (packed).
struct MarketDataUpdateBidAskNoTimestamp {
  static constexpr std::uint16_t kType = 143;
  static constexpr std::uint16_t kSize = 24;
  static constexpr std::string_view kName = "MARKET_DATA_UPDATE_BID_ASK_NO_TIMESTAMP";
  static constexpr bool kPacked = true;

  std::uint32_t symbol_id = 0;
  float bid_price = kUnsetFloat;   // best bid
  std::uint32_t bid_quantity = 0;  // bid size (uint32)
  float ask_price = kUnsetFloat;   // best ask
  std::uint32_t ask_quantity = 0;  // ask size (uint32)

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("SymbolID", 4, m.symbol_id);
    v("BidPrice", 8, m.bid_price);
    v("BidQuantity", 12, m.bid_quantity);
    v("AskPrice", 16, m.ask_price);
    v("AskQuantity", 20, m.ask_quantity);
  }
  bool operator==(const MarketDataUpdateBidAskNoTimestamp&) const = default;
};

// MARKET_DATA_UPDATE_SESSION_OPEN = 120, server → client, 24 bytes.
struct MarketDataUpdateSessionOpen {
  static constexpr std::uint16_t kType = 120;
  static constexpr std::uint16_t kSize = 24;
  static constexpr std::string_view kName = "MARKET_DATA_UPDATE_SESSION_OPEN";
  static constexpr bool kPacked = false;

  std::uint32_t symbol_id = 0;
  double price = 0;                        // session open price
  std::uint32_t trading_session_date = 0;  // session date (time part irrelevant) [Unix s]

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("SymbolID", 4, m.symbol_id);
    v("Price", 8, m.price);
    v("TradingSessionDate", 16, m.trading_session_date);
  }
  bool operator==(const MarketDataUpdateSessionOpen&) const = default;
};

// MARKET_DATA_UPDATE_SESSION_HIGH = 114, server → client, 24 bytes.
struct MarketDataUpdateSessionHigh {
  static constexpr std::uint16_t kType = 114;
  static constexpr std::uint16_t kSize = 24;
  static constexpr std::string_view kName = "MARKET_DATA_UPDATE_SESSION_HIGH";
  static constexpr bool kPacked = false;

  std::uint32_t symbol_id = 0;
  double price = 0;                        // new session high
  std::uint32_t trading_session_date = 0;  // session date (time part irrelevant) [Unix s]

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("SymbolID", 4, m.symbol_id);
    v("Price", 8, m.price);
    v("TradingSessionDate", 16, m.trading_session_date);
  }
  bool operator==(const MarketDataUpdateSessionHigh&) const = default;
};

// MARKET_DATA_UPDATE_SESSION_LOW = 115, server → client, 24 bytes.
struct MarketDataUpdateSessionLow {
  static constexpr std::uint16_t kType = 115;
  static constexpr std::uint16_t kSize = 24;
  static constexpr std::string_view kName = "MARKET_DATA_UPDATE_SESSION_LOW";
  static constexpr bool kPacked = false;

  std::uint32_t symbol_id = 0;
  double price = 0;                        // new session low
  std::uint32_t trading_session_date = 0;  // session date (time part irrelevant) [Unix s]

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("SymbolID", 4, m.symbol_id);
    v("Price", 8, m.price);
    v("TradingSessionDate", 16, m.trading_session_date);
  }
  bool operator==(const MarketDataUpdateSessionLow&) const = default;
};

// MARKET_DATA_UPDATE_SESSION_SETTLEMENT = 119, server → client, 24 bytes.
struct MarketDataUpdateSessionSettlement {
  static constexpr std::uint16_t kType = 119;
  static constexpr std::uint16_t kSize = 24;
  static constexpr std::string_view kName = "MARKET_DATA_UPDATE_SESSION_SETTLEMENT";
  static constexpr bool kPacked = false;

  std::uint32_t symbol_id = 0;
  double price = 0;             // settlement price
  std::uint32_t date_time = 0;  // trading date the settlement is for [Unix s]

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("SymbolID", 4, m.symbol_id);
    v("Price", 8, m.price);
    v("DateTime", 16, m.date_time);
  }
  bool operator==(const MarketDataUpdateSessionSettlement&) const = default;
};

// MARKET_DATA_UPDATE_SESSION_VOLUME = 113, server → client, 24 bytes.
struct MarketDataUpdateSessionVolume {
  static constexpr std::uint16_t kType = 113;
  static constexpr std::uint16_t kSize = 24;
  static constexpr std::string_view kName = "MARKET_DATA_UPDATE_SESSION_VOLUME";
  static constexpr bool kPacked = false;

  std::uint32_t symbol_id = 0;
  double volume = 0;  // total session volume (replaces the client running total)
  std::uint32_t trading_session_date = 0;    // session date [Unix s]
  std::uint8_t is_final_session_volume = 0;  // 1 = final volume for that session

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("SymbolID", 4, m.symbol_id);
    v("Volume", 8, m.volume);
    v("TradingSessionDate", 16, m.trading_session_date);
    v("IsFinalSessionVolume", 20, m.is_final_session_volume);
  }
  bool operator==(const MarketDataUpdateSessionVolume&) const = default;
};

// MARKET_DATA_UPDATE_SESSION_NUM_TRADES = 135, server → client, 16 bytes.
struct MarketDataUpdateSessionNumTrades {
  static constexpr std::uint16_t kType = 135;
  static constexpr std::uint16_t kSize = 16;
  static constexpr std::string_view kName = "MARKET_DATA_UPDATE_SESSION_NUM_TRADES";
  static constexpr bool kPacked = false;

  std::uint32_t symbol_id = 0;
  std::int32_t num_trades = 0;             // trades so far in session
  std::uint32_t trading_session_date = 0;  // session date [Unix s]

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("SymbolID", 4, m.symbol_id);
    v("NumTrades", 8, m.num_trades);
    v("TradingSessionDate", 12, m.trading_session_date);
  }
  bool operator==(const MarketDataUpdateSessionNumTrades&) const = default;
};

// MARKET_DATA_UPDATE_OPEN_INTEREST = 124, server → client, 16 bytes.
struct MarketDataUpdateOpenInterest {
  static constexpr std::uint16_t kType = 124;
  static constexpr std::uint16_t kSize = 16;
  static constexpr std::string_view kName = "MARKET_DATA_UPDATE_OPEN_INTEREST";
  static constexpr bool kPacked = false;

  std::uint32_t symbol_id = 0;
  std::uint32_t open_interest = 0;
  std::uint32_t trading_session_date = 0;  // session date [Unix s]

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("SymbolID", 4, m.symbol_id);
    v("OpenInterest", 8, m.open_interest);
    v("TradingSessionDate", 12, m.trading_session_date);
  }
  bool operator==(const MarketDataUpdateOpenInterest&) const = default;
};

// MARKET_DATA_UPDATE_TRADING_SESSION_DATE = 136, server → client, 12 bytes.
struct MarketDataUpdateTradingSessionDate {
  static constexpr std::uint16_t kType = 136;
  static constexpr std::uint16_t kSize = 12;
  static constexpr std::string_view kName = "MARKET_DATA_UPDATE_TRADING_SESSION_DATE";
  static constexpr bool kPacked = false;

  std::uint32_t symbol_id = 0;
  std::uint32_t date = 0;  // date of the current trading session (new session started) [Unix s]

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("SymbolID", 4, m.symbol_id);
    v("Date", 8, m.date);
  }
  bool operator==(const MarketDataUpdateTradingSessionDate&) const = default;
};

// MARKET_DATA_FEED_STATUS = 100, server → client, 8 bytes.
struct MarketDataFeedStatus {
  static constexpr std::uint16_t kType = 100;
  static constexpr std::uint16_t kSize = 8;
  static constexpr std::string_view kName = "MARKET_DATA_FEED_STATUS";
  static constexpr bool kPacked = false;

  FeedStatus status{};  // applies to every subscribed symbol

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("Status", 4, m.status);
  }
  bool operator==(const MarketDataFeedStatus&) const = default;
};

// MARKET_DATA_FEED_SYMBOL_STATUS = 116, server → client, 12 bytes.
struct MarketDataFeedSymbolStatus {
  static constexpr std::uint16_t kType = 116;
  static constexpr std::uint16_t kSize = 12;
  static constexpr std::string_view kName = "MARKET_DATA_FEED_SYMBOL_STATUS";
  static constexpr bool kPacked = false;

  std::uint32_t symbol_id = 0;
  FeedStatus status{};  // for this one symbol

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("SymbolID", 4, m.symbol_id);
    v("Status", 8, m.status);
  }
  bool operator==(const MarketDataFeedSymbolStatus&) const = default;
};

// TRADING_SYMBOL_STATUS = 138, server → client, 12 bytes.
struct TradingSymbolStatus {
  static constexpr std::uint16_t kType = 138;
  static constexpr std::uint16_t kSize = 12;
  static constexpr std::string_view kName = "TRADING_SYMBOL_STATUS";
  static constexpr bool kPacked = false;

  std::uint32_t symbol_id = 0;
  TradingStatus status{};

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("SymbolID", 4, m.symbol_id);
    v("Status", 8, m.status);
  }
  bool operator==(const TradingSymbolStatus&) const = default;
};

// Offsets and sizes above must follow the C layout rule of §2.3 (see wire.h).
static_assert(wire::follows_layout_rule<MarketDataRequest>());
static_assert(wire::follows_layout_rule<MarketDataReject>());
static_assert(wire::follows_layout_rule<MarketDataSnapshot>());
static_assert(wire::follows_layout_rule<MarketDataUpdateTrade>());
static_assert(wire::follows_layout_rule<MarketDataUpdateTradeCompact>());
static_assert(wire::follows_layout_rule<MarketDataUpdateTradeWithUnbundledIndicator>());
static_assert(wire::follows_layout_rule<MarketDataUpdateTradeWithUnbundledIndicator2>());
static_assert(wire::follows_layout_rule<MarketDataUpdateTradeNoTimestamp>());
static_assert(wire::follows_layout_rule<MarketDataUpdateLastTradeSnapshot>());
static_assert(wire::follows_layout_rule<MarketDataUpdateBidAsk>());
static_assert(wire::follows_layout_rule<MarketDataUpdateBidAskCompact>());
static_assert(wire::follows_layout_rule<MarketDataUpdateBidAskFloatWithMicroseconds>());
static_assert(wire::follows_layout_rule<MarketDataUpdateBidAskNoTimestamp>());
static_assert(wire::follows_layout_rule<MarketDataUpdateSessionOpen>());
static_assert(wire::follows_layout_rule<MarketDataUpdateSessionHigh>());
static_assert(wire::follows_layout_rule<MarketDataUpdateSessionLow>());
static_assert(wire::follows_layout_rule<MarketDataUpdateSessionSettlement>());
static_assert(wire::follows_layout_rule<MarketDataUpdateSessionVolume>());
static_assert(wire::follows_layout_rule<MarketDataUpdateSessionNumTrades>());
static_assert(wire::follows_layout_rule<MarketDataUpdateOpenInterest>());
static_assert(wire::follows_layout_rule<MarketDataUpdateTradingSessionDate>());
static_assert(wire::follows_layout_rule<MarketDataFeedStatus>());
static_assert(wire::follows_layout_rule<MarketDataFeedSymbolStatus>());
static_assert(wire::follows_layout_rule<TradingSymbolStatus>());

}  // namespace daytrader::dtc