#include "compiler/diagnostics/github.h"

#include <fmt/format.h>

#include "compiler/source/source.h"

namespace sparkc {
namespace {

std::string Escaped(std::string_view text, bool property) {
  std::string out;
  for (char c : text) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else if (property && c == ':') out += "%3A";
    else if (property && c == ',') out += "%2C";
    // What a step printed cannot drive the log viewer's terminal emulation.
    else if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    else out += c;
  }
  return out;
}

}  // namespace

std::string GithubCommand(std::string_view level,
                          const std::vector<std::pair<std::string, std::string>>& properties,
                          std::string_view message) {
  std::string line = "::" + std::string(level);
  for (size_t k = 0; k < properties.size(); ++k)
    line += (k == 0 ? " " : ",") + properties[k].first + "=" + Escaped(ValidUtf8(properties[k].second), true);
  while (!message.empty() && message.back() == '\n') message.remove_suffix(1);
  return line + "::" + Escaped(ValidUtf8(message), false) + "\n";
}

}  // namespace sparkc
