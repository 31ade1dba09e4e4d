// libFuzzer target: the strict JSON reader against nlohmann's own parser.
// Whatever ReadJson accepts, nlohmann reads as the same tree; whatever it
// refuses that nlohmann accepts has a duplicate key or is too deep, and the
// error says where. Then the whole loader on the same bytes.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "compiler/plan/yaml_reader.h"
#include "compiler/source/source.h"

using Json = nlohmann::ordered_json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  bool is_nul = false;
  if (sparkc::FindInvalidText(text, is_nul) >= 0) return 0;  // LoadPlan refuses it first
  constexpr int kDepth = 64;
  Json strict;
  bool accepted = true;
  try {
    strict = sparkc::plan::ReadJson(text, kDepth);
  } catch (const sparkc::plan::ReadError& e) {
    accepted = false;
    if (e.at.line == 0) std::abort();  // every refusal says where
  }
  if (accepted && strict != Json::parse(text)) std::abort();
  if (!accepted && Json::accept(text)) {
    // nlohmann accepts it: it must have a duplicate key or too much depth.
    std::string message;
    try {
      sparkc::plan::ReadJson(text, kDepth);
    } catch (const sparkc::plan::ReadError& e) {
      message = e.what();
    }
    if (message.find("appears twice") == std::string::npos && message.find("nested too deeply") == std::string::npos)
      std::abort();
  }
  sparkc::plan::Plan plan;
  std::string error;
  sparkc::plan::TextPosition at;
  sparkc::plan::LoadPlan(text, plan, error, &at);
  return 0;
}
