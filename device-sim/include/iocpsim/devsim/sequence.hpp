// Runs steps one after another: the device's script, and the body of a repeat.
#pragma once

#include <memory>
#include <vector>

#include "iocpsim/devsim/step.hpp"

namespace iocpsim::devsim {

class Sequence {
 public:
  explicit Sequence(std::vector<std::unique_ptr<Step>> steps) : steps_(std::move(steps)) {}

  void restart() {
    index_ = 0;
    started_ = false;
  }
  // Runs steps until one waits or fails; done once every step is done.
  StepStatus advance(StepContext& ctx);
  bool finished() const noexcept { return index_ >= steps_.size(); }
  std::size_t size() const noexcept { return steps_.size(); }

 private:
  std::vector<std::unique_ptr<Step>> steps_;
  std::size_t index_ = 0;
  bool started_ = false;
};

}  // namespace iocpsim::devsim
