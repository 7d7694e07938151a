#pragma once
// Trading messages: accounts, orders, fills, positions, balances, security definitions
// (dtc.md §7).
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

// TRADE_ACCOUNTS_REQUEST = 400, client → server, 8 bytes.
struct TradeAccountsRequest {
  static constexpr std::uint16_t kType = 400;
  static constexpr std::uint16_t kSize = 8;
  static constexpr std::string_view kName = "TRADE_ACCOUNTS_REQUEST";
  static constexpr bool kPacked = false;

  std::int32_t request_id = 0;  // client id echoed in the responses

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
  }
  bool operator==(const TradeAccountsRequest&) const = default;
};

// TRADE_ACCOUNT_RESPONSE = 401, server → client, 48 bytes.
struct TradeAccountResponse {
  static constexpr std::uint16_t kType = 401;
  static constexpr std::uint16_t kSize = 48;
  static constexpr std::string_view kName = "TRADE_ACCOUNT_RESPONSE";
  static constexpr bool kPacked = false;

  std::int32_t total_number_messages = 0;  // TRADE_ACCOUNT_RESPONSE messages in this batch
  std::int32_t message_number = 0;         // 1-based index in the batch
  // one account id; empty (single message) when the user has no accounts
  FixedString<32> trade_account;
  std::int32_t request_id = 0;  // RequestID of the request

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("TotalNumberMessages", 4, m.total_number_messages);
    v("MessageNumber", 8, m.message_number);
    v("TradeAccount", 12, m.trade_account);
    v("RequestID", 44, m.request_id);
  }
  bool operator==(const TradeAccountResponse&) const = default;
};

// OPEN_ORDERS_REQUEST = 300, client → server, 76 bytes.
struct OpenOrdersRequest {
  static constexpr std::uint16_t kType = 300;
  static constexpr std::uint16_t kSize = 76;
  static constexpr std::string_view kName = "OPEN_ORDERS_REQUEST";
  static constexpr bool kPacked = false;

  std::int32_t request_id = 0;          // client id echoed in the ORDER_UPDATE replies
  std::int32_t request_all_orders = 1;  // 1 = all open orders; 0 = only ServerOrderID
  FixedString<32> server_order_id;      // specific order when RequestAllOrders = 0; else empty
  FixedString<32> trade_account;        // empty = all accounts, else only this account

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("RequestAllOrders", 8, m.request_all_orders);
    v("ServerOrderID", 12, m.server_order_id);
    v("TradeAccount", 44, m.trade_account);
  }
  bool operator==(const OpenOrdersRequest&) const = default;
};

// OPEN_ORDERS_REJECT = 302, server → client, 104 bytes.
struct OpenOrdersReject {
  static constexpr std::uint16_t kType = 302;
  static constexpr std::uint16_t kSize = 104;
  static constexpr std::string_view kName = "OPEN_ORDERS_REJECT";
  static constexpr bool kPacked = false;

  std::int32_t request_id = 0;  // RequestID of the request
  FixedString<96> reject_text;  // reason

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("RejectText", 8, m.reject_text);
  }
  bool operator==(const OpenOrdersReject&) const = default;
};

// ORDER_UPDATE = 301, server → client, 720 bytes. Older v8 header: 688 bytes.
struct OrderUpdate {
  static constexpr std::uint16_t kType = 301;
  static constexpr std::uint16_t kSize = 720;
  static constexpr std::string_view kName = "ORDER_UPDATE";
  static constexpr bool kPacked = false;

