// The allocator's settings, applied first thing in main(). With mimalloc
// linked (SPARKC_MIMALLOC, the default outside sanitizer builds) every
// malloc in the process is mimalloc's; 2 MiB pages take the page faults of a
// large compile from a third of its time to a few percent.
#pragma once

#include <cstdlib>

#ifdef SPARKC_MIMALLOC
#include <mimalloc.h>
#endif

namespace sparkc {

inline void ConfigureAllocator() {
#ifdef SPARKC_MIMALLOC
  // The user's MIMALLOC_LARGE_OS_PAGES, when set, wins.
  if (std::getenv("MIMALLOC_LARGE_OS_PAGES") == nullptr) mi_option_set_enabled(mi_option_large_os_pages, true);
#endif
}

}  // namespace sparkc
