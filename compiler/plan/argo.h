// `sparkc export --to argo`: a plan as an Argo Workflow (argoproj.io/v1alpha1).
// Validated, not executed here: each task runs `sparkc step do` in a
// container, and the journal (the state store) makes each step happen once,
// whatever Argo retries. docs/engines.md has the mapping.
#pragma once

#include <string>

#include "compiler/plan/plan.h"

namespace sparkc::plan {

struct ArgoOptions {
  std::string image;  // a container image with sparkc on PATH
  std::string state;  // the state store's URL, without a password
  // A Kubernetes secret holding PGPASSWORD for the state store: "NAME/KEY"; "" for none.
  std::string password_secret;
};

// Why Argo could not carry this plan or these options as they are, or "":
// Argo reads `{{...}}` in a parameter as its own variable, and Kubernetes
// expands `$(...)` in a container's arguments, so a step id or an option
// holding either would reach `sparkc step do` changed.
std::string ArgoPlanProblem(const Plan& plan);
std::string ArgoOptionsProblem(const ArgoOptions& options);

// The Workflow as YAML: the same plan and options give the same bytes.
std::string EmitArgoWorkflow(const Plan& plan, const ArgoOptions& options);

}  // namespace sparkc::plan
