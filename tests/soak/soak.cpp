// qeb-soak: thousands of random verify tasks (random small networks and boxes, eps around the exact
// maximum error, random backends, encodings, strategies and options, sometimes partitioned), and
// with --max-error random max-error tasks, checked against the exhaustive oracle. Any disagreement
// is a bug: 0 is the only acceptable count.
//
//   qeb-soak [--tasks N] [--seed S] [--only I] [--timeout T] [--jobs J] [--affine F] [--max-error F] [--json FILE] [--dump DIR]
//
// Each task is drawn from its own seed (the run's seed and its index), so `--seed S --only I`
// replays task I alone, with the verifier's progress lines. Exit code 1 on any disagreement.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "soak/soak_task.h"

using namespace qeb;
using soak::Outcome;
using soak::Status;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  uint64_t tasks = 10'000;
  uint64_t seed = 1;
  std::optional<uint64_t> only;
  double timeout = 20;
  unsigned jobs = 1;
  double affine = 0;
  double max_error = 0;
  std::string json, dump;
};

const char* kUsage =
    "usage: qeb-soak [--tasks N] [--seed S] [--only I] [--timeout T] [--jobs J] [--affine F] [--max-error F] [--json FILE] [--dump DIR]\n"
    "  --tasks N    tasks to run (default 10000)\n"
    "  --seed S     run seed (default 1); task I is the same for the same S\n"
    "  --only I     run task I alone, verbosely (replays a reported disagreement)\n"
    "  --timeout T  verifier budget per task in seconds (default 20)\n"
    "  --jobs J     tasks run on J threads, each with its own solver (default 1)\n"
    "  --affine F   the fraction of tasks (0..1) whose QNN is affine (ONNX-style int8/uint8; default 0)\n"
    "  --max-error F  the fraction of tasks (0..1) that bracket max |QNN - DNN| with max-error instead of\n"
    "               verifying an eps, each within min(T, 5) s; the bracket must hold the oracle's maximum\n"
    "               (default 0)\n"
    "  --json FILE  write the summary as JSON\n"
    "  --dump DIR   write each disagreeing task's DNN as DIR/soak-S-I.nnet with a qeb-smt command\n";

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") std::fputs(kUsage, stdout), std::exit(0);
    if (i + 1 >= argc) std::fprintf(stderr, "qeb-soak: %s needs a value\n%s", a.c_str(), kUsage), std::exit(2);
    std::string v = argv[++i];
    try {
      if (a == "--tasks") o.tasks = std::stoull(v);
      else if (a == "--seed") o.seed = std::stoull(v);
      else if (a == "--only") o.only = std::stoull(v);
      else if (a == "--timeout") o.timeout = std::stod(v);
      else if (a == "--jobs") o.jobs = std::max(1, std::stoi(v));
      else if (a == "--affine") o.affine = std::clamp(std::stod(v), 0.0, 1.0);
      else if (a == "--max-error") o.max_error = std::clamp(std::stod(v), 0.0, 1.0);
      else if (a == "--json") o.json = v;
      else if (a == "--dump") o.dump = v;
      else throw std::invalid_argument(a);
    } catch (const std::exception&) {
      std::fprintf(stderr, "qeb-soak: bad option %s %s\n%s", a.c_str(), v.c_str(), kUsage);
      std::exit(2);
    }
  }
  return o;
}

/** Verdict counts of a set of tasks. */
struct Counts {
  uint64_t tasks = 0, verified = 0, falsified = 0, unknown = 0, option_errors = 0, disagreements = 0;
  uint64_t closed = 0, open = 0;  ///< max-error tasks: bracket within its tolerance or not
  double seconds = 0;  ///< verifier time

  void add(const Outcome& o) {
    ++tasks;
    seconds += o.seconds;
    switch (o.status) {
      case Status::VERIFIED: ++verified; break;
      case Status::FALSIFIED: ++falsified; break;
      case Status::UNKNOWN: ++unknown; break;
      case Status::CLOSED: ++closed; break;
      case Status::OPEN: ++open; break;
      case Status::OPTION_ERROR: ++option_errors; break;
      case Status::DISAGREEMENT: ++disagreements; break;
    }
  }
  nlohmann::json to_json() const {
    return {{"tasks", tasks}, {"verified", verified}, {"falsified", falsified}, {"unknown", unknown},
            {"closed", closed}, {"open", open}, {"option_errors", option_errors}, {"disagreements", disagreements},
            {"seconds", seconds}};
  }
};

