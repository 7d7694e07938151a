#pragma once
// Protocol-wide constants and enumerations of DTC version 8, binary encoding (dtc.md §1-§7).
//
// Every enum keeps the integer type it is stored as on the wire (§2.5), so any value a peer
// sends survives decoding unchanged: the spec wants unknown values tolerated, not rejected
// (§2.5, §9.7), and a lossless decode keeps encode(decode(bytes)) stable for the fuzzer.
// is_known() tells the values this spec names from the rest; consumers check it before they
// switch on a value or index with it.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

namespace daytrader::dtc {

// The protocol version we speak and expect (§1).
inline constexpr std::int32_t kProtocolVersion = 8;

// Size (uint16) and Type (uint16) open every message (§2.2).
inline constexpr std::size_t kHeaderSize = 4;

// Frames larger than this are framing errors. The Size field allows 65535, but the largest
// message we know is ORDER_UPDATE (720 bytes) and no fixed-layout message of the public v8
// binary header reaches 1 KiB, so 4096 leaves room for fields appended by newer servers while a
// desynchronised stream is caught early: two printable ASCII bytes read as a Size are always
// >= 0x2020 = 8224. The bound is per Decoder and can be raised for an unusual server.
inline constexpr std::size_t kDefaultMaxMessageSize = 4096;

// The JSON encodings (json_codec.h) bound one message's text the same way: the longest message
// (ORDER_UPDATE with every text field full and escaped) stays well below it, and a stream that
// sends no NUL terminator is a framing error once this many bytes are buffered, not a buffer that
// grows without end.
inline constexpr std::size_t kDefaultMaxJsonMessageSize = 16 * 1024;

// "Unset" sentinels of the binary encoding (§2.7). Test before use: never trade on DBL_MAX.
inline constexpr double kUnsetDouble = std::numeric_limits<double>::max();
inline constexpr float kUnsetFloat = std::numeric_limits<float>::max();
inline constexpr std::uint32_t kUnsetUint32 = std::numeric_limits<std::uint32_t>::max();

// ENCODING_REQUEST/RESPONSE.ProtocolType (§3.2).
inline constexpr std::string_view kProtocolType = "DTC";

// §3.1. This project speaks kBinary, kJson and kJsonCompact (json_codec.h).
enum class Encoding : std::int32_t {
  kBinary = 0,
  kBinaryWithVariableLengthStrings = 1,
  kJson = 2,
  kJsonCompact = 3,
  kProtocolBuffers = 4,
};

// §4.2. Only kSuccess means logged on.
enum class LogonStatus : std::int32_t {
  kSuccess = 1,
  kError = 2,
  kErrorNoReconnect = 3,
  kReconnectNewAddress = 4,
};

// §5.2
enum class RequestAction : std::int32_t {
  kSubscribe = 1,
  kUnsubscribe = 2,
  kSnapshot = 3,
  kSnapshotWithIntervalUpdates = 4,
};

// MarketDataFeedStatusEnum (§5.8); named FeedStatus because MarketDataFeedStatus is the message.
enum class FeedStatus : std::int32_t {
  kUnset = 0,
  kUnavailable = 1,
  kAvailable = 2,
};

// §5.8 (int8)
enum class TradingStatus : std::int8_t {
  kUnknown = 0,
  kPreOpen = 1,
  kOpen = 2,
  kClose = 3,
  kTradingHalt = 4,
};

// §5.5: AT_BID = the trade printed at the bid or lower, a sell aggressor; AT_ASK = buy aggressor.
// Same values, two storage widths.
enum class AtBidOrAsk : std::uint16_t {
  kUnset = 0,
  kAtBid = 1,
  kAtAsk = 2,
};
enum class AtBidOrAsk8 : std::uint8_t {
  kUnset = 0,
  kAtBid = 1,
  kAtAsk = 2,
};

// §5.5 (int8)
enum class UnbundledTradeIndicator : std::int8_t {
  kNone = 0,
  kFirstSubTradeOfUnbundledTrade = 1,
  kLastSubTradeOfUnbundledTrade = 2,
};

// §5.5 (int8), mostly for stocks.
enum class TradeCondition : std::int8_t {
  kNone = 0,
  kNonLastUpdateEquityTrade = 1,
  kOddLotEquityTrade = 2,
};

// §6.2: the value is the number of seconds per record; 0 = ticks.
enum class HistoricalDataInterval : std::int32_t {
  kTick = 0,
  k1Second = 1,
  k2Seconds = 2,
  k4Seconds = 4,
  k5Seconds = 5,
  k10Seconds = 10,
  k30Seconds = 30,
  k1Minute = 60,
  k5Minutes = 300,
  k10Minutes = 600,
  k15Minutes = 900,
  k30Minutes = 1800,
  k1Hour = 3600,
  k2Hours = 7200,
  k1Day = 86400,
  k1Week = 604800,
};

// §6.5 (int16)
enum class HistoricalPriceDataRejectReasonCode : std::int16_t {
  kUnset = 0,
  kUnableToServeDataRetryInSpecifiedSeconds = 1,
  kUnableToServeDataDoNotRetry = 2,
  kDataRequestOutsideBoundsOfAvailableData = 3,
  kGeneralRejectError = 4,
};

// §7.1
enum class OrderType : std::int32_t {
  kUnset = 0,
  kMarket = 1,
  kLimit = 2,
  kStop = 3,
  kStopLimit = 4,
  kMarketIfTouched = 5,
  kLimitIfTouched = 6,
  kMarketLimit = 7,
};

enum class BuySell : std::int32_t {
  kUnset = 0,
  kBuy = 1,
  kSell = 2,
};

enum class TimeInForce : std::int32_t {
  kUnset = 0,
  kDay = 1,
  kGoodTillCanceled = 2,
  kGoodTillDateTime = 3,
  kImmediateOrCancel = 4,
  kAllOrNone = 5,
  kFillOrKill = 6,
};

// Not used for futures: send kUnset.
enum class OpenCloseTrade : std::int32_t {
  kUnset = 0,
  kOpen = 1,
  kClose = 2,
};

// OCO orders (int8).
enum class PartialFillHandling : std::int8_t {
  kUnset = 0,
  kReduceQuantity = 1,
  kImmediateCancel = 2,
};

// The state of an order (§7.1).
enum class OrderStatus : std::int32_t {
  kUnspecified = 0,
  kOrderSent = 1,  // client-side only; a server never sends it
  kPendingOpen = 2,
  kPendingChild = 3,
  kOpen = 4,
  kPendingCancelReplace = 5,
  kPendingCancel = 6,
  kFilled = 7,
  kCanceled = 8,
  kRejected = 9,
  kPartiallyFilled = 10,
};

// Why an ORDER_UPDATE was sent (§7.1).
enum class OrderUpdateReason : std::int32_t {
  kUnset = 0,
  kOpenOrdersRequestResponse = 1,
  kNewOrderAccepted = 2,
  kGeneralOrderUpdate = 3,
  kOrderFilled = 4,
  kOrderFilledPartially = 5,
  kOrderCanceled = 6,
  kOrderCancelReplaceComplete = 7,
  kNewOrderRejected = 8,
  kOrderCancelRejected = 9,
  kOrderCancelReplaceRejected = 10,
};

// §7.15
enum class SecurityType : std::int32_t {
  kUnset = 0,
  kFutures = 1,
  kStock = 2,
  kForex = 3,
  kIndex = 4,
  kFuturesStrategy = 5,
  kStockOption = 6,
  kFuturesOption = 7,
  kIndexOption = 8,
  kBond = 9,
  kMutualFund = 10,
};

// True when the value is one this spec names. A switch without `default` lets -Wswitch point
// at the function to update when an enumerator is added.
[[nodiscard]] constexpr bool is_known(Encoding v) noexcept {
  switch (v) {
    case Encoding::kBinary:
    case Encoding::kBinaryWithVariableLengthStrings:
    case Encoding::kJson:
    case Encoding::kJsonCompact:
    case Encoding::kProtocolBuffers:
      return true;
  }
  return false;
}

[[nodiscard]] constexpr bool is_known(LogonStatus v) noexcept {
  switch (v) {
    case LogonStatus::kSuccess:
    case LogonStatus::kError:
    case LogonStatus::kErrorNoReconnect:
    case LogonStatus::kReconnectNewAddress:
      return true;
  }
  return false;
}

[[nodiscard]] constexpr bool is_known(RequestAction v) noexcept {
  switch (v) {
    case RequestAction::kSubscribe:
    case RequestAction::kUnsubscribe:
    case RequestAction::kSnapshot:
    case RequestAction::kSnapshotWithIntervalUpdates:
      return true;
  }
  return false;
}

[[nodiscard]] constexpr bool is_known(FeedStatus v) noexcept {
  switch (v) {
    case FeedStatus::kUnset:
    case FeedStatus::kUnavailable:
    case FeedStatus::kAvailable:
      return true;
  }
  return false;
}

[[nodiscard]] constexpr bool is_known(TradingStatus v) noexcept {
  switch (v) {
    case TradingStatus::kUnknown:
    case TradingStatus::kPreOpen:
    case TradingStatus::kOpen:
    case TradingStatus::kClose:
    case TradingStatus::kTradingHalt:
      return true;
  }
  return false;
}

[[nodiscard]] constexpr bool is_known(AtBidOrAsk v) noexcept {
  switch (v) {
    case AtBidOrAsk::kUnset:
    case AtBidOrAsk::kAtBid:
    case AtBidOrAsk::kAtAsk:
      return true;
  }
  return false;
}

[[nodiscard]] constexpr bool is_known(AtBidOrAsk8 v) noexcept {
  switch (v) {
    case AtBidOrAsk8::kUnset:
    case AtBidOrAsk8::kAtBid:
    case AtBidOrAsk8::kAtAsk:
      return true;
  }
  return false;
}

[[nodiscard]] constexpr bool is_known(UnbundledTradeIndicator v) noexcept {
  switch (v) {
    case UnbundledTradeIndicator::kNone:
    case UnbundledTradeIndicator::kFirstSubTradeOfUnbundledTrade:
    case UnbundledTradeIndicator::kLastSubTradeOfUnbundledTrade:
      return true;
  }
  return false;
}

[[nodiscard]] constexpr bool is_known(TradeCondition v) noexcept {
  switch (v) {
    case TradeCondition::kNone:
    case TradeCondition::kNonLastUpdateEquityTrade:
    case TradeCondition::kOddLotEquityTrade:
      return true;
  }
  return false;
}

[[nodiscard]] constexpr bool is_known(HistoricalDataInterval v) noexcept {
  switch (v) {
    case HistoricalDataInterval::kTick:
    case HistoricalDataInterval::k1Second:
    case HistoricalDataInterval::k2Seconds:
    case HistoricalDataInterval::k4Seconds:
    case HistoricalDataInterval::k5Seconds:
    case HistoricalDataInterval::k10Seconds:
    case HistoricalDataInterval::k30Seconds:
    case HistoricalDataInterval::k1Minute:
    case HistoricalDataInterval::k5Minutes:
    case HistoricalDataInterval::k10Minutes:
    case HistoricalDataInterval::k15Minutes:
    case HistoricalDataInterval::k30Minutes:
    case HistoricalDataInterval::k1Hour:
    case HistoricalDataInterval::k2Hours:
    case HistoricalDataInterval::k1Day:
    case HistoricalDataInterval::k1Week:
      return true;
  }
  return false;
}

[[nodiscard]] constexpr bool is_known(HistoricalPriceDataRejectReasonCode v) noexcept {
  switch (v) {
    case HistoricalPriceDataRejectReasonCode::kUnset:
    case HistoricalPriceDataRejectReasonCode::kUnableToServeDataRetryInSpecifiedSeconds:
    case HistoricalPriceDataRejectReasonCode::kUnableToServeDataDoNotRetry:
    case HistoricalPriceDataRejectReasonCode::kDataRequestOutsideBoundsOfAvailableData:
    case HistoricalPriceDataRejectReasonCode::kGeneralRejectError:
      return true;
  }
  return false;
}

[[nodiscard]] constexpr bool is_known(OrderType v) noexcept {
  switch (v) {
    case OrderType::kUnset:
    case OrderType::kMarket:
    case OrderType::kLimit:
    case OrderType::kStop:
    case OrderType::kStopLimit:
    case OrderType::kMarketIfTouched:
    case OrderType::kLimitIfTouched:
    case OrderType::kMarketLimit:
      return true;
  }
  return false;
}

[[nodiscard]] constexpr bool is_known(BuySell v) noexcept {
  switch (v) {
    case BuySell::kUnset:
    case BuySell::kBuy:
    case BuySell::kSell:
      return true;
  }
  return false;
}

[[nodiscard]] constexpr bool is_known(TimeInForce v) noexcept {
  switch (v) {
    case TimeInForce::kUnset:
    case TimeInForce::kDay:
    case TimeInForce::kGoodTillCanceled:
    case TimeInForce::kGoodTillDateTime:
    case TimeInForce::kImmediateOrCancel:
    case TimeInForce::kAllOrNone:
    case TimeInForce::kFillOrKill:
      return true;
  }
  return false;
}

[[nodiscard]] constexpr bool is_known(OpenCloseTrade v) noexcept {
  switch (v) {
    case OpenCloseTrade::kUnset:
    case OpenCloseTrade::kOpen:
    case OpenCloseTrade::kClose:
      return true;
  }
  return false;
}

[[nodiscard]] constexpr bool is_known(PartialFillHandling v) noexcept {
  switch (v) {
    case PartialFillHandling::kUnset:
    case PartialFillHandling::kReduceQuantity:
    case PartialFillHandling::kImmediateCancel:
      return true;
  }
  return false;
}

[[nodiscard]] constexpr bool is_known(OrderStatus v) noexcept {
  switch (v) {
    case OrderStatus::kUnspecified:
    case OrderStatus::kOrderSent:
    case OrderStatus::kPendingOpen:
    case OrderStatus::kPendingChild:
    case OrderStatus::kOpen:
    case OrderStatus::kPendingCancelReplace:
    case OrderStatus::kPendingCancel:
    case OrderStatus::kFilled:
    case OrderStatus::kCanceled:
    case OrderStatus::kRejected:
    case OrderStatus::kPartiallyFilled:
      return true;
  }
  return false;
}

[[nodiscard]] constexpr bool is_known(OrderUpdateReason v) noexcept {
  switch (v) {
    case OrderUpdateReason::kUnset:
    case OrderUpdateReason::kOpenOrdersRequestResponse:
    case OrderUpdateReason::kNewOrderAccepted:
    case OrderUpdateReason::kGeneralOrderUpdate:
    case OrderUpdateReason::kOrderFilled:
    case OrderUpdateReason::kOrderFilledPartially:
    case OrderUpdateReason::kOrderCanceled:
    case OrderUpdateReason::kOrderCancelReplaceComplete:
    case OrderUpdateReason::kNewOrderRejected:
    case OrderUpdateReason::kOrderCancelRejected:
    case OrderUpdateReason::kOrderCancelReplaceRejected:
      return true;
  }
  return false;
}

[[nodiscard]] constexpr bool is_known(SecurityType v) noexcept {
  switch (v) {
    case SecurityType::kUnset:
    case SecurityType::kFutures:
    case SecurityType::kStock:
    case SecurityType::kForex:
    case SecurityType::kIndex:
    case SecurityType::kFuturesStrategy:
    case SecurityType::kStockOption:
    case SecurityType::kFuturesOption:
    case SecurityType::kIndexOption:
    case SecurityType::kBond:
    case SecurityType::kMutualFund:
      return true;
  }
  return false;
}

// The two JSON encodings (JSON_ENCODING, JSON_COMPACT_ENCODING): text messages ended by a NUL.
[[nodiscard]] constexpr bool is_json(Encoding v) noexcept {
  return v == Encoding::kJson || v == Encoding::kJsonCompact;
}

// The encodings this project reads and writes.
[[nodiscard]] constexpr bool is_spoken(Encoding v) noexcept {
  return v == Encoding::kBinary || is_json(v);
}

// "BINARY_ENCODING", "JSON_ENCODING", ...; "UNKNOWN" otherwise. Used in handshake errors.
[[nodiscard]] constexpr std::string_view to_string(Encoding v) noexcept {
  switch (v) {
    case Encoding::kBinary:
      return "BINARY_ENCODING";
    case Encoding::kBinaryWithVariableLengthStrings:
      return "BINARY_WITH_VARIABLE_LENGTH_STRINGS";
    case Encoding::kJson:
      return "JSON_ENCODING";
    case Encoding::kJsonCompact:
      return "JSON_COMPACT_ENCODING";
    case Encoding::kProtocolBuffers:
      return "PROTOCOL_BUFFERS";
  }
  return "UNKNOWN";
}

}  // namespace daytrader::dtc
