// A step that asks the transport for one connection operation (close, half-close, reset, ...).
// Shared by the step kinds that are nothing more than that.
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

}  // namespace iocpsim::devsim
