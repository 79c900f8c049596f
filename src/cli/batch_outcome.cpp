#include "cli/batch_outcome.h"

#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <vector>

#include "cli/number_text.h"

namespace qeb::cli {

namespace {

// The stages in pipeline order, so "how" reads the same way every time.
const std::vector<std::string> kStages = {"dra", "attack", "enumeration", "lp", "bab", "smt", "partition"};

std::string last_line(const std::string& text) {
  std::size_t end = text.find_last_not_of(" \n\r\t");
  if (end == std::string::npos) return "";
  std::size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

double abs_max(const nlohmann::json& pair) { return std::max(std::fabs(pair[0].get<double>()), std::fabs(pair[1].get<double>())); }

// The deciding stages of the entries (outputs, or regions of a property check) that decided the verdict.
std::string stages(const nlohmann::json& entries, const std::string& verdict) {
  std::vector<std::string> seen;
  for (const nlohmann::json& e : entries)
    if (e.value("verdict", "") == verdict) {
      std::string s = e.value("decided_by", "none");
      if (s != "none" && std::find(seen.begin(), seen.end(), s) == seen.end()) seen.push_back(s);
    }
  std::string how;
  for (const std::string& s : kStages)
    if (std::find(seen.begin(), seen.end(), s) != seen.end()) how += (how.empty() ? "" : "+") + s;
  return how;
}

// Bounds on max |QNN - DNN| (the eps check): counterexamples below, proofs above.
void error_bounds(const nlohmann::json& doc, InstanceOutcome& o) {
  if (!doc.contains("eps")) return;
  double lower = -1, upper = -1, eps = 0;
  try {
    eps = std::stod(doc["eps"].get<std::string>());
  } catch (const std::exception&) {
    return;
  }
  bool all_verified = !doc["outputs"].empty();
  for (const nlohmann::json& out : doc["outputs"]) {
    if (out.contains("counterexample")) lower = std::max(lower, std::fabs(out["counterexample"]["diff"]["approx"].get<double>()));
    if (out.value("verdict", "") != "verified") {
      all_verified = false;
      continue;
    }
    // A proven interval where the output has one (DRA's, or the engine's "bound"), else eps itself.
    double bound = out.contains("bound") ? abs_max(out["bound"])
                   : out.value("decided_by", "") == "dra" && out.contains("dra_interval") ? abs_max(out["dra_interval"])
                                                                                         : eps;
    upper = std::max(upper, std::min(bound, eps));
  }
  if (lower >= 0) o.max_error_lower = decimal(lower);
  if (all_verified && upper >= 0) o.max_error_upper = decimal(upper);
}

}  // namespace

InstanceOutcome interpret(int wait_status, const std::string& document, const std::string& stderr_tail,
                          bool killed_by_batch, double seconds) {
  InstanceOutcome o;
  o.seconds = seconds;
  if (WIFEXITED(wait_status)) o.exit_code = WEXITSTATUS(wait_status);
  if (killed_by_batch) {
    o.verdict = "unknown";
    o.vnncomp = "timeout";
    o.reason = "killed by the batch: it did not stop at its own --timeout";
    return o;
  }
  if (WIFSIGNALED(wait_status)) {
    int sig = WTERMSIG(wait_status);
    o.vnncomp = "error";
    o.reason = std::string("crashed: killed by signal ") + std::to_string(sig) + " (" + strsignal(sig) + ")";
    std::string tail = last_line(stderr_tail);
    if (!tail.empty()) o.reason += "; last message: " + tail;
    return o;
  }
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(document);
  } catch (const std::exception&) {
    o.vnncomp = "error";
    o.reason = "no result document (exit code " + std::to_string(o.exit_code) + ")";
    std::string tail = last_line(stderr_tail);
    if (!tail.empty()) o.reason += "; last message: " + tail;
    return o;
  }
  o.verdict = doc.value("verdict", "error");
  if (o.verdict != "verified" && o.verdict != "falsified" && o.verdict != "unknown") o.verdict = "error";
  if (doc.contains("reason") && doc["reason"].is_string()) o.reason = doc["reason"];
  if (o.verdict == "error" && o.reason.empty()) o.reason = last_line(stderr_tail);
  const nlohmann::json& entries = doc.contains("property") ? doc["regions"] : doc["outputs"];
  if (o.verdict != "unknown" && o.verdict != "error" && entries.is_array()) o.how = stages(entries, o.verdict);
  if (o.verdict == "verified" || o.verdict == "falsified") error_bounds(doc, o);
  o.vnncomp = o.verdict == "verified"    ? "unsat"
              : o.verdict == "falsified" ? "sat"
              : o.verdict == "error"     ? "error"
              : o.reason.find("timeout") != std::string::npos ? "timeout"
                                                               : "unknown";
  return o;
}

}  // namespace qeb::cli
