// The host engine: one completion port, N workers, one session per device.
//
// Embedding: construct with an IoApi, a Clock and an EventLog, start(), add devices, receive
// telemetry/events/state changes through Callbacks, send commands, and shutdown() at the end.
// Callbacks run on worker threads, never with an engine lock held, so they may call back into
// the engine (send_command to any device) — but not shutdown(), which joins the workers. One
// device's callbacks arrive one at a time, in the order the engine decided them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "iocpsim/engine/event_log.hpp"
#include "iocpsim/iocp/clock.hpp"
#include "iocpsim/iocp/io_api.hpp"

namespace iocpsim::engine {

enum class SessionState : std::uint8_t {
  backoff,      // waiting before the next connect attempt
  connecting,   // ConnectEx pending
  handshaking,  // HELLO sent, waiting for HELLO_ACK
  ready,        // telemetry flows, commands accepted
  closing,      // connection being torn down, completions still owed
  stopped,      // removed or engine shut down
};
const char* to_string(SessionState s) noexcept;

// What a configuration file may set of DeviceConfig and EngineOptions, and in which range, is the
// table of option_table.hpp; a member a file should set needs its row there.
struct DeviceConfig {
  std::string name;                // unique; names the device in every event
  std::string host = "127.0.0.1";  // IPv4 literal
  std::uint16_t port = 0;
  std::uint32_t connect_timeout_ms = 5'000;
  std::uint32_t handshake_timeout_ms = 5'000;
  std::uint32_t heartbeat_interval_ms = 1'000;  // send a heartbeat after this long without sending
  std::uint32_t heartbeat_timeout_ms = 3'000;   // the device must answer within this
  // What a device may ask for in HELLO_ACK is held within these (a 1 ms heartbeat would flood
  // both sides); the session then uses the shorter of that and heartbeat_interval_ms.
  std::uint32_t heartbeat_interval_min_ms = 50;
  std::uint32_t heartbeat_interval_max_ms = 60'000;
  std::uint32_t stall_timeout_ms = 10'000;  // no bytes received for this long: a stall
  // Bytes waiting to go out and none moved for this long (the queue full, or a send that does
  // not complete): the peer does not read. 0: never checked.
  std::uint32_t send_stall_timeout_ms = 10'000;
  std::uint32_t backoff_initial_ms = 100;
  std::uint32_t backoff_max_ms = 30'000;
  // A session that completed its handshake resets the backoff only if it then lived this long:
  // a device that handshakes and misbehaves at once is not redialled at the initial delay
  // forever. 0: every handshake resets it.
  std::uint32_t backoff_reset_after_ms = 5'000;
  double backoff_jitter = 0.2;               // +/- fraction, drawn from the seeded source
  std::uint32_t command_timeout_ms = 5'000;  // default per command
  std::size_t commands_in_flight_max = 16;
  std::size_t send_queue_max_bytes = 256 * 1024;
  std::uint8_t version_min = 1;
  std::uint8_t version_max = 1;
  std::uint32_t capabilities = 0x7;
  bool reconnect = true;
};

// Why add_device() would refuse a configuration: each problem names the DeviceConfig field and
// says what is wrong, so a configuration checker (hostd --check) refuses what the run would.
struct ConfigProblem {
  std::string field;
  std::string what;
};
std::vector<ConfigProblem> device_config_problems(const DeviceConfig& config);

// R9b: whether the engine sets FILE_SKIP_COMPLETION_PORT_ON_SUCCESS on its sockets, so that an
// operation that completes at once is handled by the worker that issued it and queues no packet.
// It is only safe where the socket provider honours the mode: a provider that queues a packet
// anyway (a non-IFS layered provider on Windows) would have that packet handled as a second
// completion.
enum class CompletionSkip : std::uint8_t {
  never,        // every completion comes through the port
  always,       // set on every socket, unchecked
  if_honoured,  // start() tries it on a loopback pair first and sets it only if no packet came
};
const char* to_string(CompletionSkip s) noexcept;
// "never", "always" or "if_honoured"; false for anything else (`out` untouched).
bool from_string(std::string_view text, CompletionSkip& out) noexcept;
// The setting as configuration files write it: one of the names, or true/false for
// always/never; false for anything else (`out` untouched). kCompletionSkipForms says so in errors.
bool completion_skip_from_json(const nlohmann::json& value, CompletionSkip& out);
inline constexpr const char* kCompletionSkipForms = "\"never\", \"always\", \"if_honoured\", true or false";

struct EngineOptions {
  // The bounds of workers and dequeue_batch (option_table.cpp's range for each).
  static constexpr unsigned kWorkersMax = 64;
  static constexpr std::uint32_t kDequeueBatchMax = 1024;

