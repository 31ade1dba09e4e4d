// Who approved which gate or manual step, and how sparkc learned it: an
// `--approve ID` on the command line, an approvals file, or the operator at
// a terminal. Every approval that lets a step pass is journaled.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compiler/plan/plan.h"
#include "runtime/state/store.h"

namespace sparkc::runtime {

using Approvals = std::map<std::string, Approval>;

// Reads an approvals file:
//   approvals:
//     - step: go_no_go
//       by: Nova
//       note: rehearsal passed        # optional
//       at: 2026-11-20T09:00:00Z      # optional
// Every step must exist in `plan` and be a gate or a manual step. False with
// `error` as "FILE:LINE:COL: message" otherwise.
bool LoadApprovals(const std::string& path, const plan::Plan& plan, Approvals& out, std::string& error);

// The name approvals are recorded under when nobody says: $SPARKC_APPROVER,
// then $USER, then "unknown".
std::string DefaultApprover();

// Empty when `by` may approve a step whose approvers are `approvers` (an
// empty list lets anyone); otherwise why not.
std::string RefuseApprover(const std::string& by, const std::vector<std::string>& approvers);

}  // namespace sparkc::runtime
