// The GPUs of the machine a probe runs on, from nvidia-smi's machine-readable
// interfaces: the CSV of `--query-gpu` for each board and the XML of `-q -x`
// for the CUDA version the driver supports (the query has no field for it).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sparkc::runtime {

// A version as nvidia-smi prints it ("550.54.15"), split for comparison.
struct GpuVersion {
  std::vector<int64_t> parts;
  std::string text;  // with the language's leading `v`: "v550.54.15"
};

struct GpuDevice {
  int64_t index = 0;
  std::string uuid;
  std::string name;  // as nvidia-smi reports it: "NVIDIA H100 80GB HBM3"
  int64_t memory_bytes = 0;
  GpuVersion driver;
  std::optional<GpuVersion> cuda;  // none when nvidia-smi says "Not Found" (no libcuda)
  std::string cuda_reported;       // what it said instead, for the message
  bool mig = false;                // MIG mode currently enabled
  std::optional<GpuVersion> compute_capability;
};

// The two commands sparkc runs; the documentation and the fixtures show them.
const std::vector<std::string>& GpuQueryCommand();
const std::vector<std::string>& GpuXmlCommand();

// Parsers of the two outputs, separate so that tests can feed them real
// captures. False with `error` naming the line or element that is wrong.
bool ParseGpuQuery(const std::string& csv, std::vector<GpuDevice>& devices, std::string& error);
// The top-level <cuda_version> (or nullopt, with `reported` set) and the
// number of <gpu> elements, which must match the query's.
bool ParseGpuXml(const std::string& xml, std::optional<GpuVersion>& cuda, std::string& reported, size_t& gpus,
                 std::string& error);

// Runs both commands within `timeout_ms`. No nvidia-smi, a driver that does
// not answer, output that does not parse: false with a message that says which.
bool ReadGpuDevices(int64_t timeout_ms, const std::atomic<bool>* abandon, std::vector<GpuDevice>& devices,
                    std::string& error);

// What a `hardware` block declares about its GPUs; unset fields are not
// compared.
struct DeclaredGpus {
  std::string model;                  // the stdlib catalogue's name: "H100"
  std::vector<std::string> reported;  // the names nvidia-smi reports for it
  int64_t count = 0;                  // per node
  int64_t memory_bytes = 0;           // per GPU, at least
  std::optional<GpuVersion> driver;   // exactly (drift is the point of §1.3)
  std::optional<GpuVersion> cuda;     // the driver supports at least this CUDA
  std::optional<GpuVersion> min_driver;  // the stdlib's minimum driver for `cuda`
  std::optional<bool> mig;
};

// Each way the devices differ from the declaration, with the declared and the
// found value and the GPUs it concerns; empty when they conform.
std::vector<std::string> GpuMismatches(const DeclaredGpus& declared, const std::vector<GpuDevice>& devices);

}  // namespace sparkc::runtime
