// The parts waiting for a worker, widest DRA gap first (ties: first made, first out). One queue
// for the thread pool and the MPI coordinator, so both hand out parts in the same order.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "partition/part.h"

namespace qeb::partition {

class PartQueue {
 public:
  bool empty() const { return d_heap.empty(); }
  void push(Part part) {
    d_heap.push_back({std::move(part), d_next++});
    std::push_heap(d_heap.begin(), d_heap.end(), LaterFirst{});
  }
  /** The widest-gap part; the queue must not be empty. */
  Part pop() {
    std::pop_heap(d_heap.begin(), d_heap.end(), LaterFirst{});
    Part p = std::move(d_heap.back().part);
    d_heap.pop_back();
    return p;
  }

 private:
  struct Entry {
    Part part;
    uint64_t order;
  };
  struct LaterFirst {  // a max-heap: the "largest" entry (widest gap, then oldest) comes out first
    bool operator()(const Entry& a, const Entry& b) const {
      if (a.part.gap != b.part.gap) return a.part.gap < b.part.gap;
      return a.order > b.order;
    }
  };
  std::vector<Entry> d_heap;
  uint64_t d_next = 0;
};

}  // namespace qeb::partition
