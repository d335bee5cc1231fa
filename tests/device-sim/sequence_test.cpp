#include "iocpsim/devsim/sequence.hpp"
