#include "core/instrument_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>

namespace daytrader::core {

namespace {

constexpr LocalTimeOfDay hm(int h, int m) {
  return LocalTimeOfDay{h * 60 + m, 0};
}

constexpr const char* kChicago = "America/Chicago";
constexpr const char* kQuarterly = "HMUZ";
constexpr const char* kMonthly = "FGHJKMNQUVXZ";

// Sources:
// - Tick sizes and values: CME Group's contract specifications (ES and MES also in
//   shared/spec/es-futures.md section 1). A micro is one tenth of its E-mini (CL, GC: of the
//   standard contract) at the same tick size.
// - Globex hours: CME Globex trades all of these Sunday-Friday 17:00-16:00 Central time with a
//   daily halt 16:00-17:00 (es-futures.md section 4.1 for ES; the same schedule is published for
//   the other equity index futures, for NYMEX energy and COMEX metals).
// - RTH, equity index: the US cash-equity session 08:30-15:00 CT (es-futures.md section 4.1);
//   NQ, YM and RTY follow the same cash session of their indices.
// - RTH, energy and metals: these have no exchange-defined RTH; the window is the former
//   open-outcry ("pit") session that charts conventionally call the day session: NYMEX crude
//   oil 09:00-14:30 ET = 08:00-13:30 CT, COMEX gold 08:20-13:30 ET = 07:20-12:30 CT. Unverified
//   against a primary source: check before relying on it (it sets only the "minutes since RTH
//   open" feature).
// - Months: equity index futures list March, June, September and December (es-futures.md
//   section 2); CL, MCL, GC and MGC list monthly contracts, so every month code is accepted.
// clang-format off
constexpr InstrumentSpec kTable[] = {
    // root, name, exchange, tick size, tick value (cents), exchange time, Globex open and close, RTH open
    // and close, listed months
    {"ES",  "E-mini S&P 500",            "CME",   0.25, 1250, kChicago, hm(17, 0), hm(16, 0), hm(8, 30), hm(15, 0),  kQuarterly},
    {"MES", "Micro E-mini S&P 500",      "CME",   0.25, 125,  kChicago, hm(17, 0), hm(16, 0), hm(8, 30), hm(15, 0),  kQuarterly},
    {"NQ",  "E-mini Nasdaq-100",         "CME",   0.25, 500,  kChicago, hm(17, 0), hm(16, 0), hm(8, 30), hm(15, 0),  kQuarterly},
    {"MNQ", "Micro E-mini Nasdaq-100",   "CME",   0.25, 50,   kChicago, hm(17, 0), hm(16, 0), hm(8, 30), hm(15, 0),  kQuarterly},
    {"YM",  "E-mini Dow ($5)",           "CBOT",  1.0,  500,  kChicago, hm(17, 0), hm(16, 0), hm(8, 30), hm(15, 0),  kQuarterly},
    {"MYM", "Micro E-mini Dow",          "CBOT",  1.0,  50,   kChicago, hm(17, 0), hm(16, 0), hm(8, 30), hm(15, 0),  kQuarterly},
    {"RTY", "E-mini Russell 2000",       "CME",   0.10, 500,  kChicago, hm(17, 0), hm(16, 0), hm(8, 30), hm(15, 0),  kQuarterly},
    {"M2K", "Micro E-mini Russell 2000", "CME",   0.10, 50,   kChicago, hm(17, 0), hm(16, 0), hm(8, 30), hm(15, 0),  kQuarterly},
    {"CL",  "Crude Oil (WTI)",           "NYMEX", 0.01, 1000, kChicago, hm(17, 0), hm(16, 0), hm(8, 0),  hm(13, 30), kMonthly},
    {"MCL", "Micro WTI Crude Oil",       "NYMEX", 0.01, 100,  kChicago, hm(17, 0), hm(16, 0), hm(8, 0),  hm(13, 30), kMonthly},
    {"GC",  "Gold",                      "COMEX", 0.10, 1000, kChicago, hm(17, 0), hm(16, 0), hm(7, 20), hm(12, 30), kMonthly},
    {"MGC", "Micro Gold",                "COMEX", 0.10, 100,  kChicago, hm(17, 0), hm(16, 0), hm(7, 20), hm(12, 30), kMonthly},
};
// clang-format on

// Exchange suffixes of Sierra Chart symbols: "-CME", ".CME", "_FUT_CME".
constexpr std::string_view kExchanges[] = {"CME", "CBOT", "NYMEX", "COMEX", "GLOBEX", "FUT"};

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// ROOT + month code + year at the end of an upper-case token, or nullopt.
struct ContractShape {
  std::string root;
  char month_code;
  int year;
  int year_digits;
};
std::optional<ContractShape> contract_shape(const std::string& t) {
  const std::size_t n = t.size();
  if (n >= 4 && month_of_code(t[n - 3]) != 0 && is_digit(t[n - 2]) && is_digit(t[n - 1]))
    return ContractShape{t.substr(0, n - 3), t[n - 3], (t[n - 2] - '0') * 10 + (t[n - 1] - '0'), 2};
  if (n >= 3 && month_of_code(t[n - 2]) != 0 && is_digit(t[n - 1]))
    return ContractShape{t.substr(0, n - 2), t[n - 2], t[n - 1] - '0', 1};
  return std::nullopt;
}

// The exchange suffix right after the token ("-CME", ".CME", "_FUT_CME"), or "".
std::string_view exchange_suffix(std::string_view rest) {
  std::size_t i = 0;
  std::size_t end = 0;
  for (int part = 0; part < 2; ++part) {
    if (i >= rest.size() || (rest[i] != '-' && rest[i] != '.' && rest[i] != '_')) break;
    std::size_t j = i + 1;
    while (j < rest.size() && std::isalpha(static_cast<unsigned char>(rest[j])) != 0) ++j;
    const std::string word = upper(rest.substr(i + 1, j - i - 1));
    if (std::find(std::begin(kExchanges), std::end(kExchanges), word) == std::end(kExchanges)) break;
    end = j;
    if (word != "FUT") break;  // "_FUT_CME": one more part
    i = j;
  }
  return rest.substr(0, end);
}

std::string month_list(const char* months) {
  std::string out;
  for (const char* m = months; *m != 0; ++m) {
    if (!out.empty()) out += ", ";
    out += *m;
  }
  return out;
}

}  // namespace

Instrument InstrumentSpec::instrument(std::string symbol) const {
  Instrument i;
  i.root = root;
  i.tick_size = tick_size;
  i.tick_value_cents = tick_value_cents;
  i.time_zone = time_zone;
  i.symbol = std::move(symbol);
  return i;
}

std::span<const InstrumentSpec> instrument_table() noexcept {
  return kTable;
}

const InstrumentSpec* find_instrument(std::string_view root) noexcept {
  for (const auto& s : kTable) {
    const std::string_view r(s.root);
    if (r.size() == root.size() && std::equal(r.begin(), r.end(), root.begin(), [](char a, char b) {
          return std::toupper(static_cast<unsigned char>(a)) == std::toupper(static_cast<unsigned char>(b));
        }))
      return &s;
  }
  return nullptr;
}

std::string known_roots() {
  std::string out;
  for (const auto& s : kTable) {
    if (!out.empty()) out += ", ";
    out += s.root;
  }
  return out;
}

int month_of_code(char code) noexcept {
  static constexpr std::string_view kCodes = "FGHJKMNQUVXZ";
  const auto pos = kCodes.find(code);
  return pos == std::string_view::npos ? 0 : static_cast<int>(pos) + 1;
}

int ContractSymbol::full_year(int reference_year) const noexcept {
  if (year_digits == 2) return 2000 + year;
  if (year_digits != 1) return 0;
  // The year ending in `year` within reference-5 .. reference+4.
  int y = reference_year - reference_year % 10 + year;
  if (y > reference_year + 4) y -= 10;
  if (y < reference_year - 5) y += 10;
  return y;
}

Result<ContractSymbol> parse_symbol(std::string_view text) {
  std::size_t n = 0;
  while (n < text.size() && is_alnum(text[n])) ++n;
  const std::string token = upper(text.substr(0, n));
  const auto bad = [&](const std::string& why) {
    return Error{fmt::format("symbol \"{}\": {}; known roots: {}", text, why, known_roots())};
  };
  if (token.empty()) return bad("expected a root like ES or a contract like ESZ25");
  ContractSymbol sym;
  if (const auto shape = contract_shape(token); shape && !shape->root.empty()) {
    const InstrumentSpec* spec = find_instrument(shape->root);
    if (spec == nullptr && find_instrument(token) == nullptr)
      return bad(fmt::format("unknown root {}", shape->root));
    if (spec != nullptr) {
      if (std::string_view(spec->months).find(shape->month_code) == std::string_view::npos)
        return bad(fmt::format("{} lists only {} contracts, not month {}", spec->root,
                               month_list(spec->months), shape->month_code));
      sym.root = spec->root;
      sym.month_code = shape->month_code;
      sym.month = month_of_code(shape->month_code);
      sym.year = shape->year;
      sym.year_digits = shape->year_digits;
      sym.text = std::string(text.substr(0, n)) + std::string(exchange_suffix(text.substr(n)));
      return sym;
    }
  }
  const InstrumentSpec* spec = find_instrument(token);
  if (spec == nullptr)
    return bad(fmt::format("{} is neither a known root nor ROOT + month code + year (ESZ25)", token));
  sym.root = spec->root;
  return sym;
}

Result<std::optional<ContractSymbol>> symbol_from_file_name(std::string_view file_name) {
  const auto slash = file_name.find_last_of('/');
  const std::string_view name = slash == std::string_view::npos ? file_name : file_name.substr(slash + 1);
  std::size_t n = 0;
  while (n < name.size() && is_alnum(name[n])) ++n;
  const std::string token = upper(name.substr(0, n));
  auto sym = parse_symbol(name);
  if (sym) return std::optional<ContractSymbol>(std::move(sym).value());
  // Not a symbol we know. It is an error only when the name has a symbol's full shape: a contract
  // followed by an exchange suffix ("ZBZ25-CBOT.scid"); anything else is just a file name.
  const auto shape = contract_shape(token);
  if (shape && !shape->root.empty() && !exchange_suffix(name.substr(n)).empty())
    return Error{fmt::format("{}: the file name names the contract {}{}: {}", file_name, name.substr(0, n),
                             exchange_suffix(name.substr(n)), sym.error().message)};
  return std::optional<ContractSymbol>();
}

Result<Instrument> instrument_from_option(std::string_view root_or_symbol) {
  auto sym = parse_symbol(root_or_symbol);
  if (!sym) return sym.error();
  return find_instrument(sym->root)->instrument(sym->is_contract() ? sym->text : std::string());
}

const SessionCalendar& session_calendar_of(const Instrument& instrument) {
  const InstrumentSpec* spec = find_instrument(instrument.root);
  const LocalTimeOfDay open = spec != nullptr ? spec->globex_open : hm(17, 0);
  const LocalTimeOfDay close = spec != nullptr ? spec->globex_close : hm(16, 0);
  const SessionCalendar& globex = SessionCalendar::cme_globex();
  if (instrument.time_zone == kChicago && open == globex.open_time() && close == globex.close_time())
    return globex;
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<SessionCalendar>> calendars;
  const std::string key = fmt::format("{} {} {}", instrument.time_zone, open.to_string(), close.to_string());
  const std::lock_guard lock(mutex);
  auto& slot = calendars[key];
  if (!slot) slot = std::make_unique<SessionCalendar>(instrument.time_zone, open, close);
  return *slot;
}

LocalTimeOfDay rth_open_of(const Instrument& instrument) noexcept {
  const InstrumentSpec* spec = find_instrument(instrument.root);
  return spec != nullptr ? spec->rth_open : hm(8, 30);
}

std::string describe(const Instrument& instrument) {
  const InstrumentSpec* spec = find_instrument(instrument.root);
  std::string out = instrument.root;
  if (!instrument.symbol.empty()) out += fmt::format(" {}", instrument.symbol);
  out += " (";
  if (spec != nullptr) out += fmt::format("{}, {}; ", spec->name, spec->exchange);
  out += fmt::format("tick {} = ${:.2f}; exchange time {})", instrument.tick_size,
                     static_cast<double>(instrument.tick_value_cents) / 100.0, instrument.time_zone);
  return out;
}

}  // namespace daytrader::core
