#pragma once
// Session messages: encoding negotiation, logon, heartbeat, logoff and server text
// (dtc.md §3, §4).
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

// ENCODING_REQUEST = 6, client → server, 16 bytes.
struct EncodingRequest {
  static constexpr std::uint16_t kType = 6;
  static constexpr std::uint16_t kSize = 16;
  static constexpr std::string_view kName = "ENCODING_REQUEST";
  static constexpr bool kPacked = false;

  std::int32_t protocol_version = kProtocolVersion;
  Encoding encoding = Encoding::kBinary;  // the encoding asked for
  FixedString<4> protocol_type = kProtocolType;

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("ProtocolVersion", 4, m.protocol_version);
    v("Encoding", 8, m.encoding);
    v("ProtocolType", 12, m.protocol_type);
  }
  bool operator==(const EncodingRequest&) const = default;
};

// ENCODING_RESPONSE = 7, server → client, 16 bytes.
struct EncodingResponse {
  static constexpr std::uint16_t kType = 7;
  static constexpr std::uint16_t kSize = 16;
  static constexpr std::string_view kName = "ENCODING_RESPONSE";
  static constexpr bool kPacked = false;

  std::int32_t protocol_version = kProtocolVersion;
  // The encoding the server uses from now on; may differ from the one requested (§3.4).
  Encoding encoding = Encoding::kBinary;
  FixedString<4> protocol_type = kProtocolType;

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("ProtocolVersion", 4, m.protocol_version);
    v("Encoding", 8, m.encoding);
    v("ProtocolType", 12, m.protocol_type);
  }
  bool operator==(const EncodingResponse&) const = default;
};

// LOGON_REQUEST = 1, client → server, 284 bytes. Older v8 header: 280 bytes.
struct LogonRequest {
  static constexpr std::uint16_t kType = 1;
  static constexpr std::uint16_t kSize = 284;
  static constexpr std::string_view kName = "LOGON_REQUEST";
  static constexpr bool kPacked = false;

  std::int32_t protocol_version = kProtocolVersion;
  FixedString<32> username;  // optional credentials; empty if the server does not authenticate
  FixedString<32> password;  // optional credentials
  FixedString<64> general_text_data;  // optional free text (e.g. a licence key)
  // optional general-purpose integer. Sierra Chart: keep 0 (bit 0x2 switches its server into "Relay
  // Server" mode)
  std::int32_t integer_1 = 0;
  std::int32_t integer_2 = 0;  // optional general-purpose integer; 0
  // REQUIRED. Interval both sides use to send HEARTBEAT. Recommended 5..60
  std::int32_t heartbeat_interval_in_seconds = 0;
  std::int32_t unused1 = 0;             // was TradeMode (TradeModeEnum) in older v8 headers; send 0
  FixedString<32> trade_account;        // optional; only if the server binds a logon to one account
  FixedString<64> hardware_identifier;  // optional; leave empty
  FixedString<32> client_name;          // free text name of the client program
  // optional; ms the server may batch market data before sending; 0 = no batching (newer field,
  // absent in older headers)
  std::int32_t market_data_transmission_interval = 0;

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("ProtocolVersion", 4, m.protocol_version);
    v("Username", 8, m.username);
    v("Password", 40, m.password);
    v("GeneralTextData", 72, m.general_text_data);
    v("Integer_1", 136, m.integer_1);
    v("Integer_2", 140, m.integer_2);
    v("HeartbeatIntervalInSeconds", 144, m.heartbeat_interval_in_seconds);
    v("Unused1", 148, m.unused1);
    v("TradeAccount", 152, m.trade_account);
    v("HardwareIdentifier", 184, m.hardware_identifier);
    v("ClientName", 248, m.client_name);
    v("MarketDataTransmissionInterval", 280, m.market_data_transmission_interval);
  }
  bool operator==(const LogonRequest&) const = default;
};

// LOGON_RESPONSE = 2, server → client, 256 bytes.
struct LogonResponse {
  static constexpr std::uint16_t kType = 2;
  static constexpr std::uint16_t kSize = 256;
  static constexpr std::string_view kName = "LOGON_RESPONSE";
  static constexpr bool kPacked = false;

