#include "iocpsim/iocp/win32.hpp"
#include "platform.hpp"

namespace iocpsim::engine::testing {

// Wine's ntdll exports wine_get_version; Windows' does not.
bool running_under_wine() {
  const HMODULE ntdll = GetModuleHandleA("ntdll.dll");
  return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

}  // namespace iocpsim::engine::testing
