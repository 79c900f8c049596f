#include "spec/output_property.h"

#include <algorithm>
#include <cstdio>

#include "core/error.h"

namespace qeb::spec {

std::size_t OutputProperty::outputs_used() const {
  std::size_t n = 0;
  for (const auto& conjunction : disjuncts)
    for (const OutputConstraint& c : conjunction)
      for (const auto& [j, a] : c.terms) n = std::max(n, j + 1);
  return n;
}

const char* to_string(OutputsOf o) { return o == OutputsOf::QNN ? "qnn" : o == OutputsOf::DNN ? "dnn" : "diff"; }

OutputsOf parse_outputs_of(const std::string& name) {
  for (OutputsOf o : {OutputsOf::QNN, OutputsOf::DNN, OutputsOf::DIFF})
    if (name == to_string(o)) return o;
  throw OptionError("--outputs-of takes qnn, dnn or diff, not '" + name + "'");
}

std::string describe(OutputsOf o) {
  return o == OutputsOf::QNN ? "Y_j = QNN output j" : o == OutputsOf::DNN ? "Y_j = DNN output j" : "Y_j = QNN_j - DNN_j";
}

Rational left_side(const OutputConstraint& c, const std::vector<Rational>& y) {
  Rational v = c.constant;
  for (const auto& [j, a] : c.terms) v += a * y.at(j);
  return v;
}

bool satisfies(const std::vector<OutputConstraint>& conjunction, const std::vector<Rational>& y) {
  for (const OutputConstraint& c : conjunction) {
    Rational v = left_side(c, y);
    if (c.strict ? !(v < 0) : !(v <= 0)) return false;
  }
  return true;
}

long satisfied_disjunct(const OutputProperty& p, const std::vector<Rational>& y) {
  for (std::size_t d = 0; d < p.disjuncts.size(); ++d)
    if (satisfies(p.disjuncts[d], y)) return long(d);
  return -1;
}

std::string to_string(const OutputConstraint& c) {
  std::string s;
  char buf[48];
  for (const auto& [j, a] : c.terms) {
    double v = to_double(a);
    if (s.empty()) s = v == 1 ? "" : v == -1 ? "-" : (std::snprintf(buf, sizeof buf, "%.10g ", v), buf);
    else s += v == 1 ? " + " : v == -1 ? " - " : (std::snprintf(buf, sizeof buf, v < 0 ? " - %.10g " : " + %.10g ", std::abs(v)), buf);
    s += "Y_" + std::to_string(j);
  }
  if (c.constant != 0) {
    double k = to_double(c.constant);
    if (s.empty()) std::snprintf(buf, sizeof buf, "%.10g", k);
    else std::snprintf(buf, sizeof buf, k < 0 ? " - %.10g" : " + %.10g", std::abs(k));
    s += buf;
  }
  return (s.empty() ? "0" : s) + (c.strict ? " < 0" : " <= 0");
}

}  // namespace qeb::spec
