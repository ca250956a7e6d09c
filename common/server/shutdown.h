// Graceful shutdown on SIGTERM/SIGINT. Call BlockTerminationSignals() first
// thing in main, before any thread starts, so that every thread inherits the
// mask; then WaitForTerminationSignal() on the main thread once the servers
// run, and shut them down (stop accepting, drain, flush) when it returns.
#ifndef HOMEWARD_COMMON_SERVER_SHUTDOWN_H_
#define HOMEWARD_COMMON_SERVER_SHUTDOWN_H_

namespace homeward::server {

void BlockTerminationSignals();
// Returns the signal number received.
int WaitForTerminationSignal();

}  // namespace homeward::server

#endif  // HOMEWARD_COMMON_SERVER_SHUTDOWN_H_
