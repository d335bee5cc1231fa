#include "iocpsim/devsim/device.hpp"