  unsigned workers = 2;              // 1 .. kWorkersMax
  std::uint32_t dequeue_batch = 64;  // entries per GetQueuedCompletionStatusEx, 1 .. kDequeueBatchMax
  CompletionSkip skip_completion_port_on_success = CompletionSkip::if_honoured;
  std::string host_id = "iocpsim-host";
  std::uint32_t shutdown_timeout_ms = 2'000;  // BYE + half-close wait before cancelling
  std::uint32_t drain_ceiling_ms = 10'000;    // real-time safety valve for the final drain
  std::size_t frame_max_bytes = 64 * 1024;
  std::size_t receive_buffer_bytes = 64 * 1024;
  std::uint64_t seed = 1;  // backoff jitter
  // Events a device can cause once per frame it sends (send_queue_full, unexpected_message,
  // telemetry_gap, late_reply, unknown_reply) are written at most this many times per device,
  // name and window; the rest are counted and reported in one events_suppressed.
  std::uint32_t event_burst_max = 10;
  std::uint32_t event_window_ms = 1'000;
  // add_device() refuses more devices than this (each holds a socket and a receive buffer of
  // receive_buffer_bytes while connected).
  std::size_t devices_max = 4'096;
};

struct TelemetrySample {
  std::uint16_t channel = 0;
  std::uint32_t channel_seq = 0;
  std::uint64_t timestamp_us = 0;
  std::span<const std::uint8_t> samples;  // valid during the callback only
};

struct DeviceEvent {
  std::uint32_t event_id = 0;
  std::uint8_t severity = 0;
  std::uint16_t code = 0;
  std::uint64_t timestamp_us = 0;
  std::string_view text;  // valid during the callback only
};

enum class CommandOutcome : std::uint8_t { ok, device_status, timeout, connection_lost, shutdown };
const char* to_string(CommandOutcome o) noexcept;

struct CommandResult {
  CommandOutcome outcome = CommandOutcome::ok;
  std::uint16_t status = 0;            // the device's status when it answered
  std::span<const std::uint8_t> data;  // valid during the callback only
};
using CommandCallback = std::function<void(const CommandResult&)>;

enum class Submit : std::uint8_t {
  accepted,
  queue_full,  // the send queue has no room for the frame: nothing was queued
  too_many_in_flight,
  not_ready,  // no session (connecting, backing off, closing)
  unknown_device,
  shutting_down,
};
const char* to_string(Submit s) noexcept;

struct Callbacks {
  std::function<void(const std::string& device, const TelemetrySample&)> on_telemetry;
  std::function<void(const std::string& device, const DeviceEvent&)> on_device_event;
  std::function<void(const std::string& device, SessionState from, SessionState to)> on_state;
  // Runs inline, on the thread that created the device's socket, before any I/O is issued on
  // it (a test harness tags it for the fault shim). It must not call into the engine.
  std::function<void(const std::string& device, SOCKET s)> on_socket;
};

struct ShutdownReport {
  bool drained_politely = false;  // every connection closed before the timeout
  std::size_t leaked_op_contexts = 0;
  std::size_t leaked_connection_contexts = 0;
  unsigned workers_joined = 0;
};

class Engine {
 public:
  // All engine time is read from `clock`; backoff jitter comes from a SeededRandom(options.seed).
  Engine(iocp::IoApi& io, const iocp::Clock& clock, EventLog& log, EngineOptions options = {},
         Callbacks callbacks = {});
  ~Engine();  // shuts down if still running
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  bool start();  // creates the port and the workers; false (and an event) on failure
  // What start() decided for EngineOptions::skip_completion_port_on_success.
  bool skips_completion_port_on_success() const;

  // False if the name is taken, devices_max are there already, or device_config_problems()
  // finds something (device_rejected says which).
  bool add_device(DeviceConfig config);
  bool remove_device(const std::string& name);
  SessionState state(const std::string& name) const;

  // Queues a COMMAND; `done` runs exactly once if the answer is `accepted`, never otherwise.
  Submit send_command(const std::string& device, std::uint16_t opcode, std::span<const std::uint8_t> data,
                      std::uint32_t timeout_ms, CommandCallback done);

  // Posts a wake-up packet: a worker re-reads the clock and runs due timers. Call after
  // advancing an iocp::ManualClock.
  void wake();

  void begin_shutdown();
  ShutdownReport wait_shutdown();
  ShutdownReport shutdown() {
    begin_shutdown();
    return wait_shutdown();
  }

  std::size_t live_op_contexts() const;
  std::size_t live_connection_contexts() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace iocpsim::engine
