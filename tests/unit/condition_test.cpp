#include <catch2/catch.hpp>

#include <fstream>

#include "runtime/probe/condition.h"

using namespace sparkc::runtime;

TEST_CASE("checks evaluate probes against the system") {
  std::string path = "/tmp/sparkc_condition_test";
  std::ofstream(path) << "12345";
  CHECK(EvaluateCheck("file.exists(\"" + path + "\")", 1000).passed);
  CHECK(EvaluateCheck("file.size(\"" + path + "\") == 5 B", 1000).passed);
  CHECK_FALSE(EvaluateCheck("file.exists(\"/no/such/file\")", 1000).passed);
  CHECK(EvaluateCheck("exec(\"sh\", \"-c\", \"exit 3\").exit == 3", 1000).passed);
  CHECK(EvaluateCheck("exec(\"echo\", \"hi\").stdout == \"hi\\n\"", 1000).passed);
  CHECK(EvaluateCheck("file.sha256(\"" + path +
                          "\") == \"5994471abb01112afcc18159f6cc74b4f511b99806da59b3caf5a9c173cacfc5\"",
                      1000).passed);
  CheckOutcome failed = EvaluateCheck("file.size(\"" + path + "\") > 1 KiB", 1000);
  CHECK_FALSE(failed.passed);
  CHECK(failed.detail.find("5 B > 1 KiB") != std::string::npos);
  // A false check with no comparison to show says so once (the runtime
  // adds "check failed: " itself).
  CheckOutcome missing = EvaluateCheck("file.exists(\"/no/such/file\")", 1000);
  CHECK(missing.detail == "file.exists(\"/no/such/file\") is false");
  CHECK_FALSE(EvaluateCheck("1 / 0 == 1", 1000).passed);
  CHECK(EvaluateCheck("not false and (true or file.exists(\"x\"))", 1000).passed);
  std::remove(path.c_str());
}
