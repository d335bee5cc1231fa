#include <algorithm>
#include <cmath>

#include "iocpsim/scenario/scenario.hpp"

namespace iocpsim::scenario {
namespace {

bool same_value(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  return a == b;
}

}  // namespace

bool Matcher::matches(const nlohmann::json* value) const {
  if (exists && *exists != (value != nullptr)) return false;
  if (value == nullptr) return exists.has_value() && !*exists;
  if (equals && !same_value(*equals, *value)) return false;
  if ((min || max) && !value->is_number()) return false;
  if (min && value->get<double>() < *min) return false;
  if (max && value->get<double>() > *max) return false;
  if (in && std::none_of(in->begin(), in->end(), [&](const auto& v) { return same_value(v, *value); })) {
    return false;
  }
  return !(differs_from && same_value(*differs_from, *value));
}

std::string Matcher::describe() const {
  std::vector<std::string> parts;
  const auto number = [](double d) {
    const bool whole = std::floor(d) == d && std::fabs(d) < 1e15;
    return whole ? std::to_string(static_cast<long long>(d)) : nlohmann::json(d).dump();
  };
  if (equals) parts.push_back("= " + equals->dump());
  if (min) parts.push_back(">= " + number(*min));
  if (max) parts.push_back("<= " + number(*max));
  if (in) parts.push_back("in " + nlohmann::json(*in).dump());
  if (differs_from) parts.push_back("!= " + differs_from->dump());
  if (exists) parts.push_back(*exists ? "present" : "absent");
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " and ") + p;
  return out;
}

std::string EventMatcher::describe() const {
  std::string out = "`" + event + "`";
  if (device) out += device->empty() ? " (engine-wide)" : " of " + *device;
  if (!fields.empty()) {
    std::string inner;
    for (const auto& f : fields) inner += (inner.empty() ? "" : ", ") + f.key + " " + f.matcher.describe();
    out += " {" + inner + "}";
  }
  if (phase) out += *phase == "run" ? " before shutdown" : " during shutdown";
  return out;
}

std::string EventCount::describe() const {
  std::string out = std::to_string(count) + " x `" + event + "`";
  if (device) out += device->empty() ? " (engine-wide)" : " of " + *device;
  return out;
}

const char* to_string(Action::Kind k) noexcept {
  switch (k) {
    case Action::Kind::command:
      return "command";
    case Action::Kind::remove_device:
      return "remove_device";
    case Action::Kind::shutdown:
      return "shutdown";
  }
  return "?";
}

std::vector<std::string> Scenario::device_names() const {
  std::vector<std::string> out;
  for (const auto& d : devices) out.push_back(d.name);
  return out;
}

}  // namespace iocpsim::scenario
