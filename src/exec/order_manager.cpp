#include "exec/order_manager.h"

namespace daytrader::exec {

OrderManager::OrderManager(const RulesConfig& config)
    : config_(config), account_(config.account), risk_(config.risk) {
  begin_day();
}

}  // namespace daytrader::exec
