// The GPU probes: nvidia-smi's two outputs parsed from the fixtures in
// tests/fixtures/nvidia-smi, the comparison with a declaration, and the
// probes evaluated through the fake nvidia-smi (tests/support).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/probe/condition.h"
#include "runtime/probe/gpu.h"

using namespace sparkc::runtime;
namespace fs = std::filesystem;

namespace {

fs::path Fixture(const std::string& name) { return fs::path(SPARKC_SOURCE_DIR) / "tests/fixtures/nvidia-smi" / name; }

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<GpuDevice> Devices(const std::string& fixture) {
  std::vector<GpuDevice> devices;
  std::string error, reported;
  REQUIRE(ParseGpuQuery(Read(Fixture(fixture) / "query.csv"), devices, error));
  std::optional<GpuVersion> cuda;
  size_t gpus = 0;
  REQUIRE(ParseGpuXml(Read(Fixture(fixture) / "query.xml"), cuda, reported, gpus, error));
  REQUIRE(gpus == devices.size());
  for (GpuDevice& d : devices) d.cuda = cuda;
  return devices;
}

GpuVersion V(const std::string& text) {
  GpuVersion v;
  for (size_t start = 0; start <= text.size();) {
    size_t dot = text.find('.', start);
    v.parts.push_back(std::stoll(text.substr(start, dot - start)));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  v.text = "v" + text;
  return v;
}

DeclaredGpus H100x8() {
  DeclaredGpus d;
  d.model = "H100";
  d.reported = {"NVIDIA H100 80GB HBM3", "NVIDIA H100 PCIe"};
  d.count = 8;
  d.memory_bytes = 80'000'000'000;
  d.driver = V("550.54.15");
  d.cuda = V("12.4");
  d.min_driver = V("550.54.14");
  return d;
}

// The probes through the fake nvidia-smi: PATH and the fixture set for the
// test's duration.
struct FakeNvidiaSmi {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin";
  fs::path bin = fs::temp_directory_path() / ("sparkc-gpu-test-" + std::to_string(getpid()));
  explicit FakeNvidiaSmi(const std::string& fixture) {
    fs::create_directories(bin);
    fs::remove(bin / "nvidia-smi");
    fs::create_symlink(fs::path(SPARKC_SOURCE_DIR) / "tests/support/fake-nvidia-smi", bin / "nvidia-smi");
    setenv("PATH", (bin.string() + ":" + path).c_str(), 1);
    setenv("NVIDIA_SMI_FIXTURE", Fixture(fixture).c_str(), 1);
  }
  ~FakeNvidiaSmi() {
    setenv("PATH", path.c_str(), 1);
    unsetenv("NVIDIA_SMI_FIXTURE");
    fs::remove_all(bin);
  }
};

const char* kConformsH100x8 =
    "gpu.conforms(hardware = \"spark\", model = \"H100\", names = [\"NVIDIA H100 80GB HBM3\"], count = 8, "
    "memory = 80 GB, driver = v550.54.15, cuda = v12.4, min_driver = v550.54.14)";

}  // namespace

TEST_CASE("nvidia-smi's query and XML give every field of each GPU") {
  std::vector<GpuDevice> devices = Devices("h100x8");
  REQUIRE(devices.size() == 8);
  for (size_t k = 0; k < devices.size(); ++k) CHECK(devices[k].index == static_cast<int64_t>(k));
  const GpuDevice& d = devices[3];
  CHECK(d.name == "NVIDIA H100 80GB HBM3");
  CHECK(d.uuid.starts_with("GPU-"));
  CHECK(d.memory_bytes == int64_t{81559} << 20);
  CHECK(d.driver.text == "v550.54.15");
  CHECK(d.driver.parts == std::vector<int64_t>{550, 54, 15});
  REQUIRE(d.cuda);
  CHECK(d.cuda->text == "v12.4");
  REQUIRE(d.compute_capability);
  CHECK(d.compute_capability->text == "v9.0");
  CHECK_FALSE(d.mig);

  std::vector<GpuDevice> mig = Devices("a100x4-mig");
  REQUIRE(mig.size() == 4);
  CHECK(mig[0].mig);
  CHECK(mig[1].mig);
  CHECK_FALSE(mig[2].mig);
  CHECK(mig[0].compute_capability->text == "v8.0");
}

TEST_CASE("what nvidia-smi prints that is not a GPU table is an error naming the line") {
  std::vector<GpuDevice> devices;
  std::string error;
  // What 535 prints, with exit code 9, when the kernel module is not loaded.
  CHECK_FALSE(ParseGpuQuery(Read(Fixture("no-driver") / "stdout"), devices, error));
  CHECK(error.find("line 1") != std::string::npos);
  CHECK_FALSE(ParseGpuQuery("0, GPU-1, NVIDIA H100 80GB HBM3, lots, 550.54.15, 9.0, Disabled\n", devices, error));
  CHECK(error.find("memory.total") != std::string::npos);
  CHECK_FALSE(ParseGpuQuery("0, GPU-1, NVIDIA H100 80GB HBM3, 81559, 550.54.15, 9.0, Maybe\n", devices, error));
  CHECK(error.find("mig.mode.current") != std::string::npos);
  CHECK_FALSE(ParseGpuQuery("0, GPU-1, \"NVIDIA H100, 80GB\n", devices, error));
  CHECK(error.find("not closed") != std::string::npos);
  // Quoted fields (RFC 4180) and fields nvidia-smi cannot read.
  REQUIRE(ParseGpuQuery("0, GPU-1, \"NVIDIA \"\"X\"\", rev 2\", 1024, 535.104.05, [N/A], [N/A]\n\n", devices, error));
  REQUIRE(devices.size() == 1);
  CHECK(devices[0].name == "NVIDIA \"X\", rev 2");
  CHECK_FALSE(devices[0].compute_capability);
  CHECK_FALSE(devices[0].mig);
  CHECK(ParseGpuQuery("", devices, error));
  CHECK(devices.empty());

  std::optional<GpuVersion> cuda;
  std::string reported;
  size_t gpus = 0;
  CHECK_FALSE(ParseGpuXml("<nvidia_smi_log><gpu>", cuda, reported, gpus, error));
  CHECK(error.find("does not parse") != std::string::npos);
  CHECK_FALSE(ParseGpuXml("<other/>", cuda, reported, gpus, error));
  // No entity is expanded and no DTD fetched: the document is only read.
  REQUIRE(ParseGpuXml("<?xml version=\"1.0\"?><!DOCTYPE nvidia_smi_log SYSTEM \"http://127.0.0.1:1/x.dtd\">"
                      "<nvidia_smi_log><cuda_version>Not Found</cuda_version><gpu/></nvidia_smi_log>",
                      cuda, reported, gpus, error));
  CHECK_FALSE(cuda);
  CHECK(reported == "Not Found");
  CHECK(gpus == 1);
}

TEST_CASE("a declaration compared with the GPUs names every mismatch with declared and found values") {
  CHECK(GpuMismatches(H100x8(), Devices("h100x8")).empty());

  std::vector<std::string> old = GpuMismatches(H100x8(), Devices("h100x8-driver-535"));
  REQUIRE(old.size() == 3);
  CHECK(old[0] == "declared driver v550.54.15, found v535.104.05 on GPUs 0-7");
  CHECK(old[1] == "driver v535.104.05 is older than v550.54.14, the minimum for CUDA v12.4 on GPUs 0-7");
  CHECK(old[2] == "declared CUDA v12.4, the driver supports CUDA up to v12.2 on GPUs 0-7");

  std::vector<std::string> one = GpuMismatches(H100x8(), Devices("h100x1"));
  REQUIRE(one.size() == 1);
  CHECK(one[0] == "declared 8 GPUs per node, found 1");

  DeclaredGpus a100 = H100x8();
  a100.model = "A100-80GB";
  a100.reported = {"NVIDIA A100-SXM4-80GB"};
  a100.count = 4;
  a100.mig = false;
  std::vector<std::string> mig = GpuMismatches(a100, Devices("a100x4-mig"));
  REQUIRE(mig.size() == 1);
  CHECK(mig[0] == "declared MIG disabled, found it enabled on GPUs 0, 1");

  // Memory: at least the declared size; a GiB figure just over what the
  // board reports gets a hint.
  DeclaredGpus gib = H100x8();
  gib.memory_bytes = int64_t{80} << 30;
  std::vector<std::string> memory = GpuMismatches(gib, Devices("h100x8"));
  REQUIRE(memory.size() == 1);
  CHECK(memory[0].starts_with("declared memory 80 GiB per GPU, found 81559 MiB ("));
  CHECK(memory[0].ends_with(" on GPUs 0-7"));

  DeclaredGpus h200 = H100x8();
  h200.model = "H200";
  h200.reported = {"NVIDIA H200"};
  h200.driver.reset();
  std::vector<std::string> model = GpuMismatches(h200, Devices("h100x8"));
  REQUIRE(model.size() == 1);
  CHECK(model[0] == "declared model H200, found \"NVIDIA H100 80GB HBM3\" on GPUs 0-7");

  std::vector<std::string> none = GpuMismatches(H100x8(), {});
  REQUIRE(none.size() == 1);
  CHECK(none[0] == "declared 8 H100 GPUs per node, found none (nvidia-smi lists no GPU)");
}

TEST_CASE("gpu.devices() and gpu.conforms() evaluate through nvidia-smi") {
  {
    FakeNvidiaSmi smi("h100x8");
    CHECK(EvaluateCheck(kConformsH100x8, 5000).passed);
    CHECK(EvaluateCheck("len(gpu.devices()) == 8", 5000).passed);
    CHECK(EvaluateCheck("gpu.devices()[7].index == 7 and gpu.devices()[0].memory >= 80 GB", 5000).passed);
    CHECK(EvaluateCheck("gpu.devices()[0].driver == v550.54.15 and gpu.devices()[0].cuda >= v12.4", 5000).passed);
    CHECK(EvaluateCheck("gpu.devices()[0].compute_capability == v9.0 and not gpu.devices()[0].mig", 5000).passed);
    CHECK(EvaluateCheck("gpu.devices()[0].name contains \"H100\" and gpu.devices()[0].uuid contains \"GPU-\"", 5000)
              .passed);
    CheckOutcome out_of_range = EvaluateCheck("gpu.devices()[8].index == 8", 5000);
    CHECK(out_of_range.unknown);
    CHECK(out_of_range.detail == "index 8 is out of range: the list has 8 items");
  }
  {
    FakeNvidiaSmi smi("h100x8-driver-535");
    CheckOutcome drift = EvaluateCheck(kConformsH100x8, 5000);
    CHECK_FALSE(drift.passed);
    CHECK_FALSE(drift.unknown);
    CHECK(drift.detail ==
          "the GPUs of this machine do not conform to `spark`; declared driver v550.54.15, found v535.104.05 on GPUs "
          "0-7; driver v535.104.05 is older than v550.54.14, the minimum for CUDA v12.4 on GPUs 0-7; declared CUDA "
          "v12.4, the driver supports CUDA up to v12.2 on GPUs 0-7");
  }
  {
    FakeNvidiaSmi smi("no-driver");
    CheckOutcome failed = EvaluateCheck(kConformsH100x8, 5000);
    CHECK_FALSE(failed.passed);
    CHECK(failed.unknown);
    CHECK(failed.detail.find("failed (exit code 9): NVIDIA-SMI has failed because it couldn't communicate with the "
                             "NVIDIA driver") != std::string::npos);
  }
  {
    FakeNvidiaSmi smi("no-nvml");
    CheckOutcome failed = EvaluateCheck("len(gpu.devices()) > 0", 5000);
    CHECK(failed.unknown);
    CHECK(failed.detail.find("(exit code 12): NVIDIA-SMI couldn't find libnvidia-ml.so") != std::string::npos);
  }
  std::string path = std::getenv("PATH");
  setenv("PATH", "/nonexistent", 1);
  CheckOutcome missing = EvaluateCheck("len(gpu.devices()) > 0", 5000);
  setenv("PATH", path.c_str(), 1);
  CHECK(missing.unknown);
  CHECK(missing.detail.find("nvidia-smi is not on PATH") != std::string::npos);
}
