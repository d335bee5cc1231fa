// One step of a device script, and what a step may act on. Each step kind lives in its own file
// under src/steps/ and registers itself with the StepRegistry (step_registry.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "iocpsim/devsim/action.hpp"
#include "iocpsim/devsim/clock.hpp"
#include "iocpsim/devsim/model.hpp"

namespace iocpsim::devsim {

// The device as a step sees it. Implemented by Device; tests may implement it too.
class StepContext {
 public:
  virtual ~StepContext() = default;
  virtual DeviceTime now() const = 0;
  // Asks to be polled again no later than `t` (events may poll it earlier).
  virtual void wake_at(DeviceTime t) = 0;
  virtual DeviceModel& model() = 0;
  virtual Rng& rng() = 0;
  virtual bool connected() const = 0;
  virtual bool reading() const = 0;
  virtual void connection(ConnectionOp op) = 0;
  virtual void set_listen_mode(ListenMode mode) = 0;
  virtual void reset_next_connections(std::uint32_t count) = 0;
  // Refuses the next `count` connection attempts, then accepts again (the transport counts them).
  virtual void refuse_next_connections(std::uint32_t count) = 0;
  virtual std::uint32_t refusals_left() const = 0;
  // Why the transport could not count refused attempts ("" while it can).
  virtual const std::string& refusal_counting_error() const = 0;
  virtual bool peer_closed() const = 0;  // the last connection was closed or lost by the peer
  // Index of the first received frame no expect step has looked past yet.
  virtual std::size_t& expect_cursor() = 0;
  virtual void log(nlohmann::json event) = 0;
};

struct StepStatus {
  enum Kind : std::uint8_t { done, waiting, failed };
  Kind kind = done;
  std::string reason;  // why it failed

  static StepStatus finished() { return {done, {}}; }
  static StepStatus wait() { return {waiting, {}}; }
  static StepStatus fail(std::string why) { return {failed, std::move(why)}; }
};

class Step {
 public:
  virtual ~Step() = default;
  // A step that needs a connection is started only once one is up.
  virtual bool needs_connection() const { return true; }
  // Starts (or restarts, inside a repeat) the step.
  virtual void start(StepContext& ctx) = 0;
  // Called after start() and on every later event until it returns done or failed.
  virtual StepStatus poll(StepContext& ctx) = 0;

  const std::string& kind() const noexcept { return kind_; }
  const std::string& path() const noexcept { return path_; }
  void set_origin(std::string kind, std::string path) {
    kind_ = std::move(kind);
    path_ = std::move(path);
  }

 private:
  std::string kind_;
  std::string path_;
};

// A step that acts once, when it starts, and is then done.
class InstantStep : public Step {
 public:
  void start(StepContext& ctx) final { run(ctx); }
  StepStatus poll(StepContext&) final { return StepStatus::finished(); }

 protected:
  virtual void run(StepContext& ctx) = 0;
};

// A step that writes once, as soon as the send queue has room for what it writes (SendQueueConfig): while the host does
// not read, the step waits instead of growing the queue.
class SendOnceStep : public Step {
 public:
  void start(StepContext&) final {}
  StepStatus poll(StepContext& ctx) final {
    if (!ctx.model().can_send(bytes_to_send(ctx), path())) return StepStatus::wait();
    run(ctx);
    return StepStatus::finished();
  }

 protected:
  virtual std::size_t bytes_to_send(StepContext& ctx) const = 0;
  virtual void run(StepContext& ctx) = 0;
};

// A step that acts when it starts, waits `duration_ms` of device time, then acts again.
class TimedStep : public Step {
 public:
  explicit TimedStep(std::uint64_t duration_ms) : duration_ms_(duration_ms) {}
  void start(StepContext& ctx) final {
    until_ = ctx.now() + std::chrono::milliseconds(duration_ms_);
    begin(ctx);
  }
  StepStatus poll(StepContext& ctx) final {
    if (ctx.now() < until_) {
      ctx.wake_at(until_);
      return StepStatus::wait();
    }
    end(ctx);
    return StepStatus::finished();
  }

 protected:
  virtual void begin(StepContext&) {}
  virtual void end(StepContext&) {}

 private:
  std::uint64_t duration_ms_;
  DeviceTime until_{};
};

// A step that waits until a condition holds, failing after `within_ms` of device time.
class ConditionStep : public Step {
 public:
  explicit ConditionStep(std::uint64_t within_ms) : within_ms_(within_ms) {}
  void start(StepContext& ctx) final { deadline_ = ctx.now() + std::chrono::milliseconds(within_ms_); }
  StepStatus poll(StepContext& ctx) final {
    if (satisfied(ctx)) return StepStatus::finished();
    if (ctx.now() >= deadline_)
      return StepStatus::fail(what_failed() + " within " + std::to_string(within_ms_) + " ms");
    ctx.wake_at(deadline_);
    return StepStatus::wait();
  }

 protected:
  virtual bool satisfied(StepContext& ctx) = 0;
  virtual std::string what_failed() const = 0;  // e.g. "no connection"

 private:
  std::uint64_t within_ms_;
  DeviceTime deadline_{};
};

}  // namespace iocpsim::devsim
