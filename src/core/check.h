// Internal invariants: a failed QEB_ASSERT is a qeb-smt bug, never a user error.
#pragma once

#include <cstdio>
#include <cstdlib>

#define QEB_ASSERT(cond)                                                             \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "qeb-smt internal error: %s:%d: assertion '%s' failed\n", \
                   __FILE__, __LINE__, #cond);                                       \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)

#define QEB_UNREACHABLE() QEB_ASSERT(false && "unreachable")
