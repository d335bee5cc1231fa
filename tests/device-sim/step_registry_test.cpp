#include "iocpsim/devsim/step_registry.hpp"
