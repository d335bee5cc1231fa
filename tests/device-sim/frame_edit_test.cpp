#include "iocpsim/devsim/frame_edit.hpp"
