#pragma once
// Message: every message type of dtc.md (§11's table, 60 types) as one std::variant, plus
// UnknownMessage for frames of any other type (§9.5).

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "dtc/messages_historical.h"
#include "dtc/messages_market_data.h"
#include "dtc/messages_session.h"
#include "dtc/messages_trading.h"
#include "dtc/protocol.h"

namespace daytrader::dtc {

// A frame whose Type this codec does not decode: market depth, symbol discovery, Sierra Chart's
// custom messages (>= 10000) or anything newer. The Decoder returns it instead of an error so a
// session can count it and carry on; its bytes are consumed and not kept. Encoding one writes the
// header and size - 4 zero bytes, which lets tests and the simulator inject unknown types.
struct UnknownMessage {
  std::uint16_t type = 0;
  std::uint16_t size = kHeaderSize;  // the frame's Size, header included

  bool operator==(const UnknownMessage&) const = default;
};

// Ordered by type number. Adding a type: see docs/dtc.md.
using Message = std::variant<
    // §4, §3
    LogonRequest, LogonResponse, Heartbeat, Logoff, EncodingRequest, EncodingResponse,
    // §5
    MarketDataFeedStatus, MarketDataRequest, MarketDataReject, MarketDataSnapshot,
    MarketDataUpdateTrade, MarketDataUpdateBidAsk, MarketDataUpdateTradeCompact,
    MarketDataUpdateSessionVolume, MarketDataUpdateSessionHigh, MarketDataUpdateSessionLow,
    MarketDataFeedSymbolStatus, MarketDataUpdateBidAskCompact, MarketDataUpdateSessionSettlement,
    MarketDataUpdateSessionOpen, MarketDataUpdateOpenInterest, MarketDataUpdateLastTradeSnapshot,
    MarketDataUpdateSessionNumTrades, MarketDataUpdateTradingSessionDate,
    MarketDataUpdateTradeWithUnbundledIndicator, TradingSymbolStatus,
    MarketDataUpdateTradeNoTimestamp, MarketDataUpdateBidAskNoTimestamp,
    MarketDataUpdateBidAskFloatWithMicroseconds, MarketDataUpdateTradeWithUnbundledIndicator2,
    // §7
    SubmitNewOcoOrder, CancelOrder, CancelReplaceOrder, SubmitNewSingleOrder,
    SubmitFlattenPositionOrder, OpenOrdersRequest, OrderUpdate, OpenOrdersReject,
    HistoricalOrderFillsRequest, HistoricalOrderFillResponse, CurrentPositionsRequest,
    PositionUpdate, CurrentPositionsReject, HistoricalOrderFillsReject, TradeAccountsRequest,
    TradeAccountResponse, SecurityDefinitionForSymbolRequest, SecurityDefinitionResponse,
    SecurityDefinitionReject, AccountBalanceUpdate, AccountBalanceRequest, AccountBalanceReject,
    // §4.5
    UserMessage, GeneralLogMessage,
    // §6
    HistoricalPriceDataRequest, HistoricalPriceDataResponseHeader, HistoricalPriceDataReject,
    HistoricalPriceDataRecordResponse, HistoricalPriceDataTickRecordResponse,
    HistoricalPriceDataResponseTrailer,
    // anything else
    UnknownMessage>;

// A message struct of this codec (not UnknownMessage).
template <class M>
concept KnownMessage = requires {
  { M::kType } -> std::convertible_to<std::uint16_t>;
  { M::kSize } -> std::convertible_to<std::uint16_t>;
  { M::kName } -> std::convertible_to<std::string_view>;
  { M::kPacked } -> std::convertible_to<bool>;
};

// Facts about a type number, for logs and for the decoder.
[[nodiscard]] bool is_known_type(std::uint16_t type) noexcept;
// "ORDER_UPDATE"; "UNKNOWN" for a type this codec does not decode.
[[nodiscard]] std::string_view message_name(std::uint16_t type) noexcept;
// The current-header size of a known type (ORDER_UPDATE: 720); 0 for an unknown type.
[[nodiscard]] std::size_t known_size(std::uint16_t type) noexcept;

// The Type number of the held message (UnknownMessage: the type it was received with).
[[nodiscard]] std::uint16_t message_type(const Message& message) noexcept;

}  // namespace daytrader::dtc
