// Merging the three sources of a run into one timeline: engine events, the shim's journal
// (sockets named by the tags the engine gave them) and the devices' logs.
#include <algorithm>
#include <cstdio>
#include <map>
#include <string_view>

#include "iocpsim/iocp/code_names.hpp"
#include "iocpsim/devsim/step_registry.hpp"
#include "run_detail.hpp"

namespace iocpsim::scenario::detail {
namespace {

using Entry = TimelineEntry;

// Steps that make a device misbehave on purpose: marked as faults in the timeline.
bool is_misbehaviour(const std::string& step_kind) {
  const devsim::StepKind* kind = devsim::StepRegistry::global().find(step_kind);
  return kind != nullptr && kind->marks_fault;
}

std::string fields_text(const nlohmann::json& fields) {
  std::string out;
  for (const auto& [key, value] : fields.items()) {
    out += (out.empty() ? "" : " ") + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return out;
}

// "telemetry seq=31 channel=0 channel_seq=14 [fault crc]": the frame without its bulky bytes.
std::string frame_text(const nlohmann::json& line) {
  nlohmann::json message = line.value("message", nlohmann::json::object());
  std::string out = message.value("type", "?") + " seq=" + line.value("seq", nlohmann::json(0)).dump();
  message.erase("type");
  message.erase("samples");
  message.erase("timestamp_us");
  const std::string rest = fields_text(message);
  if (!rest.empty()) out += " " + rest;
  const std::string fault = line.value("fault", "");
  return fault.empty() ? out : out + " [fault " + fault + "]";
}

Entry engine_entry(const engine::Event& e, std::int64_t t_us) {
  Entry out;
  out.t_us = std::max<std::int64_t>(0, t_us);
  out.source = Entry::Source::engine;
  out.device = e.device;
  out.what = e.name;
  out.text = fields_text(e.fields);
  out.fields = e.fields;
  return out;
}

Entry device_entry(const DeviceLogLine& l) {
  Entry out;
  out.t_us = l.t_us;
  out.source = Entry::Source::device;
  out.device = l.line.value("device", "");
  out.what = l.line.value("event", "");
  out.fields = l.line;
  nlohmann::json rest = l.line;
  for (const char* k : {"device", "event", "t_us"}) rest.erase(k);
  out.text = fields_text(rest);
  if (out.what == "frame_sent" || out.what == "frame_received") {
    out.message = l.line.value("/message/type"_json_pointer, "");
    out.text = frame_text(l.line);
    out.direction = out.what == "frame_sent" ? Entry::Direction::device_to_host : Entry::Direction::host_to_device;
  }
  out.fault = (out.what == "frame_sent" && !l.line.value("fault", "").empty()) || out.what == "oversize_header_sent" ||
              (out.what == "connection_op" && l.line.value("op", "") == "reset") ||
              (out.what == "step_started" && is_misbehaviour(l.line.value("kind", "")));
  return out;
}

// Port calls that only show workers waiting are left out unless a rule changed them.
bool worth_showing(const iocp::JournalEntry& j) {
  if (j.changed() || j.batch_entry || j.call == iocp::Call::kCount) return true;
  switch (j.call) {
    case iocp::Call::GetQueuedCompletionStatus:
      return j.overlapped != nullptr;
    case iocp::Call::GetQueuedCompletionStatusEx:
    case iocp::Call::PostQueuedCompletionStatus:
    case iocp::Call::getsockopt:
    case iocp::Call::setsockopt:
    case iocp::Call::getsockname:
    case iocp::Call::SetFileCompletionNotificationModes:
      return false;
    default:
      return true;
  }
}

class ShimNames {
 public:
  explicit ShimNames(const std::vector<SocketTag>& tags) : tags_(tags) {}
  // The device a journal entry belongs to: its socket's tag, or the op's socket for a completion.
  std::string device_of(const iocp::JournalEntry& j) {
    const bool completion = j.batch_entry || j.call == iocp::Call::GetQueuedCompletionStatus;
    if (completion) {
      const auto it = ops_.find(j.overlapped);
      return it == ops_.end() ? std::string() : it->second;
    }
    std::string device;
    for (const SocketTag& t : tags_) {
      if (t.socket == j.handle && t.t_us <= j.time_us) device = t.device;
    }
    if (j.overlapped != nullptr && !device.empty()) ops_[j.overlapped] = device;
    return device;
  }

 private:
  const std::vector<SocketTag>& tags_;
  std::map<const void*, std::string> ops_;
};

// Whether the call said by its return value that it failed: only then is its last error its own.
bool call_failed(const iocp::JournalEntry& j) {
  switch (j.call) {
    case iocp::Call::CreateIoCompletionPort:
    case iocp::Call::GetQueuedCompletionStatus:
    case iocp::Call::GetQueuedCompletionStatusEx:
    case iocp::Call::PostQueuedCompletionStatus:
    case iocp::Call::CloseHandle:
    case iocp::Call::SetFileCompletionNotificationModes:
    case iocp::Call::CancelIoEx:
    case iocp::Call::AcceptEx:
    case iocp::Call::ConnectEx:
    case iocp::Call::WSAGetOverlappedResult:
      return j.result == 0;  // FALSE, or a NULL handle
    default:
      return j.result == -1;  // SOCKET_ERROR, INVALID_SOCKET
  }
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string pointer_text(const void* p) {
  return p == nullptr ? "NULL" : hex(static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(p)));
}

// "CONNECTION_RESET" for 0xC000020D: the name without its prefix, short enough for a label.
std::string short_name(const char* name, std::string_view prefix) {
  if (name == nullptr) return "";
  const std::string_view n(name);
  return std::string(n.starts_with(prefix) ? n.substr(prefix.size()) : n);
}

// What a completion said, in full for the table and the hover, and in a few words for the diagram:
// ret (GetQueuedCompletionStatus; a GetQueuedCompletionStatusEx entry has none of its own), the
// OVERLAPPED or NULL, the bytes, the last error when ret is FALSE, and the NTSTATUS by name.
void describe_completion(const iocp::JournalEntry& j, Entry& out) {
  const bool single = !j.batch_entry;
  const bool failed = single && j.result == 0;
  const auto status = static_cast<std::uint32_t>(j.status);
  out.text = single ? std::string("ret=") + (failed ? "FALSE" : "TRUE") + " " : std::string();
  out.text += "ov=" + pointer_text(j.overlapped) + " bytes=" + std::to_string(j.bytes);
  if (failed) out.text += " last error=" + iocp::describe_win32_error(j.error);
  if (j.overlapped != nullptr) out.text += " status=" + iocp::describe_ntstatus(status);
  out.text += " key=" + hex(j.key);
  out.label = single ? std::string("GQCS ") + (failed ? "FALSE" : "TRUE") : std::string("entry");
  if (j.overlapped == nullptr) {
    out.label += " ov=NULL";
    if (failed) out.label += " " + short_name(iocp::win32_error_name(j.error), "ERROR_");
    return;
  }
  out.label += " " + std::to_string(j.bytes) + " B";
  if (failed) {
    out.label += " " + std::to_string(j.error);
  } else if (const char* name = iocp::ntstatus_name(status); name != nullptr && status != 0) {
    out.label += " " + short_name(name, "STATUS_");
  }
}

Entry shim_entry(const iocp::JournalEntry& j, std::int64_t epoch_us, ShimNames& names) {
  Entry out;
  out.t_us = std::max<std::int64_t>(0, j.time_us - epoch_us);
  out.source = Entry::Source::shim;
  out.device = names.device_of(j);
  out.what = j.batch_entry ? "completion" : j.call == iocp::Call::kCount ? "forced" : iocp::call_name(j.call);
  if (j.batch_entry || (j.call == iocp::Call::GetQueuedCompletionStatus && j.overlapped != nullptr)) {
    describe_completion(j, out);
  } else if (j.call == iocp::Call::kCount) {
    // A forced event: the journal's own line, from the handle on.
    const std::string line = iocp::Journal::format(j);
    const auto handle = line.find(" h=");
    out.text = handle == std::string::npos ? line : line.substr(handle + 1);
  } else {
    out.text = "h=" + hex(j.handle) + " ov=" + pointer_text(j.overlapped) + " arg=" + std::to_string(j.arg) +
               " -> ret=" + std::to_string(j.result);
    // A call that succeeded leaves the last error as it was: showing it would mislead (997 after a
    // WSARecv that completed at once).
    if (call_failed(j)) out.text += " last error=" + iocp::describe_win32_error(j.error);
  }
  if (j.changed()) out.text += " [rule " + std::to_string(j.rule) + ": " + iocp::outcome_name(j.outcome) + "]";
  out.fault = j.changed() || j.call == iocp::Call::kCount;
  out.fields = {{"bytes", j.bytes}, {"error", j.error}, {"status", j.status}, {"result", j.result}};
  if (j.changed()) out.fields["rule"] = j.rule;
  if (j.outcome != iocp::Outcome::kCount) out.fields["outcome"] = iocp::outcome_name(j.outcome);
  return out;
}

}  // namespace

Timeline assemble_timeline(const TimelineInput& in) {
  Timeline t;
  t.scenario = in.scenario;
  t.seed = in.seed;
  t.devices = in.devices;
  for (std::size_t i = 0; i < in.events.size(); ++i) {
    const std::int64_t t_us =
        i < in.event_times_us.size() ? in.event_times_us[i] : in.events[i].t_ms * 1000 - in.epoch_us;
    t.entries.push_back(engine_entry(in.events[i], t_us));
    t.entries.back().event = static_cast<std::int64_t>(i);
  }
  ShimNames names(in.sockets);
  for (const auto& j : in.journal) {
    if (worth_showing(j))
      t.entries.push_back(shim_entry(j, in.epoch_us, names));
    else
      names.device_of(j);
  }
  for (const auto& l : in.device_log) t.entries.push_back(device_entry(l));
  t.entries.insert(t.entries.end(), in.runner.begin(), in.runner.end());
  std::stable_sort(t.entries.begin(), t.entries.end(), [](const Entry& a, const Entry& b) { return a.t_us < b.t_us; });
  return t;
}

}  // namespace iocpsim::scenario::detail
