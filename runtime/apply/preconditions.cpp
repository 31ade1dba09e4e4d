#include "runtime/apply/preconditions.h"

#include <fmt/format.h>

#include "compiler/source/source.h"

namespace sparkc::runtime {

// A precondition's probes share this deadline, as an invariant's do.
constexpr int64_t kPreconditionTimeoutMs = 60'000;

std::vector<PreconditionResult> EvaluatePreconditions(const plan::Plan& plan) {
  std::vector<PreconditionResult> results;
  for (const plan::Invariant& pre : plan.preconditions)
    if (pre.runtime) results.push_back({&pre, EvaluateCheck(pre.expr, kPreconditionTimeoutMs)});
  return results;
}

PreconditionCount Count(const std::vector<PreconditionResult>& results) {
  PreconditionCount count;
  for (const PreconditionResult& r : results) ++(r.outcome.passed ? count.held : count.failed);
  return count;
}

JsonEvent PreconditionJson(const PreconditionResult& result) {
  const CheckOutcome& outcome = result.outcome;
  JsonEvent event = {{"id", result.precondition->id}, {"description", result.precondition->description},
                     {"holds", outcome.passed}};
  if (!outcome.passed) {
    event["evaluated"] = !outcome.unknown;
    event["detail"] = outcome.detail;
  }
  return event;
}

std::string PreconditionLine(const PreconditionResult& result, OutputFormat format) {
  if (format == OutputFormat::Json) {
    JsonEvent event = {{"type", "precondition"}};
    JsonEvent fields = PreconditionJson(result);
    for (auto& [key, value] : fields.items()) event[key] = std::move(value);
    return JsonLine(event);
  }
  const plan::Invariant& pre = *result.precondition;
  const CheckOutcome& outcome = result.outcome;
  std::string about = pre.description.empty() ? "" : fmt::format(" ({})", pre.description);
  if (outcome.passed) return Printable(fmt::format("ok     require {}{}", pre.id, about)) + "\n";
  return Printable(fmt::format("FALSE  require {}{}: {}{}", pre.id, about,
                               outcome.unknown ? "cannot be evaluated: " : "", outcome.detail)) +
         "\n";
}

PreconditionCount CheckPreconditions(const plan::Plan& plan, std::ostream& out, OutputFormat format) {
  std::vector<PreconditionResult> results = EvaluatePreconditions(plan);
  for (const PreconditionResult& r : results) out << PreconditionLine(r, format);
  return Count(results);
}

}  // namespace sparkc::runtime
