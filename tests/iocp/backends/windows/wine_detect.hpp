// Whether this Windows program runs under Wine (checked at run time).
#pragma once

namespace iocpsim::iocp::testing {

bool running_under_wine();

}  // namespace iocpsim::iocp::testing
