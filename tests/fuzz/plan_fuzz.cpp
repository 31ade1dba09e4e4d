// libFuzzer target: the plan loader (YAML or JSON, schema, digest) and the
// emitters on whatever it accepts: what is written must load back as the
// same plan (the digest covers all of it).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "compiler/plan/plan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  sparkc::plan::Plan plan;
  std::string error;
  if (sparkc::plan::LoadPlan(text, plan, error) == sparkc::plan::LoadStatus::Ok) {
    for (const std::string& written : {sparkc::plan::EmitYaml(plan), sparkc::plan::EmitJson(plan)}) {
      sparkc::plan::Plan again;
      if (sparkc::plan::LoadPlan(written, again, error) != sparkc::plan::LoadStatus::Ok) std::abort();
    }
  }
  return 0;
}
