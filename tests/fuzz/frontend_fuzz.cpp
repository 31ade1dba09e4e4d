// libFuzzer target: the whole front end and checker (parse, resolve,
// evaluate, check, order, plan) on arbitrary bytes as a root spec. A spec
// that compiles must give a plan that loads back.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "compiler/compile/compile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/sparkc-fuzz-" + std::to_string(getpid()) + ".spark";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  sparkc::SourceManager sources;
  sparkc::Diagnostics diags(sources);
  sparkc::plan::Plan plan;
  if (sparkc::Compile(path, sources, diags, plan)) {
    sparkc::plan::Plan loaded;
    std::string error;
    if (sparkc::plan::LoadPlan(sparkc::plan::EmitYaml(plan), loaded, error) != sparkc::plan::LoadStatus::Ok)
      std::abort();
  }
  std::ostringstream rendered;
  sparkc::RenderText(diags, rendered);
  sparkc::RenderJson(diags, rendered);
  sparkc::RenderSarif(diags, "fuzz", rendered);
  return 0;
}