  std::int32_t protocol_version = kProtocolVersion;
  LogonStatus result = LogonStatus::kSuccess;  // only kSuccess means logged on
  FixedString<96> result_text;                 // human readable text about the result
  FixedString<64> reconnect_address;  // "host:port" to reconnect to; only used with Result = 4
  std::int32_t integer_1 = 0;         // optional server-defined integer
  FixedString<60> server_name;        // descriptive server name
  // 1 = server sends depth only; client derives best bid/ask from depth level 1
  std::uint8_t market_depth_updates_best_bid_and_ask = 0;
  // 1 = trading messages accepted. If 0 the client must not send any order message
  std::uint8_t trading_is_supported = 0;
  std::uint8_t oco_orders_supported = 0;            // 1 = SUBMIT_NEW_OCO_ORDER accepted
  std::uint8_t order_cancel_replace_supported = 1;  // 1 = CANCEL_REPLACE_ORDER accepted
  // if non-empty (e.g. "-" or "."), the server uses the Exchange field and this is the separator a
  // client may use to show "Symbol<delim>Exchange"; empty = Exchange field unused
  FixedString<4> symbol_exchange_delimiter;
  std::uint8_t security_definitions_supported = 0;  // 1 = security definition requests accepted
  // 1 = HISTORICAL_PRICE_DATA_REQUEST accepted on this connection
  std::uint8_t historical_price_data_supported = 0;
  // 1 = after MARKET_DATA_FEED_STATUS says "available" again, the client must re-subscribe
  // everything
  std::uint8_t resubscribe_when_market_data_feed_available = 0;
  std::uint8_t market_depth_is_supported = 1;  // 1 = MARKET_DEPTH_REQUEST accepted
  // 1 = only one historical request per TCP connection; server closes the connection after
  // serving/rejecting it
  std::uint8_t one_historical_price_data_request_per_connection = 0;
  std::uint8_t bracket_orders_supported = 0;  // 1 = parent + OCO bracket orders accepted (see 7.8)
  // was UseIntegerPriceOrderMessages (integer order messages, retired Aug 2020); ignore
  std::uint8_t unused_1 = 0;
  // 1 = several positions per symbol/account possible; then POSITION_UPDATE.PositionIdentifier is
  // always set
  std::uint8_t uses_multiple_positions_per_symbol_and_trade_account = 0;
  std::uint8_t market_data_supported = 1;  // 1 = MARKET_DATA_REQUEST accepted

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("ProtocolVersion", 4, m.protocol_version);
    v("Result", 8, m.result);
    v("ResultText", 12, m.result_text);
    v("ReconnectAddress", 108, m.reconnect_address);
    v("Integer_1", 172, m.integer_1);
    v("ServerName", 176, m.server_name);
    v("MarketDepthUpdatesBestBidAndAsk", 236, m.market_depth_updates_best_bid_and_ask);
    v("TradingIsSupported", 237, m.trading_is_supported);
    v("OCOOrdersSupported", 238, m.oco_orders_supported);
    v("OrderCancelReplaceSupported", 239, m.order_cancel_replace_supported);
    v("SymbolExchangeDelimiter", 240, m.symbol_exchange_delimiter);
    v("SecurityDefinitionsSupported", 244, m.security_definitions_supported);
    v("HistoricalPriceDataSupported", 245, m.historical_price_data_supported);
    v("ResubscribeWhenMarketDataFeedAvailable", 246, m.resubscribe_when_market_data_feed_available);
    v("MarketDepthIsSupported", 247, m.market_depth_is_supported);
    v("OneHistoricalPriceDataRequestPerConnection", 248,
      m.one_historical_price_data_request_per_connection);
    v("BracketOrdersSupported", 249, m.bracket_orders_supported);
    v("Unused_1", 250, m.unused_1);
    v("UsesMultiplePositionsPerSymbolAndTradeAccount", 251,
      m.uses_multiple_positions_per_symbol_and_trade_account);
    v("MarketDataSupported", 252, m.market_data_supported);
  }
  bool operator==(const LogonResponse&) const = default;
};

// HEARTBEAT = 3, both directions, 16 bytes.
struct Heartbeat {
  static constexpr std::uint16_t kType = 3;
  static constexpr std::uint16_t kSize = 16;
  static constexpr std::string_view kName = "HEARTBEAT";
  static constexpr bool kPacked = false;

  // optional (server): market data messages dropped because the client was slow
  std::uint32_t num_dropped_messages = 0;
  std::int64_t current_date_time = 0;  // optional sender clock, Unix s

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("NumDroppedMessages", 4, m.num_dropped_messages);
    v("CurrentDateTime", 8, m.current_date_time);
  }
  bool operator==(const Heartbeat&) const = default;
};

// LOGOFF = 5, both directions, 102 bytes.
struct Logoff {
  static constexpr std::uint16_t kType = 5;
  static constexpr std::uint16_t kSize = 102;
  static constexpr std::string_view kName = "LOGOFF";
  static constexpr bool kPacked = false;

  FixedString<96> reason;             // text reason
  std::uint8_t do_not_reconnect = 0;  // 1 = the receiver must not reconnect automatically

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("Reason", 4, m.reason);
    v("DoNotReconnect", 100, m.do_not_reconnect);
  }
  bool operator==(const Logoff&) const = default;
};

// USER_MESSAGE = 700, server → client, 262 bytes.
struct UserMessage {
  static constexpr std::uint16_t kType = 700;
  static constexpr std::uint16_t kSize = 262;
  static constexpr std::string_view kName = "USER_MESSAGE";
  static constexpr bool kPacked = false;

  FixedString<256> user_message;      // text for the user
  std::uint8_t is_popup_message = 1;  // 1 = show as pop-up

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("UserMessage", 4, m.user_message);
    v("IsPopupMessage", 260, m.is_popup_message);
  }
  bool operator==(const UserMessage&) const = default;
};

// GENERAL_LOG_MESSAGE = 701, server → client, 132 bytes.
struct GeneralLogMessage {
  static constexpr std::uint16_t kType = 701;
  static constexpr std::uint16_t kSize = 132;
  static constexpr std::string_view kName = "GENERAL_LOG_MESSAGE";
  static constexpr bool kPacked = false;

  FixedString<128> message_text;  // text for the log

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("MessageText", 4, m.message_text);
  }
  bool operator==(const GeneralLogMessage&) const = default;
};

// Offsets and sizes above must follow the C layout rule of §2.3 (see wire.h).
static_assert(wire::follows_layout_rule<EncodingRequest>());
static_assert(wire::follows_layout_rule<EncodingResponse>());
static_assert(wire::follows_layout_rule<LogonRequest>());
static_assert(wire::follows_layout_rule<LogonResponse>());
static_assert(wire::follows_layout_rule<Heartbeat>());
static_assert(wire::follows_layout_rule<Logoff>());
static_assert(wire::follows_layout_rule<UserMessage>());
static_assert(wire::follows_layout_rule<GeneralLogMessage>());

}  // namespace daytrader::dtc