// The options a file can set, one table per option set: EngineOptions (the top level of hostd's
// config, a scenario's `host.engine`) and DeviceConfig (each device of hostd's config, a
// scenario's `host.defaults` and `host.devices.<name>`). An entry gives the key and the old
// spellings still accepted, the type and range a value must have, what it means, and where the
// value goes in the struct; the default is the struct's own. The one reader of these options
// (option_reader.hpp), their part of scenarios/schema.json (option_schema) and the reference tables
// of the docs (option_markdown) all come from here.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "iocpsim/engine/engine.hpp"

namespace iocpsim::engine {

enum class OptionType : std::uint8_t {
  integer,  // a whole number
  ms,       // a whole number of milliseconds
  bytes,    // a whole number of bytes
  number,   // any number in the range
  string,
  boolean,
  completion_skip,  // R9b's choice: kCompletionSkipForms
};
const char* to_string(OptionType t) noexcept;

// What the table says about one option; everything but where its value is stored.
struct OptionSpec {
  std::string name;
  std::vector<std::string> old_names;  // still accepted in files, in place of `name`
  OptionType type = OptionType::integer;
  double min = 0;  // integer, ms, bytes and number: the values a file may give, min to max
  double max = 0;
  nlohmann::json default_value;  // read from a default-constructed struct
  std::string meaning;           // one line, for the docs and the schema

  bool has_range() const noexcept;
};

template <class Options>
struct Option {
  OptionSpec spec;
  // Stores a value the reader has checked against `spec` (of its type, within its range).
  std::function<void(Options&, const nlohmann::json&)> store;
  // The option's value in `options`, as a file writes it (spec.default_value is this of Options{}).
  std::function<nlohmann::json(const Options&)> value;
};

template <class Options>
struct OptionTable {
  std::string title;        // the struct's name, "EngineOptions"
  std::string description;  // the schema's description of an object of these options
  std::vector<Option<Options>> options;
};

// Not in the tables, because no file sets them as options of these sets:
// - EngineOptions::seed: each file names its run's randomness with a top-level "seed" (hostd's
//   config and scenario files alike; a scenario run also takes --seed), which its reader stores.
// - DeviceConfig::name, host and port: where a device is. hostd's config gives them with each
//   device; a scenario's runner takes them from the device it starts.
const OptionTable<EngineOptions>& engine_option_table();
const OptionTable<DeviceConfig>& device_option_table();

// The JSON Schema of an object of the table's options, as scenarios/schema.json holds it at
// $defs.engineOptions and $defs.deviceConfig: a property per option (type, minimum, maximum,
// description, default; the names for R9b's choice), each old name as a deprecated property of
// the same form, additionalProperties false. In the table's order, hence ordered_json.
template <class Options>
nlohmann::ordered_json option_schema(const OptionTable<Options>& table);

// The table as a Markdown reference table: key (and old names), type, range, default, meaning.
template <class Options>
std::string option_markdown(const OptionTable<Options>& table);

// The form a value of `spec` must have, as messages say it after "expected": "an integer from 1
// to 64", "true or false".
std::string option_form(const OptionSpec& spec);

}  // namespace iocpsim::engine
