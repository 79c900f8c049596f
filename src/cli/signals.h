// SIGINT, SIGTERM and SIGHUP (Ctrl-C, a scheduler's kill, a closed terminal) end a run like the
// watchdog does: verdict unknown with the signal as the reason, in text and in the JSON document,
// then exit 128 + the signal number, as a shell reports it.
#pragma once

namespace qeb::cli {

/**
 * Blocks the three signals in the calling thread (and so in every thread it starts later) and
 * starts a thread that waits for them. Call once, first thing in main, before any other thread.
 */
void handle_termination_signals();

}  // namespace qeb::cli
