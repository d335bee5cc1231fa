#include "iocpsim/protocol/messages.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace iocpsim::protocol {
namespace {

TEST(MessagesTest, TypeOfNamesEveryAlternativeOfTheVariant) {
  EXPECT_EQ(type_of(Hello{}), MessageType::hello);
  EXPECT_EQ(type_of(HelloAck{}), MessageType::hello_ack);
  EXPECT_EQ(type_of(Heartbeat{}), MessageType::heartbeat);
  EXPECT_EQ(type_of(HeartbeatAck{}), MessageType::heartbeat_ack);
  EXPECT_EQ(type_of(Command{}), MessageType::command);
  EXPECT_EQ(type_of(Response{}), MessageType::response);
  EXPECT_EQ(type_of(Telemetry{}), MessageType::telemetry);
  EXPECT_EQ(type_of(Event{}), MessageType::event);
  EXPECT_EQ(type_of(Bye{}), MessageType::bye);
  EXPECT_EQ(type_of(Error{}), MessageType::error);
}

TEST(MessagesTest, IsKnownAcceptsExactlyTheTenTypeCodes) {
  const std::set<int> codes = {0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x20, 0x30, 0x40, 0x7F};
  for (int b = 0; b < 256; ++b) {
    EXPECT_EQ(is_known(static_cast<std::uint8_t>(b)), codes.count(b) == 1) << "type byte " << b;
  }
}

TEST(MessagesTest, ToStringNamesEachTypeAndCallsTheRestUnknown) {
  EXPECT_STREQ(to_string(MessageType::hello), "hello");
  EXPECT_STREQ(to_string(MessageType::hello_ack), "hello_ack");
  EXPECT_STREQ(to_string(MessageType::heartbeat), "heartbeat");
  EXPECT_STREQ(to_string(MessageType::heartbeat_ack), "heartbeat_ack");
  EXPECT_STREQ(to_string(MessageType::command), "command");
  EXPECT_STREQ(to_string(MessageType::response), "response");
  EXPECT_STREQ(to_string(MessageType::telemetry), "telemetry");
  EXPECT_STREQ(to_string(MessageType::event), "event");
  EXPECT_STREQ(to_string(MessageType::bye), "bye");
  EXPECT_STREQ(to_string(MessageType::error), "error");
  EXPECT_STREQ(to_string(static_cast<MessageType>(0x55)), "unknown");
}

}  // namespace
}  // namespace iocpsim::protocol
