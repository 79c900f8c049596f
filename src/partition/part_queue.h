// The parts waiting for a worker, widest DRA gap first (ties: first made, first out). One queue
// for the thread pool and the MPI coordinator, so both hand out parts in the same order.
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

#include "partition/part.h"

namespace qeb::partition {

class PartQueue {
 public:
  bool empty() const { return d_heap.empty(); }
  void push(Part part) { d_heap.push({std::move(part), d_next++}); }
  Part pop() {
    Part p = std::move(const_cast<Entry&>(d_heap.top()).part);  // moved out, then removed at once
    d_heap.pop();
    return p;
  }

 private:
  struct Entry {
    Part part;
    uint64_t order;
  };
  struct LaterFirst {  // std::priority_queue puts the "largest" on top: widest gap, then oldest
    bool operator()(const Entry& a, const Entry& b) const {
      if (a.part.gap != b.part.gap) return a.part.gap < b.part.gap;
      return a.order > b.order;
    }
  };
  std::priority_queue<Entry, std::vector<Entry>, LaterFirst> d_heap;
  uint64_t d_next = 0;
};

}  // namespace qeb::partition