  // RequestID of OPEN_ORDERS_REQUEST when answering it; 0 for unsolicited updates (fills, acks,
  // ...)
  std::int32_t request_id = 0;
  // batch size when answering OPEN_ORDERS_REQUEST; 1 for unsolicited updates (do not rely on it
  // then)
  std::int32_t total_num_messages = 0;
  std::int32_t message_number = 0;  // 1-based index in the batch; 1 for unsolicited
  FixedString<64> symbol;           // order symbol
  FixedString<16> exchange;         // order exchange (optional)
  // set on ORDER_CANCEL_REPLACE_COMPLETE if the server assigned a new ServerOrderID; else empty
  FixedString<32> previous_server_order_id;
  // server id of the order (may change on cancel/replace). Always set except possibly for the three
  // *_REJECTED reasons
  FixedString<32> server_order_id;
  // client id given at submission; reliable on reasons 2, 6, 7, 8, 9, 10
  FixedString<32> client_order_id;
  FixedString<32> exchange_order_id;        // optional exchange id
  OrderStatus order_status{};               // the state now (§7.1)
  OrderUpdateReason order_update_reason{};  // why this message was sent (§7.1)
  OrderType order_type{};
  BuySell buy_sell{};
  double price1 = kUnsetDouble;  // limit / stop / trigger price. Unset = DBL_MAX
  double price2 = kUnsetDouble;  // limit price of a stop-limit. Unset = DBL_MAX
  TimeInForce time_in_force{};
  std::int64_t good_till_date_time = 0;      // expiry for TIF_GOOD_TILL_DATE_TIME, Unix s
  double order_quantity = kUnsetDouble;      // order quantity. Unset = DBL_MAX
  double filled_quantity = kUnsetDouble;     // cumulative filled. Unset = DBL_MAX
  double remaining_quantity = kUnsetDouble;  // still working. Unset = DBL_MAX
  double average_fill_price = kUnsetDouble;  // average of all fills. Unset = DBL_MAX
  // price of the fill being reported (reasons 4/5). Unset = DBL_MAX
  double last_fill_price = kUnsetDouble;
  // Time of that fill: Unix ms in the current header, Unix s in older ones; classify by
  // magnitude (§2.4).
  std::int64_t last_fill_date_time = 0;
  // quantity of that fill (not cumulative). Unset = DBL_MAX
  double last_fill_quantity = kUnsetDouble;
  FixedString<64> last_fill_execution_id;  // unique id of that fill
  FixedString<32> trade_account;           // account of the order
  FixedString<96> info_text;               // free text; the reject reason on rejections
  // 1 = "there are no open orders" (single reply to OPEN_ORDERS_REQUEST); else 0
  std::uint8_t no_orders = 0;
  // for a bracket child: ServerOrderID of its parent; else empty
  FixedString<32> parent_server_order_id;
  // for an OCO member: ServerOrderID of the other member; else empty
  FixedString<32> oco_linked_order_server_order_id;
  OpenCloseTrade open_or_close{};  // not used for futures
  // previous ClientOrderID if the client changed it; only right after the change
  FixedString<32> previous_client_order_id;
  FixedString<48> free_form_text;  // free text given with the new order
  // When the server received the original order: Unix s in the current header, Unix ms in the
  // 2022 one; classify by magnitude (§2.4).
  std::int64_t order_received_date_time = 0;
  // Time of the latest event on this order [Unix s + fraction].
  double latest_transaction_date_time = 0;
  FixedString<32> username;  // user that owns the order (newer field)

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("TotalNumMessages", 8, m.total_num_messages);
    v("MessageNumber", 12, m.message_number);
    v("Symbol", 16, m.symbol);
    v("Exchange", 80, m.exchange);
    v("PreviousServerOrderID", 96, m.previous_server_order_id);
    v("ServerOrderID", 128, m.server_order_id);
    v("ClientOrderID", 160, m.client_order_id);
    v("ExchangeOrderID", 192, m.exchange_order_id);
    v("OrderStatus", 224, m.order_status);
    v("OrderUpdateReason", 228, m.order_update_reason);
    v("OrderType", 232, m.order_type);
    v("BuySell", 236, m.buy_sell);
    v("Price1", 240, m.price1);
    v("Price2", 248, m.price2);
    v("TimeInForce", 256, m.time_in_force);
    v("GoodTillDateTime", 264, m.good_till_date_time);
    v("OrderQuantity", 272, m.order_quantity);
    v("FilledQuantity", 280, m.filled_quantity);
    v("RemainingQuantity", 288, m.remaining_quantity);
    v("AverageFillPrice", 296, m.average_fill_price);
    v("LastFillPrice", 304, m.last_fill_price);
    v("LastFillDateTime", 312, m.last_fill_date_time);
    v("LastFillQuantity", 320, m.last_fill_quantity);
    v("LastFillExecutionID", 328, m.last_fill_execution_id);
    v("TradeAccount", 392, m.trade_account);
    v("InfoText", 424, m.info_text);
    v("NoOrders", 520, m.no_orders);
    v("ParentServerOrderID", 521, m.parent_server_order_id);
    v("OCOLinkedOrderServerOrderID", 553, m.oco_linked_order_server_order_id);
    v("OpenOrClose", 588, m.open_or_close);
    v("PreviousClientOrderID", 592, m.previous_client_order_id);
    v("FreeFormText", 624, m.free_form_text);
    v("OrderReceivedDateTime", 672, m.order_received_date_time);
    v("LatestTransactionDateTime", 680, m.latest_transaction_date_time);
    v("Username", 688, m.username);
  }
  bool operator==(const OrderUpdate&) const = default;
};

// SUBMIT_NEW_SINGLE_ORDER = 208, client → server, 304 bytes. Older v8 header: 264 bytes.
struct SubmitNewSingleOrder {
  static constexpr std::uint16_t kType = 208;
  static constexpr std::uint16_t kSize = 304;
  static constexpr std::string_view kName = "SUBMIT_NEW_SINGLE_ORDER";
  static constexpr bool kPacked = false;

  FixedString<64> symbol;
  FixedString<16> exchange;       // optional exchange
  FixedString<32> trade_account;  // account to trade in
  // client id; must not equal any open order id nor any id used earlier in the server's trading
  // session (typically 24 h)
  FixedString<32> client_order_id;
  OrderType order_type{};
  BuySell buy_sell{};
  // limit price (LIMIT), stop price (STOP, STOP_LIMIT), trigger (MIT/LIT). Market: 0, or the
  // reference price when the bracket uses offsets
  double price1 = 0;
  double price2 = 0;    // limit price of a STOP_LIMIT; else 0
  double quantity = 0;  // number of contracts
  TimeInForce time_in_force{};
  std::int64_t good_till_date_time = 0;  // expiry, only for TIF_GOOD_TILL_DATE_TIME, Unix s
  std::uint8_t is_automated_order = 0;   // 1 = sent by an automated system (the agent sets 1)
  // 1 = this is the parent of a bracket; the server holds it until the matching
  // SUBMIT_NEW_OCO_ORDER arrives
  std::uint8_t is_parent_order = 0;
  FixedString<48> free_form_text;    // optional note
  OpenCloseTrade open_or_close{};    // not used for futures
  double max_show_quantity = 0;      // iceberg display quantity; 0 = show all
  FixedString<16> price1_as_string;  // optional text form of Price1 (newer field)
  FixedString<16> price2_as_string;  // optional text form of Price2 (newer field)
  // newest field; meaning not documented in the material we could read. Send 0 (its default, same
  // as omitting it)
  double intended_position_quantity = 0;

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("Symbol", 4, m.symbol);
    v("Exchange", 68, m.exchange);
    v("TradeAccount", 84, m.trade_account);
    v("ClientOrderID", 116, m.client_order_id);
    v("OrderType", 148, m.order_type);
    v("BuySell", 152, m.buy_sell);
    v("Price1", 160, m.price1);
    v("Price2", 168, m.price2);
    v("Quantity", 176, m.quantity);
    v("TimeInForce", 184, m.time_in_force);
    v("GoodTillDateTime", 192, m.good_till_date_time);
    v("IsAutomatedOrder", 200, m.is_automated_order);
    v("IsParentOrder", 201, m.is_parent_order);
    v("FreeFormText", 202, m.free_form_text);
    v("OpenOrClose", 252, m.open_or_close);
    v("MaxShowQuantity", 256, m.max_show_quantity);
    v("Price1AsString", 264, m.price1_as_string);
    v("Price2AsString", 280, m.price2_as_string);
    v("IntendedPositionQuantity", 296, m.intended_position_quantity);
  }
  bool operator==(const SubmitNewSingleOrder&) const = default;
};

