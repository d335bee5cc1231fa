// The one reader of the options in option_table.hpp. hostd's config and the scenario loader both
// read EngineOptions and DeviceConfig with it, so a key, its old names, its range and what a
// mistake says are the same in both: "<path>: expected <form>, got <value>", the path dotted
// ("host.engine.workers", "devices[0].heartbeat_interval_ms"), the file named by the caller.
#pragma once

#include <string>

#include "iocpsim/engine/engine.hpp"
#include "iocpsim/engine/option_table.hpp"
#include "iocpsim/json_diag/json_reader.hpp"
#include "iocpsim/json_diag/problems.hpp"

namespace iocpsim::engine {

// Reads each option of `table` that `r`'s object gives (by its name or an old one) into `out`.
// Each mistake goes to `problems` and reading goes on; `out` keeps its value for that option. The
// object's other keys are the caller's: it reads its own, then reports the ones nobody asked for
// (r.unknown_keys()).
template <class Options>
void read_options(json_diag::JsonReader& r, const OptionTable<Options>& table, Options& out,
                  json_diag::Problems& problems);

// The key under which `r`'s object gives `spec` (its name or an old one); "" when it gives none.
std::string key_given(const json_diag::JsonReader& r, const OptionSpec& spec);

// Values each in range that cannot work together, said at the key the object sets (a value it
// inherits was reported where it was set): a host_id too long for its HELLO to fit in one frame
// of frame_max_bytes.
void check_engine_options(const json_diag::JsonReader& r, const EngineOptions& options, json_diag::Problems& problems);
// version_min above version_max, backoff_initial_ms above backoff_max_ms,
// heartbeat_interval_min_ms above heartbeat_interval_max_ms, and a send queue too small for the
// HELLO that `engine`'s host_id makes.
void check_device_options(const json_diag::JsonReader& r, const DeviceConfig& config, const EngineOptions& engine,
                          json_diag::Problems& problems);

}  // namespace iocpsim::engine
