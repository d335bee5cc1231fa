// scenarios/schema.json, generated: the structure of a scenario file (tools/scenario/schema/
// structure.json, kept beside the readers of that structure) with each vocabulary filled in from
// the table its producer owns — step kinds from device-sim's step registry, engine event names
// from the engine's event catalogue. `iocpsim schema` prints it; a test fails when the committed
// file differs.
#pragma once

#include <string>

namespace iocpsim::scenario {

// The schema as JSON text, indented by two, ending in a newline.
std::string scenario_schema();

}  // namespace iocpsim::scenario
