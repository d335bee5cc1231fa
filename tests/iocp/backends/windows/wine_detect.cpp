// Wine's ntdll exports wine_get_version; Windows' does not.
#include "wine_detect.hpp"

#include "iocpsim/iocp/win32.hpp"

namespace iocpsim::iocp::testing {

bool running_under_wine() {
  const HMODULE ntdll = ::GetModuleHandleA("ntdll.dll");
  return ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

}  // namespace iocpsim::iocp::testing
