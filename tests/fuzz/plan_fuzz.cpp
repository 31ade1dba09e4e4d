// libFuzzer target: the plan loader (YAML or JSON, schema, digest) and the
// emitters on whatever it accepts.
#include <cstdint>
#include <string>

#include "compiler/plan/plan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  sparkc::plan::Plan plan;
  std::string error;
  if (sparkc::plan::LoadPlan(text, plan, error) == sparkc::plan::LoadStatus::Ok) {
    sparkc::plan::EmitYaml(plan);
    sparkc::plan::EmitJson(plan);
  }
  return 0;
}