// SUBMIT_NEW_OCO_ORDER = 201, client → server, 448 bytes. Older v8 header: 376 bytes.
struct SubmitNewOcoOrder {
  static constexpr std::uint16_t kType = 201;
  static constexpr std::uint16_t kSize = 448;
  static constexpr std::string_view kName = "SUBMIT_NEW_OCO_ORDER";
  static constexpr bool kPacked = false;

  FixedString<64> symbol;             // symbol (both legs)
  FixedString<16> exchange;           // optional exchange
  FixedString<32> client_order_id_1;  // client id of leg 1
  OrderType order_type_1{};           // order type of leg 1
  BuySell buy_sell_1{};               // side of leg 1
  double price1_1 = 0;    // leg 1 price (limit/stop/trigger); unused when UseOffsets = 1
  double price2_1 = 0;    // leg 1 stop-limit limit price
  double quantity_1 = 0;  // leg 1 quantity
  FixedString<32> client_order_id_2;     // client id of leg 2
  OrderType order_type_2{};              // order type of leg 2
  BuySell buy_sell_2{};                  // side of leg 2
  double price1_2 = 0;                   // leg 2 price; unused when UseOffsets = 1
  double price2_2 = 0;                   // leg 2 stop-limit limit price
  double quantity_2 = 0;                 // leg 2 quantity
  TimeInForce time_in_force{};           // TIF of both legs
  std::int64_t good_till_date_time = 0;  // expiry for TIF_GOOD_TILL_DATE_TIME (both legs) [Unix s]
  FixedString<32> trade_account;         // account
  std::uint8_t is_automated_order = 0;   // 1 = automated
  // empty = plain OCO pair. Set to the ClientOrderID of a parent sent just before with
  // IsParentOrder = 1 => bracket
  FixedString<32> parent_trigger_client_order_id;
  FixedString<48> free_form_text;  // optional note for both legs
  OpenCloseTrade open_or_close{};  // not used for futures
  // kReduceQuantity: reduce the other leg by the fill; kImmediateCancel: cancel it at once.
  PartialFillHandling partial_fill_handling{};
  // bracket only: 1 = legs priced as offsets from the parent price (OffsetFromParent1/2) instead of
  // Price1_1/Price1_2
  std::uint8_t use_offsets = 0;
  // positive price distance of leg 1 from the parent price; server applies the sign from side/type
  double offset_from_parent1 = 0;
  double offset_from_parent2 = 0;  // positive price distance of leg 2 from the parent price
  // newer field; by its name: 1 = keep the absolute leg prices when the parent fills instead of re-
  // basing offsets on the fill price (not documented in the material we read)
  std::uint8_t maintain_same_prices_on_parent_fill = 0;
  FixedString<16> price1_1_as_string;  // optional text prices (newer fields)
  FixedString<16> price2_1_as_string;
  FixedString<16> price1_2_as_string;
  FixedString<16> price2_2_as_string;

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("Symbol", 4, m.symbol);
    v("Exchange", 68, m.exchange);
    v("ClientOrderID_1", 84, m.client_order_id_1);
    v("OrderType_1", 116, m.order_type_1);
    v("BuySell_1", 120, m.buy_sell_1);
    v("Price1_1", 128, m.price1_1);
    v("Price2_1", 136, m.price2_1);
    v("Quantity_1", 144, m.quantity_1);
    v("ClientOrderID_2", 152, m.client_order_id_2);
    v("OrderType_2", 184, m.order_type_2);
    v("BuySell_2", 188, m.buy_sell_2);
    v("Price1_2", 192, m.price1_2);
    v("Price2_2", 200, m.price2_2);
    v("Quantity_2", 208, m.quantity_2);
    v("TimeInForce", 216, m.time_in_force);
    v("GoodTillDateTime", 224, m.good_till_date_time);
    v("TradeAccount", 232, m.trade_account);
    v("IsAutomatedOrder", 264, m.is_automated_order);
    v("ParentTriggerClientOrderID", 265, m.parent_trigger_client_order_id);
    v("FreeFormText", 297, m.free_form_text);
    v("OpenOrClose", 348, m.open_or_close);
    v("PartialFillHandling", 352, m.partial_fill_handling);
    v("UseOffsets", 353, m.use_offsets);
    v("OffsetFromParent1", 360, m.offset_from_parent1);
    v("OffsetFromParent2", 368, m.offset_from_parent2);
    v("MaintainSamePricesOnParentFill", 376, m.maintain_same_prices_on_parent_fill);
    v("Price1_1AsString", 377, m.price1_1_as_string);
    v("Price2_1AsString", 393, m.price2_1_as_string);
    v("Price1_2AsString", 409, m.price1_2_as_string);
    v("Price2_2AsString", 425, m.price2_2_as_string);
  }
  bool operator==(const SubmitNewOcoOrder&) const = default;
};

