#include "runtime/probe/gpu.h"

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <map>
#include <memory>

#include "compiler/eval/convert.h"
#include "compiler/eval/value.h"
#include "runtime/exec/process.h"

namespace sparkc::runtime {
namespace {

// Comma-separated, as nvidia-smi writes it: ", " between fields, a field in
// double quotes when it holds a comma or a quote ("" inside). RFC 4180.
bool SplitCsvLine(std::string_view line, std::vector<std::string>& fields, std::string& error) {
  fields.clear();
  size_t k = 0;
  while (true) {
    while (k < line.size() && line[k] == ' ') ++k;
    std::string field;
    if (k < line.size() && line[k] == '"') {
      for (++k;; ++k) {
        if (k >= line.size()) {
          error = "a quoted field is not closed";
          return false;
        }
        if (line[k] != '"') field += line[k];
        else if (k + 1 < line.size() && line[k + 1] == '"') field += line[++k];
        else break;
      }
      ++k;
      while (k < line.size() && line[k] == ' ') ++k;
      if (k < line.size() && line[k] != ',') {
        error = "text after a quoted field";
        return false;
      }
    } else {
      size_t comma = line.find(',', k);
      field = convert::Trim(line.substr(k, comma == std::string_view::npos ? std::string_view::npos : comma - k));
      k = comma == std::string_view::npos ? line.size() : comma;
    }
    fields.push_back(std::move(field));
    if (k >= line.size()) return true;
    ++k;  // the comma
  }
}

bool NotAvailable(const std::string& field) { return field.size() > 1 && field.front() == '[' && field.back() == ']'; }

bool ReadVersion(const std::string& text, GpuVersion& out, std::string& error) {
  return convert::ToVersion(text, out.parts, out.text, error);
}

// "0-7", "0, 2, 5": the GPUs a mismatch concerns.
std::string Indices(const std::vector<int64_t>& indices) {
  bool contiguous = indices.size() > 2;
  for (size_t k = 1; k < indices.size(); ++k) contiguous &= indices[k] == indices[k - 1] + 1;
  if (contiguous) return fmt::format("GPUs {}-{}", indices.front(), indices.back());
  std::string out = indices.size() == 1 ? "GPU " : "GPUs ";
  for (size_t k = 0; k < indices.size(); ++k) out += (k ? ", " : "") + std::to_string(indices[k]);
  return out;
}

std::string Head(std::string_view text) {
  std::string line = convert::Trim(text.substr(0, text.find('\n')));
  return line.size() > 200 ? line.substr(0, 200) + "..." : line;
}

std::string Joined(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

bool Run(const std::vector<std::string>& argv, int64_t timeout_ms, const std::atomic<bool>* abandon,
         std::string& out, std::string& error) {
  ProcessSpec spec;
  spec.argv = argv;
  spec.timeout_ms = timeout_ms;
  spec.output_cap = 16 << 20;  // the XML of eight boards with MIG is some 300 KB
  ProcessResult r = RunProcess(spec, abandon);
  if (r.cancelled) {
    error = "abandoned: a second signal stopped the probe";
    return false;
  }
  if (!r.started) {
    error = fmt::format("gpu.devices(): {} (no NVIDIA driver on this machine, or nvidia-smi is not on PATH)",
                        r.Summary());
    return false;
  }
  if (r.timed_out) {
    error = fmt::format("gpu.devices(): `{}` did not answer: {} (is the driver hung?)", Joined(argv), r.Summary());
    return false;
  }
  if (!r.ok()) {
    // nvidia-smi writes its reasons to standard output.
    std::string said = Head(r.out.empty() ? r.err : r.out);
    error = fmt::format("gpu.devices(): `{}` failed ({}){}", Joined(argv), r.Summary(),
                        said.empty() ? "" : ": " + said);
    return false;
  }
  if (r.truncated) {
    error = fmt::format("gpu.devices(): `{}` printed more than {} MiB", Joined(argv), spec.output_cap >> 20);
    return false;
  }
  out = std::move(r.out);
  return true;
}

std::string ElementText(xmlNode* node) {
  std::unique_ptr<xmlChar, decltype(xmlFree)> text(xmlNodeGetContent(node), xmlFree);
  return text ? convert::Trim(reinterpret_cast<const char*>(text.get())) : "";
}

}  // namespace

const std::vector<std::string>& GpuQueryCommand() {
  static const std::vector<std::string> argv = {
      "nvidia-smi", "--query-gpu=index,uuid,name,memory.total,driver_version,compute_cap,mig.mode.current",
      "--format=csv,noheader,nounits"};
  return argv;
}

const std::vector<std::string>& GpuXmlCommand() {
  static const std::vector<std::string> argv = {"nvidia-smi", "-q", "-x"};
  return argv;
}

bool ParseGpuQuery(const std::string& csv, std::vector<GpuDevice>& devices, std::string& error) {
  devices.clear();
  std::vector<std::string> lines = convert::Lines(csv), fields;
  for (size_t n = 0; n < lines.size(); ++n) {
    if (convert::Trim(lines[n]).empty()) continue;
    auto fail = [&](const std::string& why) {
      error = fmt::format("line {} of nvidia-smi's query ({}): {}", n + 1, Head(lines[n]), why);
      return false;
    };
    std::string why;
    if (!SplitCsvLine(lines[n], fields, why)) return fail(why);
    if (fields.size() != 7) return fail(fmt::format("expected 7 fields, found {}", fields.size()));
    GpuDevice d;
    if (!convert::ToInt(fields[0], d.index, why)) return fail("the index: " + why);
    d.uuid = fields[1];
    d.name = fields[2];
    int64_t mib = 0;
    if (!convert::ToInt(fields[3], mib, why) || mib < 0 || mib > (INT64_MAX >> 20))
      return fail("memory.total (MiB): " + (why.empty() ? "out of range" : why));
    d.memory_bytes = mib << 20;
    if (!ReadVersion(fields[4], d.driver, why)) return fail("driver_version: " + why);
    if (!NotAvailable(fields[5])) {
      GpuVersion cc;
      if (!ReadVersion(fields[5], cc, why)) return fail("compute_cap: " + why);
      d.compute_capability = cc;
    }
    if (fields[6] != "Enabled" && fields[6] != "Disabled" && !NotAvailable(fields[6]))
      return fail(fmt::format("mig.mode.current: expected Enabled, Disabled or [N/A], found \"{}\"", fields[6]));
    d.mig = fields[6] == "Enabled";
    devices.push_back(std::move(d));
  }
  return true;
}

bool ParseGpuXml(const std::string& xml, std::optional<GpuVersion>& cuda, std::string& reported, size_t& gpus,
                 std::string& error) {
  // No network, no DTD loaded, no entities substituted: the document is only read.
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "nvidia-smi.xml", nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
      &xmlFreeDoc);
  if (!doc) {
    const xmlError* e = xmlGetLastError();
    error = e != nullptr ? fmt::format("nvidia-smi's XML does not parse: line {}: {}", e->line,
                                       convert::Trim(e->message != nullptr ? e->message : ""))
                         : "nvidia-smi's XML does not parse";
    return false;
  }
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr || xmlStrcmp(root->name, BAD_CAST "nvidia_smi_log") != 0) {
    error = "nvidia-smi's XML has no <nvidia_smi_log> element";
    return false;
  }
  cuda.reset();
  reported.clear();
  gpus = 0;
  bool seen = false;
  for (xmlNode* child = root->children; child != nullptr; child = child->next) {
    if (child->type != XML_ELEMENT_NODE) continue;
    if (xmlStrcmp(child->name, BAD_CAST "gpu") == 0) ++gpus;
    if (xmlStrcmp(child->name, BAD_CAST "cuda_version") != 0) continue;
    seen = true;
    reported = ElementText(child);
    GpuVersion v;
    std::string why;
    if (ReadVersion(reported, v, why)) cuda = v;
  }
  if (!seen) reported = "no <cuda_version>";
  return true;
}