// The option values a task used, each counted on its own ("attack=off", "eps=below", ...).
std::vector<std::string> labels(const soak::Task& t) {
  auto on = [](bool b) { return b ? std::string("on") : std::string("off"); };
  if (t.max_error) {
    const verify::MaxErrorOptions& m = t.max_error_options;
    return {"task=max-error", std::string("max-error engine=") + verify::to_string(m.engine),
            "max-error anneal=" + on(m.anneal), "max-error tabu=" + on(m.tabu),
            "max-error tolerance=" + qeb::to_string(m.tolerance), "max-error bab_max_nodes=" + std::to_string(m.bab_max_nodes),
            "outputs=" + std::string(m.outputs.size() == 1 ? "one" : "several"),
            std::string("scheme=") + (t.affine ? "affine" : "power-of-two")};
  }
  const verify::VerifyOptions& o = t.options;
  std::vector<std::string> l = {"backend=" + o.backend, "encoding=" + o.encoding,
                                std::string("strategy=") + verify::to_string(o.strategy),
                                "attack=" + on(o.attack_samples > 0), "prune=" + on(o.prune),
                                "cuts=" + on(o.difference_cuts), "stop_at_cex=" + on(o.stop_at_counterexample),
                                "outputs=" + std::string(o.outputs.empty() ? "all" : o.outputs.size() == 1 ? "one" : "subset"),
                                "eps=" + t.eps_kind, std::string("scheme=") + (t.affine ? "affine" : "power-of-two")};
  if (t.partitioned) {
    l.push_back("partitioned jobs=" + std::to_string(t.partition.jobs));
    l.push_back(std::string("partitioned enumerate=") + (t.partition.enumerate_limit ? "on" : "off"));
  }
  return l;
}

/** The run: workers take task indices in order; the main thread watches for overruns. */
class Soak {
 public:
  explicit Soak(const Options& options) : d_opt(options), d_start(Clock::now()) {}

  int run() {
    {
      std::lock_guard lock(d_mutex);
      for (unsigned j = 0; j < d_opt.jobs; ++j) start_worker();
    }
    // A task past its budget by far (a solver that cannot be interrupted) is abandoned: counted
    // as unknown, its thread left to finish on its own, and a fresh worker takes its place.
    const double hard_limit = d_opt.timeout * 1.5 + 10;
    std::unique_lock lock(d_mutex);
    while (d_done < d_opt.tasks) {
      d_wake.wait_for(lock, std::chrono::seconds(1));
      for (Slot& s : d_slots)
        if (s.task && !s.abandoned && seconds_since(s.start) > hard_limit) {
          s.abandoned = true;
          ++d_overruns;
          std::fprintf(stderr, "soak: task %llu overran its %.0f s budget (%.0f s); abandoned: %s\n",
                       (unsigned long long)*s.task, d_opt.timeout, seconds_since(s.start), s.config.c_str());
          record(*s.task, nullptr, {Status::UNKNOWN, "overran the timeout (abandoned)", seconds_since(s.start)});
          start_worker();
        }
    }
    lock.unlock();
    int code = report();
    if (d_overruns > 0) {  // abandoned threads may still be inside a solver: do not wait for them
      std::fflush(stdout), std::fflush(stderr);
      std::_Exit(code);
    }
    for (Slot& s : d_slots) s.thread.join();
    return code;
  }

 private:
  struct Slot {
    std::thread thread;
    std::optional<uint64_t> task;
    Clock::time_point start;
    std::string config;
    bool abandoned = false;
  };

  static double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

  void start_worker() {  // with d_mutex held
    Slot& slot = d_slots.emplace_back();
    slot.thread = std::thread([this, &slot] { work(slot); });
  }

