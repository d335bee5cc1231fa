#include "iocpsim/devsim/message_json.hpp"
