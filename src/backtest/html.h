#pragma once
// Pieces of the self-contained HTML pages (inline CSS and SVG, no scripts or downloads) that the
// backtest report and the training run's report share.

#include <string>
#include <string_view>

namespace daytrader::backtest {

// Escapes &, <, > and " for text and attribute values.
[[nodiscard]] std::string html_escape(std::string_view s);

// Line colours of the runs, in the order evaluate_with_baselines returns them (model first).
inline constexpr const char* kRunColors[] = {"#1f6feb", "#8b949e", "#d29922",
                                             "#2da44e", "#cf222e", "#8250df"};

// "<!doctype html>..." up to and including "<body>": the title, and the shared style (tables,
// charts, axis text, .pos/.neg figures, colour swatches) followed by `extra_css`.
[[nodiscard]] std::string html_head(const std::string& title, std::string_view extra_css = {});

}  // namespace daytrader::backtest
