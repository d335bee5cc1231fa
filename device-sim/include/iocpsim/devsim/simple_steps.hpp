// Steps that are one call and nothing more, shared by the step kinds that are just that:
// a connection operation (close, half_close, reset, ...), a listen mode (never_accept,
// accept_connections), or switching the background telemetry stream.
#pragma once

#include <memory>

#include "iocpsim/devsim/step.hpp"

namespace iocpsim::devsim {

class ConnectionOpStep final : public InstantStep {
 public:
  explicit ConnectionOpStep(ConnectionOp op) : op_(op) {}
  static std::unique_ptr<Step> make(ConnectionOp op) { return std::make_unique<ConnectionOpStep>(op); }

 private:
  void run(StepContext& ctx) override { ctx.connection(op_); }

  ConnectionOp op_;
};

class ListenModeStep final : public InstantStep {
 public:
  explicit ListenModeStep(ListenMode mode) : mode_(mode) {}
  static std::unique_ptr<Step> make(ListenMode mode) { return std::make_unique<ListenModeStep>(mode); }
  bool needs_connection() const override { return false; }

 private:
  void run(StepContext& ctx) override { ctx.set_listen_mode(mode_); }

  ListenMode mode_;
};

class TelemetrySwitchStep final : public InstantStep {
 public:
  explicit TelemetrySwitchStep(bool on) : on_(on) {}
  static std::unique_ptr<Step> make(bool on) { return std::make_unique<TelemetrySwitchStep>(on); }

 private:
  void run(StepContext& ctx) override { ctx.model().set_telemetry_streaming(on_); }

  bool on_;
};

}  // namespace iocpsim::devsim