// CANCEL_ORDER = 203, client → server, 100 bytes. Older v8 header: 68 bytes.
struct CancelOrder {
  static constexpr std::uint16_t kType = 203;
  static constexpr std::uint16_t kSize = 100;
  static constexpr std::string_view kName = "CANCEL_ORDER";
  static constexpr bool kPacked = false;

  // ServerOrderID from the most recent ORDER_UPDATE of the order (the only key the server uses)
  FixedString<32> server_order_id;
  FixedString<32> client_order_id;  // the unchanged ClientOrderID of the order
  FixedString<32> trade_account;    // account (newer field; older headers end at offset 68)

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("ServerOrderID", 4, m.server_order_id);
    v("ClientOrderID", 36, m.client_order_id);
    v("TradeAccount", 68, m.trade_account);
  }
  bool operator==(const CancelOrder&) const = default;
};

// CANCEL_REPLACE_ORDER = 204, client → server, 192 bytes. Older v8 header: 128 bytes.
struct CancelReplaceOrder {
  static constexpr std::uint16_t kType = 204;
  static constexpr std::uint16_t kSize = 192;
  static constexpr std::string_view kName = "CANCEL_REPLACE_ORDER";
  static constexpr bool kPacked = false;

  FixedString<32> server_order_id;  // ServerOrderID from the most recent ORDER_UPDATE
  FixedString<32> client_order_id;  // the unchanged ClientOrderID
  double price1 = 0;                // new Price1 (used only if Price1IsSet != 0)
  double price2 = 0;                // new Price2 (used only if Price2IsSet != 0)
  double quantity = 0;  // new TOTAL order quantity including already-filled part; 0 = keep quantity
  // 1 = the price is meaningful; 0 = keep the order's price. An older peer that omits these
  // flags therefore means "set" (§9.3).
  std::uint8_t price1_is_set = 1;
  std::uint8_t price2_is_set = 1;
  std::int32_t unused = 0;  // unused field, send 0
  // kUnset = keep the order's TIF; another value changes it (the server may reject).
  TimeInForce time_in_force{};
  std::int64_t good_till_date_time = 0;  // expiry when changing to TIF_GOOD_TILL_DATE_TIME [Unix s]
  // 1 = for a server-managed bracket child, also re-base its stored offset to the parent
  std::uint8_t update_price1_offset_to_parent = 0;
  // account (newer field; note it starts in what was trailing padding of the older 128-byte layout)
  FixedString<32> trade_account;
  FixedString<16> price1_as_string;  // optional (newer)
  FixedString<16> price2_as_string;  // optional (newer)

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("ServerOrderID", 4, m.server_order_id);
    v("ClientOrderID", 36, m.client_order_id);
    v("Price1", 72, m.price1);
    v("Price2", 80, m.price2);
    v("Quantity", 88, m.quantity);
    v("Price1IsSet", 96, m.price1_is_set);
    v("Price2IsSet", 97, m.price2_is_set);
    v("Unused", 100, m.unused);
    v("TimeInForce", 104, m.time_in_force);
    v("GoodTillDateTime", 112, m.good_till_date_time);
    v("UpdatePrice1OffsetToParent", 120, m.update_price1_offset_to_parent);
    v("TradeAccount", 121, m.trade_account);
    v("Price1AsString", 153, m.price1_as_string);
    v("Price2AsString", 169, m.price2_as_string);
  }
  bool operator==(const CancelReplaceOrder&) const = default;
};

// SUBMIT_FLATTEN_POSITION_ORDER = 209, client → server, 198 bytes.
struct SubmitFlattenPositionOrder {
  static constexpr std::uint16_t kType = 209;
  static constexpr std::uint16_t kSize = 198;
  static constexpr std::string_view kName = "SUBMIT_FLATTEN_POSITION_ORDER";
  static constexpr bool kPacked = false;

  FixedString<64> symbol;               // symbol of the position to flatten
  FixedString<16> exchange;             // optional exchange
  FixedString<32> trade_account;        // account of the position
  FixedString<32> client_order_id;      // client id for the order the server creates to flatten
  FixedString<48> free_form_text;       // optional note
  std::uint8_t is_automated_order = 0;  // 1 = automated

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("Symbol", 4, m.symbol);
    v("Exchange", 68, m.exchange);
    v("TradeAccount", 84, m.trade_account);
    v("ClientOrderID", 116, m.client_order_id);
    v("FreeFormText", 148, m.free_form_text);
    v("IsAutomatedOrder", 196, m.is_automated_order);
  }
  bool operator==(const SubmitFlattenPositionOrder&) const = default;
};

