#include <cstdio>

#include "service.hpp"

namespace iocpsim::hostd {

int run_as_service(const std::function<int()>& /*body*/) {
  std::fprintf(stderr, "hostd: --service exists only in the Windows build; run it in the console\n");
  return -1;
}

void service_draining() {}

}  // namespace iocpsim::hostd
