#include "compiler/source/color.h"

#include <atomic>

namespace sparkc {
namespace {

std::atomic<bool> g_color[2] = {false, false};

const char* Code(Paint paint) {
  switch (paint) {
    case Paint::Error: case Paint::Fail: return "\033[1;31m";
    case Paint::Warning: case Paint::Wait: return "\033[1;33m";
    case Paint::Note: return "\033[1;36m";
    case Paint::Help: case Paint::Ok: return "\033[32m";
    case Paint::Undo: return "\033[35m";
    case Paint::Dim: return "\033[2m";
    case Paint::Bold: return "\033[1m";
  }
  return "";
}

}  // namespace

void SetColor(Stream stream, bool on) { g_color[static_cast<int>(stream)].store(on); }
bool ColorOn(Stream stream) { return g_color[static_cast<int>(stream)].load(); }

std::string Painted(Stream stream, Paint paint, std::string_view text) {
  if (!ColorOn(stream) || text.empty()) return std::string(text);
  return Code(paint) + std::string(text) + "\033[0m";
}

}  // namespace sparkc