// HISTORICAL_ORDER_FILLS_REQUEST = 303, client → server, 88 bytes.
struct HistoricalOrderFillsRequest {
  static constexpr std::uint16_t kType = 303;
  static constexpr std::uint16_t kSize = 88;
  static constexpr std::string_view kName = "HISTORICAL_ORDER_FILLS_REQUEST";
  static constexpr bool kPacked = false;

  std::int32_t request_id = 0;      // client id
  FixedString<32> server_order_id;  // empty = fills of all orders; else fills of this order
  // days back from today; ignored if StartDateTime set; both 0 = all fills
  std::int32_t number_of_days = 0;
  FixedString<32> trade_account;     // account
  std::int64_t start_date_time = 0;  // fills since this time, Unix s; 0 = use NumberOfDays

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("ServerOrderID", 8, m.server_order_id);
    v("NumberOfDays", 40, m.number_of_days);
    v("TradeAccount", 44, m.trade_account);
    v("StartDateTime", 80, m.start_date_time);
  }
  bool operator==(const HistoricalOrderFillsRequest&) const = default;
};

// HISTORICAL_ORDER_FILL_RESPONSE = 304, server → client, 480 bytes. Older v8 header: 384 bytes.
struct HistoricalOrderFillResponse {
  static constexpr std::uint16_t kType = 304;
  static constexpr std::uint16_t kSize = 480;
  static constexpr std::string_view kName = "HISTORICAL_ORDER_FILL_RESPONSE";
  static constexpr bool kPacked = false;

  std::int32_t request_id = 0;             // RequestID of the request
  std::int32_t total_number_messages = 0;  // batch size
  std::int32_t message_number = 0;         // 1-based index
  FixedString<64> symbol;
  FixedString<16> exchange;
  FixedString<32> server_order_id;      // order the fill belongs to
  BuySell buy_sell{};                   // fill side
  double price = 0;                     // fill price
  std::int64_t date_time = 0;           // fill time, Unix s
  double quantity = 0;                  // fill quantity
  FixedString<64> unique_execution_id;  // execution id
  FixedString<32> trade_account;        // account
  OpenCloseTrade open_close{};
  std::uint8_t no_order_fills = 0;  // 1 = there are no fills (single message)
  FixedString<96> info_text;        // free text
  double high_price_during_position = 0;
  double low_price_during_position = 0;
  double position_quantity = kUnsetDouble;  // position after the fill; unset = DBL_MAX
  FixedString<32> username;                 // newest field
  FixedString<32> exchange_order_id;        // newest field
  FixedString<32> sender_sub_id;            // newest field

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("TotalNumberMessages", 8, m.total_number_messages);
    v("MessageNumber", 12, m.message_number);
    v("Symbol", 16, m.symbol);
    v("Exchange", 80, m.exchange);
    v("ServerOrderID", 96, m.server_order_id);
    v("BuySell", 128, m.buy_sell);
    v("Price", 136, m.price);
    v("DateTime", 144, m.date_time);
    v("Quantity", 152, m.quantity);
    v("UniqueExecutionID", 160, m.unique_execution_id);
    v("TradeAccount", 224, m.trade_account);
    v("OpenClose", 256, m.open_close);
    v("NoOrderFills", 260, m.no_order_fills);
    v("InfoText", 261, m.info_text);
    v("HighPriceDuringPosition", 360, m.high_price_during_position);
    v("LowPriceDuringPosition", 368, m.low_price_during_position);
    v("PositionQuantity", 376, m.position_quantity);
    v("Username", 384, m.username);
    v("ExchangeOrderID", 416, m.exchange_order_id);
    v("SenderSubID", 448, m.sender_sub_id);
  }
  bool operator==(const HistoricalOrderFillResponse&) const = default;
};

// HISTORICAL_ORDER_FILLS_REJECT = 308, server → client, 104 bytes.
struct HistoricalOrderFillsReject {
  static constexpr std::uint16_t kType = 308;
  static constexpr std::uint16_t kSize = 104;
  static constexpr std::string_view kName = "HISTORICAL_ORDER_FILLS_REJECT";
  static constexpr bool kPacked = false;

  std::int32_t request_id = 0;  // RequestID of the request
  FixedString<96> reject_text;  // reason

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("RejectText", 8, m.reject_text);
  }
  bool operator==(const HistoricalOrderFillsReject&) const = default;
};

// CURRENT_POSITIONS_REQUEST = 305, client → server, 40 bytes.
struct CurrentPositionsRequest {
  static constexpr std::uint16_t kType = 305;
  static constexpr std::uint16_t kSize = 40;
  static constexpr std::string_view kName = "CURRENT_POSITIONS_REQUEST";
  static constexpr bool kPacked = false;

  std::int32_t request_id = 0;    // client id echoed in POSITION_UPDATE
  FixedString<32> trade_account;  // empty = all accounts

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("TradeAccount", 8, m.trade_account);
  }
  bool operator==(const CurrentPositionsRequest&) const = default;
};

// POSITION_UPDATE = 306, server → client, 240 bytes. Older v8 header: 200 bytes.
struct PositionUpdate {
  static constexpr std::uint16_t kType = 306;
  static constexpr std::uint16_t kSize = 240;
  static constexpr std::string_view kName = "POSITION_UPDATE";
  static constexpr bool kPacked = false;

