#include "runtime/apply/preconditions.h"

#include <fmt/format.h>

#include "compiler/source/source.h"
#include "runtime/probe/condition.h"

namespace sparkc::runtime {

// A precondition's probes share this deadline, as an invariant's do.
constexpr int64_t kPreconditionTimeoutMs = 60'000;

PreconditionCount CheckPreconditions(const plan::Plan& plan, std::ostream& out) {
  PreconditionCount count;
  for (const plan::Invariant& pre : plan.preconditions) {
    if (!pre.runtime) continue;
    CheckOutcome outcome = EvaluateCheck(pre.expr, kPreconditionTimeoutMs);
    std::string about = pre.description.empty() ? "" : fmt::format(" ({})", pre.description);
    if (outcome.passed) {
      ++count.held;
      out << Printable(fmt::format("ok     require {}{}", pre.id, about)) << "\n";
    } else {
      ++count.failed;
      out << Printable(fmt::format("FALSE  require {}{}: {}{}", pre.id, about,
                                   outcome.unknown ? "cannot be evaluated: " : "", outcome.detail))
          << "\n";
    }
  }
  return count;
}

}  // namespace sparkc::runtime
