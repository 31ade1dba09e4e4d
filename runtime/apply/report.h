// Reports for CI systems, written when an apply or rollback ends: a JSON
// document of the run and JUnit XML with one testcase per step. Both hold
// only what the reporter already redacted.
#pragma once

#include <string>
#include <vector>

#include "compiler/plan/plan.h"
#include "runtime/apply/reporter.h"

namespace sparkc::runtime {

struct RunSummary {
  std::string command;  // apply, rollback
  int64_t run = 0;
  std::string status;   // the run's status in the state store
  int exit_code = 0;
  double seconds = 0;
};

// Text as XML 1.0 character data (valid UTF-8, markup escaped, the code
// points XML has no place for written as visible escapes): JUnit's, and the
// HTML report's inline SVG.
std::string XmlEscape(std::string_view raw);

std::string JsonReport(const plan::Plan& plan, const RunSummary& run, const std::vector<StepOutcome>& steps);
std::string JUnitReport(const plan::Plan& plan, const RunSummary& run, const std::vector<StepOutcome>& steps);

}  // namespace sparkc::runtime