  // RequestID when answering CURRENT_POSITIONS_REQUEST; 0 for real-time updates
  std::int32_t request_id = 0;
  std::int32_t total_number_messages = 0;  // batch size (1 for unsolicited)
  std::int32_t message_number = 0;         // 1-based index (1 for unsolicited)
  FixedString<64> symbol;
  FixedString<16> exchange;
  double quantity = 0;       // signed position: > 0 long, < 0 short, 0 flat
  double average_price = 0;  // average entry price
  // only meaningful if LOGON_RESPONSE.UsesMultiplePositionsPerSymbolAndTradeAccount = 1
  FixedString<32> position_identifier;
  FixedString<32> trade_account;  // account
  // 1 = "no positions at all" (single reply to a request). Never used to report a flat (0) position
  std::uint8_t no_positions = 0;
  std::uint8_t unsolicited = 0;           // 1 = real-time update, not part of a request reply
  double margin_requirement = 0;          // optional currency margin of position + working orders
  std::uint32_t entry_date_time = 0;      // optional time the position was opened (uint32 Unix s)
  double open_profit_loss = 0;            // optional open P/L in account currency (newer field)
  double high_price_during_position = 0;  // optional (newer)
  double low_price_during_position = 0;   // optional (newer)
  double quantity_limit = 0;              // optional risk limit on |position| (newer)
  double max_potential_postion_quantity = 0;  // optional (newer; spelling as in the header)

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("TotalNumberMessages", 8, m.total_number_messages);
    v("MessageNumber", 12, m.message_number);
    v("Symbol", 16, m.symbol);
    v("Exchange", 80, m.exchange);
    v("Quantity", 96, m.quantity);
    v("AveragePrice", 104, m.average_price);
    v("PositionIdentifier", 112, m.position_identifier);
    v("TradeAccount", 144, m.trade_account);
    v("NoPositions", 176, m.no_positions);
    v("Unsolicited", 177, m.unsolicited);
    v("MarginRequirement", 184, m.margin_requirement);
    v("EntryDateTime", 192, m.entry_date_time);
    v("OpenProfitLoss", 200, m.open_profit_loss);
    v("HighPriceDuringPosition", 208, m.high_price_during_position);
    v("LowPriceDuringPosition", 216, m.low_price_during_position);
    v("QuantityLimit", 224, m.quantity_limit);
    v("MaxPotentialPostionQuantity", 232, m.max_potential_postion_quantity);
  }
  bool operator==(const PositionUpdate&) const = default;
};

// CURRENT_POSITIONS_REJECT = 307, server → client, 104 bytes.
struct CurrentPositionsReject {
  static constexpr std::uint16_t kType = 307;
  static constexpr std::uint16_t kSize = 104;
  static constexpr std::string_view kName = "CURRENT_POSITIONS_REJECT";
  static constexpr bool kPacked = false;

  std::int32_t request_id = 0;  // RequestID of the request
  FixedString<96> reject_text;  // reason (never sent just because there are no positions)

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("RejectText", 8, m.reject_text);
  }
  bool operator==(const CurrentPositionsReject&) const = default;
};

// ACCOUNT_BALANCE_REQUEST = 601, client → server, 40 bytes.
struct AccountBalanceRequest {
  static constexpr std::uint16_t kType = 601;
  static constexpr std::uint16_t kSize = 40;
  static constexpr std::string_view kName = "ACCOUNT_BALANCE_REQUEST";
  static constexpr bool kPacked = false;

  std::int32_t request_id = 0;    // client id
  FixedString<32> trade_account;  // empty = all accounts

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("TradeAccount", 8, m.trade_account);
  }
  bool operator==(const AccountBalanceRequest&) const = default;
};

// ACCOUNT_BALANCE_UPDATE = 600, server → client, 400 bytes. Older v8 header: 216 bytes.
struct AccountBalanceUpdate {
  static constexpr std::uint16_t kType = 600;
  static constexpr std::uint16_t kSize = 400;
  static constexpr std::string_view kName = "ACCOUNT_BALANCE_UPDATE";
  static constexpr bool kPacked = false;

