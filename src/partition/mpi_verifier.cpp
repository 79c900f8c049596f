#include "partition/mpi_verifier.h"

#include "core/error.h"

#ifdef QEB_MPI
#include <mpi.h>

#include <chrono>
#include <cstring>

#include "eval/difference.h"
#include "partition/part_queue.h"
#endif

namespace qeb::partition {

#ifndef QEB_MPI

bool mpi_available() { return false; }

PartitionResult verify_mpi(const quant::ModelPair&, const spec::Box&, const verify::VerifyOptions&,
                           const PartitionOptions&, const std::function<void(int)>&) {
  throw UnsupportedError("this qeb-smt was built without MPI; rebuild with -DQEB_MPI=ON (needs libopenmpi-dev)");
}

#else

namespace {

enum Tag { WORK = 1, RESULT = 2, STOP = 3 };

// Messages are flat int64 vectors; doubles travel bit for bit.
using Message = std::vector<int64_t>;

int64_t from_double(double d) {
  int64_t v;
  std::memcpy(&v, &d, sizeof v);
  return v;
}
double to_double_bits(int64_t v) {
  double d;
  std::memcpy(&d, &v, sizeof d);
  return d;
}

void put_part(Message& m, const Part& p) {
  m.push_back(p.depth);
  m.push_back(from_double(p.gap));
  m.push_back(int64_t(p.path.size()));
  for (std::size_t k : p.path) m.push_back(int64_t(k));
  m.push_back(int64_t(p.box.lo.size()));
  m.insert(m.end(), p.box.lo.begin(), p.box.lo.end());
  m.insert(m.end(), p.box.hi.begin(), p.box.hi.end());
  m.push_back(int64_t(p.restrictions.size()));
  for (const bounds::Restriction& r : p.restrictions)
    m.insert(m.end(), {int64_t(r.target), int64_t(r.layer), int64_t(r.neuron), from_double(r.lo), from_double(r.hi)});
  m.push_back(p.goal.has_value());
  if (p.goal) m.insert(m.end(), {int64_t(p.goal->output), int64_t(p.goal->direction)});
  m.push_back(int64_t(p.basis.size()));
  m.insert(m.end(), p.basis.begin(), p.basis.end());  // one status byte per word: small next to the box
}

Part get_part(const Message& m, std::size_t& at) {
  Part p;
  p.depth = unsigned(m[at++]);
  p.gap = to_double_bits(m[at++]);
  std::size_t n = std::size_t(m[at++]);
  for (std::size_t i = 0; i < n; ++i) p.path.push_back(std::size_t(m[at++]));
  std::size_t d = std::size_t(m[at++]);
  p.box.lo.assign(m.begin() + at, m.begin() + at + d);
  at += d;
  p.box.hi.assign(m.begin() + at, m.begin() + at + d);
  at += d;
  std::size_t restrictions = std::size_t(m[at++]);
  for (std::size_t i = 0; i < restrictions; ++i, at += 5)
    p.restrictions.push_back({bounds::Target(m[at]), std::size_t(m[at + 1]), std::size_t(m[at + 2]),
                              to_double_bits(m[at + 3]), to_double_bits(m[at + 4])});
  if (m[at++]) {
    p.goal = verify::Query{std::size_t(m[at]), verify::Direction(m[at + 1])};
    at += 2;
  }
  std::size_t basis = std::size_t(m[at++]);
  for (std::size_t i = 0; i < basis; ++i) p.basis.push_back((unsigned char)(m[at++]));
  return p;
}

const char* const kHow[] = {"DRA", "attack", "solver", "enumeration", "split", "cancelled", "depth limit",
                            "single point undecided", "branch and bound", ""};

int64_t how_code(const std::string& how) {
  for (int64_t i = 0; kHow[i][0]; ++i)
    if (how == kHow[i]) return i;
  return 9;
}

// Outcome: verdict, how, seconds, undecided, counterexample (flag, output, input), children.
Message encode(const PartOutcome& o) {
  Message m{int64_t(o.record.verdict), how_code(o.record.how), from_double(o.record.seconds), o.undecided_leaf};
  m.push_back(o.counterexample.has_value());
  if (o.counterexample) {
    m.push_back(int64_t(o.counterexample->output));
    m.push_back(int64_t(o.counterexample->input.size()));
    m.insert(m.end(), o.counterexample->input.begin(), o.counterexample->input.end());
  }
  m.push_back(int64_t(o.children.size()));
  for (const Part& c : o.children) put_part(m, c);
  return m;
}

// The counterexample's values are recomputed exactly here from its input (never trusted from the wire).
PartOutcome decode(const Message& m, const Part& part, const quant::ModelPair& pair) {
  PartOutcome o;
  std::size_t at = 0;
  o.record.depth = part.depth;
  o.record.path = part.path;
  o.record.gap = part.gap;
  o.record.verdict = verify::Verdict(m[at++]);
  o.record.how = kHow[std::min<int64_t>(m[at++], 9)];
  o.record.seconds = to_double_bits(m[at++]);
  o.undecided_leaf = m[at++] != 0;
  if (m[at++]) {
    std::size_t output = std::size_t(m[at++]);
    std::size_t n = std::size_t(m[at++]);
    o.counterexample = verify::counterexample_of(pair, output, std::vector<int64_t>(m.begin() + at, m.begin() + at + n));
    at += n;
  }
  std::size_t children = std::size_t(m[at++]);
  for (std::size_t i = 0; i < children; ++i) o.children.push_back(get_part(m, at));
  return o;
}

void send(const Message& m, int to, int tag) {
  MPI_Send(m.data(), int(m.size()), MPI_INT64_T, to, tag, MPI_COMM_WORLD);
}

Message receive(int from, int* tag, int* source) {
  MPI_Status status;
  MPI_Probe(from, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
  int count = 0;
  MPI_Get_count(&status, MPI_INT64_T, &count);
  Message m(std::size_t(std::max(count, 0)));
  MPI_Recv(m.data(), count, MPI_INT64_T, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  if (tag) *tag = status.MPI_TAG;
  if (source) *source = status.MPI_SOURCE;
  return m;
}

void worker(const quant::ModelPair& pair, const verify::VerifyOptions& options, const PartitionOptions& partition) {
  std::vector<std::size_t> outputs = checked_outputs(pair, options);
  while (true) {
    int tag = 0;
    Message m = receive(0, &tag, nullptr);
    if (tag == STOP) return;
    std::size_t at = 0;
    double time_left = to_double_bits(m[at++]);
    Part part = get_part(m, at);
    send(encode(solve_part(pair, part, options, partition, outputs, time_left, nullptr)), 0, RESULT);
  }
}

PartitionResult coordinate(const quant::ModelPair& pair, const spec::Box& box, const verify::VerifyOptions& options,
                           int ranks) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto remaining = [&]() {
    double used = std::chrono::duration<double>(Clock::now() - start).count();
    return options.timeout_seconds > 0 ? options.timeout_seconds - used : 1e300;
  };
  Tally tally(start);
  PartQueue queue;
  queue.push(Part::of_box(box));
  std::vector<std::optional<Part>> assigned(static_cast<std::size_t>(ranks));
  int busy = 0;
  bool stop = false;
  while (true) {
    for (int r = 1; r < ranks && !stop && !queue.empty(); ++r) {
      if (assigned[r]) continue;
      if (remaining() <= 0) {
        tally.timed_out();
        stop = true;
        break;
      }
      Message m{from_double(remaining())};
      assigned[r] = queue.pop();
      put_part(m, *assigned[r]);
      send(m, r, WORK);
      ++busy;
    }
    if (busy == 0) break;
    int source = 0;
    Message m = receive(MPI_ANY_SOURCE, nullptr, &source);
    PartOutcome out = decode(m, *assigned[source], pair);
    assigned[source].reset();
    --busy;
    for (Part& child : out.children) queue.push(std::move(child));
    out.children.clear();
    if (tally.add(std::move(out))) stop = true;  // a counterexample: dispatch nothing more
  }
  for (int r = 1; r < ranks; ++r) send({}, r, STOP);
  PartitionResult result = tally.finish(!queue.empty());
  result.workers = unsigned(ranks - 1);
  return result;
}

}  // namespace

bool mpi_available() { return true; }

PartitionResult verify_mpi(const quant::ModelPair& pair, const spec::Box& box, const verify::VerifyOptions& options,
                           const PartitionOptions& partition, const std::function<void(int)>& on_rank) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) MPI_Init(nullptr, nullptr);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  if (on_rank) on_rank(rank);
  PartitionResult result;
  if (ranks == 1)
    result = verify_partitioned(pair, box, options, partition);
  else if (rank == 0)
    result = coordinate(pair, box, options, ranks);
  else
    worker(pair, options, partition);
  MPI_Finalize();
  return result;
}

#endif

}  // namespace qeb::partition
