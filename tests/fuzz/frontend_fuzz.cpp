// libFuzzer target: the whole front end and checker (parse, resolve,
// evaluate, check, order, plan) on arbitrary bytes as a root spec. A spec
// that compiles must give a plan that loads back, and the parser on one
// thread and on two (parse and AST build overlapped) must agree. A file that
// parses must format to text that differs only in layout, parses to the same
// tree, and formats to itself.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "compiler/compile/compile.h"
#include "compiler/format/format.h"
#include "compiler/parse/parse_internal.h"

namespace {

void ParseBothWays(const uint8_t* data, size_t size) {
  sparkc::SourceManager sources;
  sparkc::FileId file = sources.Add("f.spark", "f.spark", std::string(reinterpret_cast<const char*>(data), size));
  sparkc::Diagnostics one_diags(sources), two_diags(sources);
  sparkc::Module one = sparkc::parse::ParseFileWith(sources, file, one_diags, SIZE_MAX);
  sparkc::Module two = sparkc::parse::ParseFileWith(sources, file, two_diags, 0);
  if (!sparkc::SameTree(one, two) || one_diags.size() != two_diags.size()) std::abort();
  for (size_t i = 0; i < one_diags.size(); ++i) {
    const sparkc::Diagnostic &a = one_diags.all()[i], &b = two_diags.all()[i];
    if (a.message != b.message || a.span.begin != b.span.begin || a.span.end != b.span.end) std::abort();
  }
  if (one_diags.has_errors()) return;
  std::string_view text = sources.file(file).text();
  std::string formatted = sparkc::format::Format(text);
  sparkc::FileId again_file = sources.Add("g.spark", "g.spark", formatted);
  sparkc::Diagnostics again_diags(sources);
  sparkc::Module again = sparkc::ParseFile(sources, again_file, again_diags);
  if (!sparkc::format::SameButLayout(text, formatted) || again_diags.has_errors() ||
      !sparkc::SameMeaning(one, again) || sparkc::format::Format(formatted) != formatted)
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/sparkc-fuzz-" + std::to_string(getpid()) + ".spark";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  ParseBothWays(data, size);
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