  // RequestID when answering a request; 0 for periodic unsolicited updates
  std::int32_t request_id = 0;
  double cash_balance = 0;
  double balance_available_for_new_positions = 0;  // cash balance minus margin in use
  FixedString<8> account_currency;                 // ISO currency code
  FixedString<32> trade_account;                   // account
  double securities_value = 0;                     // value of cash + securities
  double margin_requirement = 0;                   // current margin requirement
  std::int32_t total_number_messages = 0;          // batch size (1 if unsolicited)
  std::int32_t message_number = 0;                 // 1-based index
  std::uint8_t no_account_balances = 0;            // 1 = no balances at all (single reply)
  std::uint8_t unsolicited = 0;                    // 1 = real-time update
  double open_positions_profit_loss = 0;           // open P/L
  double daily_profit_loss = 0;                    // realized P/L of the day
  FixedString<96> info_text;                       // free text
  std::uint64_t transaction_identifier = 0;        // id of the balance transaction
  double daily_net_loss_limit = 0;                 // newer risk fields (optional) ...
  double trailing_account_value_to_limit_positions = 0;
  std::uint8_t daily_net_loss_limit_reached = 0;     // 1 = daily loss limit hit
  std::uint8_t is_under_required_margin = 0;         // 1 = under margin
  std::uint8_t close_positions_at_end_of_day = 0;    // flag
  std::uint8_t trading_is_disabled = 0;              // 1 = trading disabled for the account
  FixedString<96> description;                       // text
  std::uint8_t is_under_required_account_value = 0;  // flag
  std::int64_t transaction_date_time = 0;            // Unix microseconds
  double margin_requirement_full = 0;
  double margin_requirement_full_positions_only = 0;
  double peak_margin_requirement = 0;
  FixedString<32> introducing_broker;  // newest field

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("CashBalance", 8, m.cash_balance);
    v("BalanceAvailableForNewPositions", 16, m.balance_available_for_new_positions);
    v("AccountCurrency", 24, m.account_currency);
    v("TradeAccount", 32, m.trade_account);
    v("SecuritiesValue", 64, m.securities_value);
    v("MarginRequirement", 72, m.margin_requirement);
    v("TotalNumberMessages", 80, m.total_number_messages);
    v("MessageNumber", 84, m.message_number);
    v("NoAccountBalances", 88, m.no_account_balances);
    v("Unsolicited", 89, m.unsolicited);
    v("OpenPositionsProfitLoss", 96, m.open_positions_profit_loss);
    v("DailyProfitLoss", 104, m.daily_profit_loss);
    v("InfoText", 112, m.info_text);
    v("TransactionIdentifier", 208, m.transaction_identifier);
    v("DailyNetLossLimit", 216, m.daily_net_loss_limit);
    v("TrailingAccountValueToLimitPositions", 224, m.trailing_account_value_to_limit_positions);
    v("DailyNetLossLimitReached", 232, m.daily_net_loss_limit_reached);
    v("IsUnderRequiredMargin", 233, m.is_under_required_margin);
    v("ClosePositionsAtEndOfDay", 234, m.close_positions_at_end_of_day);
    v("TradingIsDisabled", 235, m.trading_is_disabled);
    v("Description", 236, m.description);
    v("IsUnderRequiredAccountValue", 332, m.is_under_required_account_value);
    v("TransactionDateTime", 336, m.transaction_date_time);
    v("MarginRequirementFull", 344, m.margin_requirement_full);
    v("MarginRequirementFullPositionsOnly", 352, m.margin_requirement_full_positions_only);
    v("PeakMarginRequirement", 360, m.peak_margin_requirement);
    v("IntroducingBroker", 368, m.introducing_broker);
  }
  bool operator==(const AccountBalanceUpdate&) const = default;
};

// ACCOUNT_BALANCE_REJECT = 602, server → client, 104 bytes.
struct AccountBalanceReject {
  static constexpr std::uint16_t kType = 602;
  static constexpr std::uint16_t kSize = 104;
  static constexpr std::string_view kName = "ACCOUNT_BALANCE_REJECT";
  static constexpr bool kPacked = false;

  std::int32_t request_id = 0;  // RequestID of the request
  FixedString<96> reject_text;  // reason

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("RejectText", 8, m.reject_text);
  }
  bool operator==(const AccountBalanceReject&) const = default;
};

// SECURITY_DEFINITION_FOR_SYMBOL_REQUEST = 506, client → server, 88 bytes.
struct SecurityDefinitionForSymbolRequest {
  static constexpr std::uint16_t kType = 506;
  static constexpr std::uint16_t kSize = 88;
  static constexpr std::string_view kName = "SECURITY_DEFINITION_FOR_SYMBOL_REQUEST";
  static constexpr bool kPacked = false;

  std::int32_t request_id = 0;  // client id
  FixedString<64> symbol;
  FixedString<16> exchange;  // optional exchange

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("Symbol", 8, m.symbol);
    v("Exchange", 72, m.exchange);
  }
  bool operator==(const SecurityDefinitionForSymbolRequest&) const = default;
};

// SECURITY_DEFINITION_RESPONSE = 507, server → client, 432 bytes. Older v8 header: 348 bytes.
struct SecurityDefinitionResponse {
  static constexpr std::uint16_t kType = 507;
  static constexpr std::uint16_t kSize = 432;
  static constexpr std::string_view kName = "SECURITY_DEFINITION_RESPONSE";
  static constexpr bool kPacked = false;

