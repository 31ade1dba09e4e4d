#include "runtime/apply/state_access.h"

#include <fmt/format.h>

namespace sparkc::runtime {

int ReportStateError(const RunOptions& options, std::string_view message) {
  *options.err << fmt::format("sparkc: error[E0903]: {}\n", message);
  return kExitNeedsOperator;
}

std::unique_ptr<StateStore> OpenStoreOrReport(const RunOptions& options) {
  std::string error;
  auto store = StateStore::Open(options.state_dir, error);
  if (!store) ReportStateError(options, error);
  return store;
}

}  // namespace sparkc::runtime