  void work(Slot& slot) {
    while (true) {
      uint64_t index;
      {
        std::lock_guard lock(d_mutex);
        if (d_next >= d_opt.tasks || slot.abandoned) return;
        index = d_next++;
        slot.task = index;
        slot.start = Clock::now();
      }
      soak::Task task;
      Outcome out;
      try {
        task = soak::draw_task(d_opt.seed, index, d_opt.timeout, d_opt.affine, d_opt.max_error);
        {
          std::lock_guard lock(d_mutex);
          slot.config = task.config();
        }
        out = soak::run_task(task);
      } catch (const std::exception& e) {
        out = {Status::DISAGREEMENT, std::string("drawing the task: ") + e.what()};
      }
      std::lock_guard lock(d_mutex);
      if (slot.abandoned) return;  // already counted by the watchdog
      slot.task.reset();
      record(index, &task, out);
      d_wake.notify_all();
    }
  }

  // With d_mutex held. `task` is null for an abandoned task.
  void record(uint64_t index, const soak::Task* task, const Outcome& out) {
    ++d_done;
    d_total.add(out);
    if (task) {
      d_by_config[task->config_key()].add(out);
      for (const std::string& l : labels(*task)) d_by_option[l].add(out);
      if (out.seconds > d_slowest_seconds) d_slowest_seconds = out.seconds, d_slowest = index;
      // Past the CLI's grace (timeout + 5% + 0.5 s): the budget did not hold inside the verifier.
      if (out.seconds > d_opt.timeout * 1.05 + 0.5)
        d_late.push_back({{"task", index}, {"seconds", out.seconds}, {"config", task->config_key()},
                          {"status", soak::to_string(out.status)}});
    }
    if (out.status == Status::UNKNOWN || out.status == Status::OPEN) ++d_unknown_reasons[out.detail];  // open: "max-error: ..."
    if (out.status == Status::OPTION_ERROR) {
      ++d_option_errors[out.detail];
      std::fprintf(stderr, "soak: option error in task %llu: %s\n", (unsigned long long)index, out.detail.c_str());
    }
    if (out.status == Status::DISAGREEMENT) {
      d_disagreeing.push_back(index);
      std::printf("DISAGREEMENT seed=%llu task=%llu (replay: qeb-soak --seed %llu --timeout %g --affine %g --max-error %g --only %llu): %s\n"
                  "  config: %s\n  problem: %s\n",
                  (unsigned long long)d_opt.seed, (unsigned long long)index, (unsigned long long)d_opt.seed, d_opt.timeout,
                  d_opt.affine, d_opt.max_error, (unsigned long long)index, out.detail.c_str(), task ? task->config().c_str() : "?",
                  task ? task->problem().c_str() : "?");
      if (task && !d_opt.dump.empty()) dump(*task);
      std::fflush(stdout);
    }
    if (d_done % 100 == 0 && d_done < d_opt.tasks) {
      double elapsed = seconds_since(d_start), rate = d_done / elapsed;
      std::fprintf(stderr, "soak: %llu/%llu tasks, %llu disagreements, %llu unknown, %.0f s, %.2f tasks/s, ~%.0f min left\n",
                   (unsigned long long)d_done, (unsigned long long)d_opt.tasks, (unsigned long long)d_total.disagreements,
                   (unsigned long long)d_total.unknown, elapsed, rate, (d_opt.tasks - d_done) / rate / 60);
    }
  }

  void dump(const soak::Task& task) {
    std::filesystem::create_directories(d_opt.dump);
    std::string path = d_opt.dump + "/soak-" + std::to_string(d_opt.seed) + "-" + std::to_string(task.index) + ".nnet";
    std::ofstream(path) << soak::nnet_text(task.c.pair.dnn);
    std::printf("  replay with the CLI: %s\n", soak::cli_command(task, path).c_str());
  }

