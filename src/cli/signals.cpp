#include "cli/signals.h"

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "cli/report.h"

namespace qeb::cli {

namespace {

sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void handle_termination_signals() {
  sigset_t set = termination_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) return;
    const char* name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP";
    std::string reason = std::string("interrupted by ") + name;
    if (report::stop(reason, 128 + sig)) {
      std::printf("verdict: unknown (%s)\n", reason.c_str());
      std::fflush(stdout);
    }
    std::fflush(stderr);
    std::_Exit(128 + sig);
  }).detach();
}

}  // namespace qeb::cli
