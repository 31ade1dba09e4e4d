#include "compiler/plan/step_time.h"

#include <fmt/format.h>

#include <algorithm>

namespace sparkc::plan {
namespace {

// Saturating: a sum of figures that overflows is no bound at all.
int64_t Add(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (a == kUnbounded || b == kUnbounded || __builtin_add_overflow(a, b, &sum)) return kUnbounded;
  return sum;
}

int64_t Times(int64_t a, int64_t k) {
  int64_t product = 0;
  if (a == kUnbounded || __builtin_mul_overflow(a, k, &product)) return kUnbounded;
  return product;
}

// What an action's timeout lets it take. A probe or command that outlives
// it is killed: SIGTERM, then SIGKILL after the grace period.
StepTime ActionLimit(const Action& action, int64_t timeout_ms, const std::string& id) {
  switch (action.kind) {
    case Action::Kind::Noop: return {0, {}};
    case Action::Kind::Wait: return {action.wait_ms, {}};
    case Action::Kind::Exec:
    case Action::Kind::Shell: return {Add(timeout_ms, kKillGraceMs), {}};
    case Action::Kind::Http: return {timeout_ms, {}};
    case Action::Kind::Manual: return {kUnbounded, fmt::format("`{}` waits for a person", id)};
    case Action::Kind::Sequence: {
      StepTime total;
      for (const Action& item : action.sequence) {
        StepTime part = ActionLimit(item, timeout_ms, id);
        if (!part.bounded()) return part;
        total.ms = Add(total.ms, part.ms);
      }
      return total;
    }
  }
  return {};
}

// A check's probes share one deadline, the step's timeout.
int64_t CheckLimit(const std::string& check, int64_t timeout_ms) {
  return check.empty() ? 0 : Add(timeout_ms, kKillGraceMs);
}

}  // namespace

int64_t RetryBackoffMs(int64_t attempt) {
  return std::min<int64_t>(10'000, int64_t{100} << std::clamp<int64_t>(attempt, 0, 10));
}

StepTime ForwardTime(const Step& step, Basis basis) {
  int64_t backoff = 0;
  for (int64_t a = 1; a <= step.retries; ++a) backoff += RetryBackoffMs(a);
  StepTime attempt;
  if (basis == Basis::Estimate) {
    attempt.ms = step.estimate_ms;
  } else if (step.gate) {
    return {kUnbounded, fmt::format("`{}` is a gate: it waits for a person", step.id)};
  } else {
    attempt = ActionLimit(step.action, step.timeout_ms, step.id);
    if (!attempt.bounded()) return attempt;
    attempt.ms = Add(attempt.ms, CheckLimit(step.check, step.timeout_ms));
  }
  StepTime total{Add(Times(attempt.ms, step.retries + 1), backoff), {}};
  if (!total.bounded()) total.unbounded = fmt::format("`{}` takes longer than sparkc can count", step.id);
  return total;
}

StepTime UndoTime(const Step& step, Basis basis) {
  if (step.undo.kind != Undo::Kind::Action) return {0, {}};  // `none` and irreversible undos do nothing
  if (basis == Basis::Estimate) return {step.undo_estimate_ms, {}};
  StepTime undo = ActionLimit(step.undo.action, step.timeout_ms, step.id);
  if (!undo.bounded()) return undo;
  return {Add(undo.ms, CheckLimit(step.undo_check, step.timeout_ms)), {}};
}

}  // namespace sparkc::plan
