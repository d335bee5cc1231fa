// device-sim reads its specs with the JSON object reader every hand-written file of the project is
// read with (protocol/json_diag); these are its names for it here.
#pragma once

#include "iocpsim/json_diag/json_reader.hpp"

namespace iocpsim::devsim {

using SpecError = json_diag::PathError;
using json_diag::JsonReader;
using json_diag::nearest_key;
using json_diag::parse_hex;
using json_diag::to_hex;

// A well-formed spec that asks for something this platform cannot do (e.g. counted refusals
// without CAP_NET_RAW): not a mistake in the file, so a suite runner can skip it and say why.
class UnsupportedHere : public SpecError {
 public:
  using SpecError::SpecError;
};

}  // namespace iocpsim::devsim
