#include "backtest/html.h"

namespace daytrader::backtest {

namespace {

constexpr std::string_view kStyle =
    "body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#1f2328}"
    "h1{font-size:22px;margin:0 0 6px}h2{font-size:16px;margin:28px 0 8px}"
    "table{border-collapse:collapse;width:100%}"
    "td,th{padding:4px 8px;border-bottom:1px solid #d8dee4;text-align:right}"
    "th:first-child,td:first-child{text-align:left}"
    ".facts td{text-align:left;border:0;padding:1px 8px 1px 0}"
    ".chart{width:100%;height:auto;background:#fff;border:1px solid #d8dee4;border-radius:6px}"
    ".grid{stroke:#eaeef2}.zero{stroke:#8c959f;stroke-dasharray:4 3}.day{stroke:#f0f2f4}"
    ".axis{font-size:11px;fill:#57606a}.pos{color:#1a7f37}.neg{color:#cf222e}"
    ".swatch{display:inline-block;width:12px;height:4px;margin-right:6px;vertical-align:middle}";

}  // namespace

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string html_head(const std::string& title, std::string_view extra_css) {
  std::string h = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + html_escape(title) +
                  "</title><style>";
  h += kStyle;
  h += extra_css;
  h += "</style></head><body>";
  return h;
}

}  // namespace daytrader::backtest
