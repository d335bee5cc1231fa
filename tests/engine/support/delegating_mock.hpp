// A MockIoApi whose every call, unless a test says otherwise, goes to a real backend. Tests then
// put exact, ordered expectations on just the calls whose order matters.
#pragma once

#include <gmock/gmock.h>

#include <memory>

#include "iocpsim/iocp/io_api_backend.hpp"
#include "iocpsim/iocp/testing/mock_io_api.hpp"

namespace iocpsim::engine::testing {

class DelegatingMock : public ::testing::NiceMock<iocp::testing::MockIoApi> {
 public:
  DelegatingMock() : real_(iocp::make_default_io_api()) {
    using ::testing::_;
    iocp::IoApi& r = *real_;
#define IOCPSIM_DELEGATE(name, ...) \
  ON_CALL(*this, name(__VA_ARGS__)).WillByDefault([&r](auto... a) { return r.name(a...); })
    IOCPSIM_DELEGATE(CreateIoCompletionPort, _, _, _, _);
    IOCPSIM_DELEGATE(GetQueuedCompletionStatus, _, _, _, _, _);
    IOCPSIM_DELEGATE(GetQueuedCompletionStatusEx, _, _, _, _, _, _);
    IOCPSIM_DELEGATE(PostQueuedCompletionStatus, _, _, _, _);
    IOCPSIM_DELEGATE(CloseHandle, _);
    IOCPSIM_DELEGATE(SetFileCompletionNotificationModes, _, _);
    IOCPSIM_DELEGATE(CancelIoEx, _, _);
    IOCPSIM_DELEGATE(GetLastError);
    IOCPSIM_DELEGATE(SetLastError, _);
    IOCPSIM_DELEGATE(WSAGetLastError);
    IOCPSIM_DELEGATE(WSASetLastError, _);
    IOCPSIM_DELEGATE(socket, _, _, _);
    IOCPSIM_DELEGATE(bind, _, _, _);
    IOCPSIM_DELEGATE(listen, _, _);
    IOCPSIM_DELEGATE(closesocket, _);
    IOCPSIM_DELEGATE(shutdown, _, _);
    IOCPSIM_DELEGATE(setsockopt, _, _, _, _, _);
    IOCPSIM_DELEGATE(getsockopt, _, _, _, _, _);
    IOCPSIM_DELEGATE(getsockname, _, _, _);
    IOCPSIM_DELEGATE(getpeername, _, _, _);
    IOCPSIM_DELEGATE(accept, _, _, _);
    IOCPSIM_DELEGATE(connect, _, _, _);
    IOCPSIM_DELEGATE(send, _, _, _, _);
    IOCPSIM_DELEGATE(recv, _, _, _, _);
    IOCPSIM_DELEGATE(AcceptEx, _, _, _, _, _, _, _, _);
    IOCPSIM_DELEGATE(ConnectEx, _, _, _, _, _, _, _);
    IOCPSIM_DELEGATE(WSARecv, _, _, _, _, _, _, _);
    IOCPSIM_DELEGATE(WSASend, _, _, _, _, _, _, _);
    IOCPSIM_DELEGATE(WSAGetOverlappedResult, _, _, _, _, _);
#undef IOCPSIM_DELEGATE
  }

 private:
  std::unique_ptr<iocp::IoApi> real_;
};

}  // namespace iocpsim::engine::testing