  int report() {
    double elapsed = seconds_since(d_start);
    std::string reasons;
    for (auto& [reason, n] : d_unknown_reasons) reasons += (reasons.empty() ? "" : ", ") + reason + ": " + std::to_string(n);
    std::fprintf(stderr, "soak: seed %llu, %llu tasks in %.0f s (%.2f tasks/s): %llu verified, %llu falsified, %llu unknown%s, "
                 "%llu max-error brackets closed, %llu open, %llu option errors, %zu late, %llu overruns, %llu disagreements\n",
                 (unsigned long long)d_opt.seed, (unsigned long long)d_done, elapsed, d_done / elapsed,
                 (unsigned long long)d_total.verified, (unsigned long long)d_total.falsified,
                 (unsigned long long)d_total.unknown, reasons.empty() ? "" : (" (" + reasons + ")").c_str(),
                 (unsigned long long)d_total.closed, (unsigned long long)d_total.open,
                 (unsigned long long)d_total.option_errors, d_late.size(), (unsigned long long)d_overruns,
                 (unsigned long long)d_total.disagreements);
    if (!d_opt.json.empty()) {
      nlohmann::json j = d_total.to_json();
      j["seed"] = d_opt.seed;
      j["timeout"] = d_opt.timeout;
      j["jobs"] = d_opt.jobs;
      j["affine_fraction"] = d_opt.affine;
      j["max_error_fraction"] = d_opt.max_error;
      j["seconds"] = elapsed;  // wall clock (the per-config "seconds" are verifier time)
      j["tasks_per_second"] = d_done / elapsed;
      j["unknown_reasons"] = d_unknown_reasons;
      j["option_error_messages"] = d_option_errors;
      j["overruns"] = d_overruns;
      j["late_tasks"] = d_late;
      j["disagreeing_tasks"] = d_disagreeing;
      j["slowest"] = {{"task", d_slowest}, {"seconds", d_slowest_seconds}};
      for (auto& [key, c] : d_by_config) j["configs"][key] = c.to_json();
      for (auto& [key, c] : d_by_option) j["options"][key] = c.to_json();
      std::filesystem::path path(d_opt.json);
      if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
      std::ofstream(path) << j.dump(2) << "\n";
    }
    return d_total.disagreements > 0 ? 1 : 0;
  }

  const Options d_opt;
  const Clock::time_point d_start;
  std::mutex d_mutex;
  std::condition_variable d_wake;
  std::list<Slot> d_slots;  // a list: a worker keeps a reference to its slot
  uint64_t d_next = 0, d_done = 0, d_overruns = 0, d_slowest = 0;
  double d_slowest_seconds = 0;
  Counts d_total;
  std::map<std::string, Counts> d_by_config, d_by_option;
  std::map<std::string, uint64_t> d_unknown_reasons, d_option_errors;
  std::vector<uint64_t> d_disagreeing;
  nlohmann::json d_late = nlohmann::json::array();  // tasks that ran past their budget
};

// --only I: one task, verbosely.
int replay(const Options& opt) {
  soak::Task task = soak::draw_task(opt.seed, *opt.only, opt.timeout, opt.affine, opt.max_error);
  std::printf("task %llu of seed %llu (task seed %llu)\n  config: %s\n  problem: %s\n", (unsigned long long)task.index,
              (unsigned long long)opt.seed, (unsigned long long)task.seed, task.config().c_str(), task.problem().c_str());
  std::printf("DNN (.nnet):\n%s", soak::nnet_text(task.c.pair.dnn).c_str());
  if (!opt.dump.empty()) {
    std::filesystem::create_directories(opt.dump);
    std::string path = opt.dump + "/soak-" + std::to_string(opt.seed) + "-" + std::to_string(task.index) + ".nnet";
    std::ofstream(path) << soak::nnet_text(task.c.pair.dnn);
    std::printf("replay with the CLI: %s\n", soak::cli_command(task, path).c_str());
  }
  std::fflush(stdout);
  task.options.progress = [](const std::string& line) { std::fprintf(stderr, "verify: %s\n", line.c_str()); };
  task.max_error_options.progress = [](const std::string& line) { std::fprintf(stderr, "max-error: %s\n", line.c_str()); };
  Outcome out = soak::run_task(task);
  std::printf("%s%s%s (%.3f s)\n", soak::to_string(out.status), out.detail.empty() ? "" : ": ", out.detail.c_str(), out.seconds);
  return out.status == Status::DISAGREEMENT ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = parse(argc, argv);
  if (opt.only) return replay(opt);
  return Soak(opt).run();
}
