// A step's `slurm = { ... }` block: its fields, the one rule their values
// follow, and the sbatch options they become. The compiler, the plan reader
// and the Slurm engine all go through here, so a value the compiler accepts
// is one the reader accepts and sbatch receives unchanged.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/plan/plan.h"

namespace sparkc::plan {

enum class PlacementType { Text, Count, Size };

struct PlacementField {
  std::string_view name;    // in the spec and the plan
  std::string_view option;  // sbatch's
  PlacementType type;
};

const std::vector<PlacementField>& PlacementFields();

// Why `value` cannot be the text field `name` ("" when it can): Slurm's
// names, lists and expressions (`gpu:h100:2`, `node[1-4]`, `a100&ib`), never
// blanks, quotes, control characters or anything a shell would act on.
std::string PlacementProblem(std::string_view name, std::string_view value);

// The fields that are set, as (name, value) in PlacementFields' order, with
// counts in decimal and sizes in bytes.
std::vector<std::pair<std::string, std::string>> SetPlacement(const Placement& p);

// "partition=gpu gres=gpu:1 nodelist=node3": how notes and reviews show it.
std::string ShowPlacement(const Placement& p);

// sbatch's options for it: `--partition=gpu`, `--mem=16384M` (sizes rounded
// up to MiB, sbatch's unit).
std::vector<std::string> SbatchOptions(const Placement& p);

// The field `name` of `p`, for the reader and the compiler to set.
std::string* TextField(Placement& p, std::string_view name);
int64_t* NumberField(Placement& p, std::string_view name);

}  // namespace sparkc::plan
