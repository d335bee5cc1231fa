#include "iocpsim/devsim/json_reader.hpp"
