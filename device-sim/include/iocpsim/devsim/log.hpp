// The device's structured log: one JSON object per thing it does (a step starting, a frame sent,
// the peer closing). The device adds "t_us" (device time) and "device" (its name) to each.
#pragma once

#include <functional>

#include <nlohmann/json_fwd.hpp>

namespace iocpsim::devsim {

using LogSink = std::function<void(const nlohmann::json& event)>;

}  // namespace iocpsim::devsim
