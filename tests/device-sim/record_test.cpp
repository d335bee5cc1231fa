#include "iocpsim/devsim/record.hpp"