  // RequestID of the request (Sierra Chart uses 110000000 for auto-sent definitions)
  std::int32_t request_id = 0;
  FixedString<64> symbol;  // symbol; empty when nothing found
  FixedString<16> exchange;
  SecurityType security_type{};
  FixedString<64> description;    // text description
  float min_price_increment = 0;  // tick size (ES: 0.25)
  // PriceDisplayFormatEnum, kept as its int32: -1 unset, 0..9 decimals, others fractional.
  std::int32_t price_display_format = -1;
  float currency_value_per_increment = 0;      // currency value of one tick (ES: 12.50 USD)
  std::uint8_t is_final_message = 0;           // 1 = last definition of the batch
  float float_to_int_price_multiplier = 1.0F;  // obsolete (integer messages retired)
  float int_to_float_price_divisor = 1.0F;     // obsolete
  FixedString<32> underlying_symbol;           // root symbol of a futures contract
  std::uint8_t updates_bid_ask_only = 0;       // 1 = symbol produces quotes but no trades
  float strike_price = 0;                      // options only
  std::uint8_t put_or_call = 0;                // PutCallEnum (values not in the spec); options only
  std::uint32_t short_interest = 0;            // stocks only
  std::uint32_t security_expiration_date = 0;  // expiration date [Unix s]
  float buy_rollover_interest = 0;             // forex only
  float sell_rollover_interest = 0;            // forex only
  float earnings_per_share = 0;                // stocks only
  std::uint32_t shares_outstanding = 0;        // stocks only
  float int_to_float_quantity_divisor = 0;     // obsolete
  std::uint8_t has_market_depth_data = 1;      // 1 = depth available
  float display_price_multiplier = 1.0F;       // display scaling
  FixedString<64> exchange_symbol;             // symbol as the exchange names it
  float initial_margin_requirement = 0;
  float maintenance_margin_requirement = 0;
  FixedString<8> currency;  // currency code
  float contract_size = 0;
  std::uint32_t open_interest = 0;
  std::uint32_t rollover_date = 0;       // Unix s
  std::uint8_t is_delayed = 0;           // 1 = delayed data
  std::int64_t security_identifier = 0;  // optional numeric id
  FixedString<64> product_identifier;    // optional text id

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("Symbol", 8, m.symbol);
    v("Exchange", 72, m.exchange);
    v("SecurityType", 88, m.security_type);
    v("Description", 92, m.description);
    v("MinPriceIncrement", 156, m.min_price_increment);
    v("PriceDisplayFormat", 160, m.price_display_format);
    v("CurrencyValuePerIncrement", 164, m.currency_value_per_increment);
    v("IsFinalMessage", 168, m.is_final_message);
    v("FloatToIntPriceMultiplier", 172, m.float_to_int_price_multiplier);
    v("IntToFloatPriceDivisor", 176, m.int_to_float_price_divisor);
    v("UnderlyingSymbol", 180, m.underlying_symbol);
    v("UpdatesBidAskOnly", 212, m.updates_bid_ask_only);
    v("StrikePrice", 216, m.strike_price);
    v("PutOrCall", 220, m.put_or_call);
    v("ShortInterest", 224, m.short_interest);
    v("SecurityExpirationDate", 228, m.security_expiration_date);
    v("BuyRolloverInterest", 232, m.buy_rollover_interest);
    v("SellRolloverInterest", 236, m.sell_rollover_interest);
    v("EarningsPerShare", 240, m.earnings_per_share);
    v("SharesOutstanding", 244, m.shares_outstanding);
    v("IntToFloatQuantityDivisor", 248, m.int_to_float_quantity_divisor);
    v("HasMarketDepthData", 252, m.has_market_depth_data);
    v("DisplayPriceMultiplier", 256, m.display_price_multiplier);
    v("ExchangeSymbol", 260, m.exchange_symbol);
    v("InitialMarginRequirement", 324, m.initial_margin_requirement);
    v("MaintenanceMarginRequirement", 328, m.maintenance_margin_requirement);
    v("Currency", 332, m.currency);
    v("ContractSize", 340, m.contract_size);
    v("OpenInterest", 344, m.open_interest);
    v("RolloverDate", 348, m.rollover_date);
    v("IsDelayed", 352, m.is_delayed);
    v("SecurityIdentifier", 360, m.security_identifier);
    v("ProductIdentifier", 368, m.product_identifier);
  }
  bool operator==(const SecurityDefinitionResponse&) const = default;
};

// SECURITY_DEFINITION_REJECT = 509, server → client, 104 bytes.
struct SecurityDefinitionReject {
  static constexpr std::uint16_t kType = 509;
  static constexpr std::uint16_t kSize = 104;
  static constexpr std::string_view kName = "SECURITY_DEFINITION_REJECT";
  static constexpr bool kPacked = false;

  std::int32_t request_id = 0;  // RequestID of the request
  FixedString<96> reject_text;  // reason

  template <class Self, class Visitor>
  static constexpr void for_each_field(Self& m, Visitor&& v) {
    v("RequestID", 4, m.request_id);
    v("RejectText", 8, m.reject_text);
  }
  bool operator==(const SecurityDefinitionReject&) const = default;
};

// Offsets and sizes above must follow the C layout rule of §2.3 (see wire.h).
static_assert(wire::follows_layout_rule<TradeAccountsRequest>());
static_assert(wire::follows_layout_rule<TradeAccountResponse>());
static_assert(wire::follows_layout_rule<OpenOrdersRequest>());
static_assert(wire::follows_layout_rule<OpenOrdersReject>());
static_assert(wire::follows_layout_rule<OrderUpdate>());
static_assert(wire::follows_layout_rule<SubmitNewSingleOrder>());
static_assert(wire::follows_layout_rule<SubmitNewOcoOrder>());
static_assert(wire::follows_layout_rule<CancelOrder>());
static_assert(wire::follows_layout_rule<CancelReplaceOrder>());
static_assert(wire::follows_layout_rule<SubmitFlattenPositionOrder>());
static_assert(wire::follows_layout_rule<HistoricalOrderFillsRequest>());
static_assert(wire::follows_layout_rule<HistoricalOrderFillResponse>());
static_assert(wire::follows_layout_rule<HistoricalOrderFillsReject>());
static_assert(wire::follows_layout_rule<CurrentPositionsRequest>());
static_assert(wire::follows_layout_rule<PositionUpdate>());
static_assert(wire::follows_layout_rule<CurrentPositionsReject>());
static_assert(wire::follows_layout_rule<AccountBalanceRequest>());
static_assert(wire::follows_layout_rule<AccountBalanceUpdate>());
static_assert(wire::follows_layout_rule<AccountBalanceReject>());
static_assert(wire::follows_layout_rule<SecurityDefinitionForSymbolRequest>());
static_assert(wire::follows_layout_rule<SecurityDefinitionResponse>());
static_assert(wire::follows_layout_rule<SecurityDefinitionReject>());

}  // namespace daytrader::dtc