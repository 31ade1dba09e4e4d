// libFuzzer target: the journal loader. Arbitrary bytes as state.db; what
// `status`, `rollback` and a resuming `apply` read must fail cleanly.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "compiler/plan/plan.h"
#include "runtime/state/store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = "/tmp/sparkc-fuzz-journal-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir + "/state.db", std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  std::string error;
  auto store = sparkc::runtime::StateStore::Open(dir, error);
  if (!store) return 0;
  try {
    if (auto run = store->LastRun()) {
      store->Steps(run->id);
      store->Journal(run->id);
      store->Approvals(run->id);
      sparkc::plan::Plan plan;
      auto json = nlohmann::ordered_json::parse(run->plan_json, nullptr, false);
      if (!json.is_discarded()) sparkc::plan::FromJson(json, plan, error);
    }
  } catch (const std::exception&) {
    // A corrupt store is reported as E0903 by the commands; an exception is the clean path.
  }
  return 0;
}
