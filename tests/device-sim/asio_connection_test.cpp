#include "iocpsim/devsim/asio_connection.hpp"
