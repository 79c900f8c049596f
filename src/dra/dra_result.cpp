#include "dra/dra_result.h"

#include <algorithm>

namespace qeb::dra {

const char* to_string(DnnPhase phase) {
  switch (phase) {
    case DnnPhase::ACTIVE: return "active";
    case DnnPhase::INACTIVE: return "inactive";
    case DnnPhase::UNSTABLE: return "unstable";
  }
  return "?";
}

const char* to_string(QnnPhase phase) {
  switch (phase) {
    case QnnPhase::CONSTANT: return "constant";
    case QnnPhase::LINEAR: return "linear";
    case QnnPhase::CLAMP_LOW: return "clamp-low";
    case QnnPhase::CLAMP_HIGH: return "clamp-high";
    case QnnPhase::CLAMP_BOTH: return "clamp-both";
  }
  return "?";
}

DnnPhase classify_dnn(const Interval& pre) {
  if (pre.lo >= 0) return DnnPhase::ACTIVE;
  if (pre.hi <= 0) return DnnPhase::INACTIVE;
  return DnnPhase::UNSTABLE;
}

QnnPhase classify_qnn(int64_t lo, int64_t hi, int64_t max) {
  if (std::clamp<int64_t>(lo, 0, max) == std::clamp<int64_t>(hi, 0, max)) return QnnPhase::CONSTANT;
  if (lo >= 0 && hi <= max) return QnnPhase::LINEAR;
  if (lo < 0 && hi <= max) return QnnPhase::CLAMP_LOW;
  if (lo >= 0) return QnnPhase::CLAMP_HIGH;
  return QnnPhase::CLAMP_BOTH;
}

bool is_stable(DnnPhase dnn, QnnPhase qnn) {
  return dnn != DnnPhase::UNSTABLE && (qnn == QnnPhase::CONSTANT || qnn == QnnPhase::LINEAR);
}

double DraResult::hidden_delta_width() const {
  double total = 0;
  for (std::size_t i = 0; i + 1 < layers.size(); ++i)
    for (const Interval& d : layers[i].delta) total += d.width();
  return total;
}

std::size_t DraResult::stable_neurons() const {
  std::size_t count = 0;
  for (std::size_t i = 0; i + 1 < layers.size(); ++i)
    for (std::size_t j = 0; j < layers[i].dnn_phase.size(); ++j)
      count += is_stable(layers[i].dnn_phase[j], layers[i].qnn_phase[j]);
  return count;
}

std::size_t DraResult::hidden_neurons() const {
  std::size_t count = 0;
  for (std::size_t i = 0; i + 1 < layers.size(); ++i) count += layers[i].dnn_phase.size();
  return count;
}

}  // namespace qeb::dra
