#include "iocpsim/devsim/spec.hpp"