bool ReadGpuDevices(int64_t timeout_ms, const std::atomic<bool>* abandon, std::vector<GpuDevice>& devices,
                    std::string& error) {
  std::string csv, xml, why;
  auto started = std::chrono::steady_clock::now();
  if (!Run(GpuQueryCommand(), timeout_ms, abandon, csv, error)) return false;
  if (!ParseGpuQuery(csv, devices, why)) {
    error = "gpu.devices(): " + why;
    return false;
  }
  auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  int64_t left = std::max<int64_t>(1, timeout_ms - spent.count());
  if (!Run(GpuXmlCommand(), left, abandon, xml, error)) return false;
  std::optional<GpuVersion> cuda;
  std::string reported;
  size_t gpus = 0;
  if (!ParseGpuXml(xml, cuda, reported, gpus, why)) {
    error = "gpu.devices(): " + why;
    return false;
  }
  if (gpus != devices.size()) {
    error = fmt::format("gpu.devices(): nvidia-smi's query lists {} GPUs and its XML {} (a GPU fell off the bus "
                        "between the two?)", devices.size(), gpus);
    return false;
  }
  for (GpuDevice& d : devices) {
    d.cuda = cuda;
    d.cuda_reported = reported;
  }
  return true;
}

std::vector<std::string> GpuMismatches(const DeclaredGpus& declared, const std::vector<GpuDevice>& devices) {
  std::vector<std::string> out;
  if (devices.empty()) {
    out.push_back(fmt::format("declared {} {} GPU{} per node, found none (nvidia-smi lists no GPU)",
                              declared.count, declared.model, declared.count == 1 ? "" : "s"));
    return out;
  }
  if (static_cast<int64_t>(devices.size()) != declared.count)
    out.push_back(fmt::format("declared {} GPU{} per node, found {}", declared.count, declared.count == 1 ? "" : "s",
                              devices.size()));
  // One line per kind of difference, naming every GPU it concerns.
  std::vector<std::pair<std::string, std::vector<int64_t>>> grouped;
  auto note = [&](std::string message, int64_t index) {
    for (auto& [text, indices] : grouped)
      if (text == message) {
        indices.push_back(index);
        return;
      }
    grouped.push_back({std::move(message), {index}});
  };
  for (const GpuDevice& d : devices) {
    if (std::find(declared.reported.begin(), declared.reported.end(), d.name) == declared.reported.end())
      note(fmt::format("declared model {}, found \"{}\"", declared.model, d.name), d.index);
    if (d.memory_bytes < declared.memory_bytes) {
      // nvidia-smi reports what the driver can use, a little under the
      // board's size in GiB: 81559 MiB for an "80 GB" H100.
      bool near = d.memory_bytes >= declared.memory_bytes / 100 * 90;
      note(fmt::format("declared memory {} per GPU, found {}{}", eval::ShowQuantity(Dimension::Size, declared.memory_bytes),
                       eval::ShowQuantity(Dimension::Size, d.memory_bytes),
                       near ? " (a board reports a little less than its size in GiB; declare NVIDIA's figure in GB, "
                              "as std.gpu.model(NAME).memory does)"
                            : ""),
           d.index);
    }
    if (declared.driver && convert::CompareVersions(d.driver.parts, declared.driver->parts) != 0)
      note(fmt::format("declared driver {}, found {}", declared.driver->text, d.driver.text), d.index);
    if (declared.min_driver && declared.cuda && convert::CompareVersions(d.driver.parts, declared.min_driver->parts) < 0)
      note(fmt::format("driver {} is older than {}, the minimum for CUDA {}", d.driver.text, declared.min_driver->text,
                       declared.cuda->text),
           d.index);
    if (declared.cuda && !d.cuda)
      note(fmt::format("declared CUDA {}, nvidia-smi reports no CUDA version (\"{}\": is libcuda installed?)",
                       declared.cuda->text, d.cuda_reported),
           d.index);
    if (declared.cuda && d.cuda && convert::CompareVersions(d.cuda->parts, declared.cuda->parts) < 0)
      note(fmt::format("declared CUDA {}, the driver supports CUDA up to {}", declared.cuda->text, d.cuda->text),
           d.index);
    if (declared.mig && *declared.mig != d.mig)
      note(fmt::format("declared MIG {}, found it {}", *declared.mig ? "enabled" : "disabled",
                       d.mig ? "enabled" : "disabled"),
           d.index);
  }
  for (const auto& [text, indices] : grouped) out.push_back(fmt::format("{} on {}", text, Indices(indices)));
  return out;
}

}  // namespace sparkc::runtime
