#include "backend/cvc5/cvc5_backend.h"

#include <cvc5/cvc5.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <unordered_set>

namespace qeb::smt {

namespace {

namespace mp = boost::multiprecision;

/** Parses cvc5's exact values: "n", "-n", "n/d", "-n/d" (decimals as a fallback). */
Rational parse_value(const std::string& s) {
  if (s.find_first_of(".eE") != std::string::npos) return parse_rational(s);
  auto slash = s.find('/');
  if (slash == std::string::npos) return Rational(BigInt(s));
  return Rational(BigInt(s.substr(0, slash)), BigInt(s.substr(slash + 1)));
}

BigInt parse_binary(const std::string& bits) {
  BigInt v = 0;
  for (char b : bits) {
    v <<= 1;
    if (b == '1') v += 1;
    else if (b != '0') throw SolverError("cvc5: bad bit-vector value '" + bits + "'");
  }
  return v;
}

class Cvc5Backend final : public Backend {
 public:
  Cvc5Backend(const TermManager& terms, const BackendOptions& options) : d_terms(terms) {
    // Every option must be set before the first assertion (and the logic).
    std::map<std::string, std::string> settings{
        {"produce-models", "true"},
        {"incremental", "true"},
        // Measured on layer-like sums of products with constants: "bitblast" 0.06-1.1 s,
        // "bitblast-internal" 4 s to over 30 s. Override with options.extra["bv-solver"].
        {"bv-solver", "bitblast"},
        {"seed", std::to_string(options.seed)},
    };
    if (options.timeout_seconds > 0) {
      double ms = std::ceil(options.timeout_seconds * 1000);
      settings["tlimit-per"] = std::to_string((unsigned long long)std::max(ms, 1.0));
    }
    for (const auto& [key, value] : options.extra) settings[key] = value;
    for (const auto& [key, value] : settings) {
      try {
        d_solver.setOption(key, value);
      } catch (const cvc5::CVC5ApiException& e) {
        throw OptionError("cvc5 option '" + key + "' = '" + value + "': " + e.what());
      }
    }
    guarded([&] { d_solver.setLogic("ALL"); });
  }

  std::string name() const override { return "cvc5"; }

  void assert_formula(Term formula) override {
    require_bool(formula, "assertion");
    guarded([&] {
      d_has_model = false;
      d_solver.assertFormula(translate(formula));
    });
  }

  void push() override {
    guarded([&] {
      d_has_model = false;
      d_solver.push();
    });
  }

  void pop() override {
    guarded([&] {
      d_has_model = false;
      d_solver.pop();
    });
  }

  SatResult check(const std::vector<Term>& assumptions) override {
    for (Term a : assumptions) require_bool(a, "assumption");
    d_failure.clear();
    try {
      return guarded([&] {
        d_has_model = false;
        std::vector<cvc5::Term> v;
        for (Term a : assumptions) v.push_back(translate(a));
        d_result = v.empty() ? d_solver.checkSat() : d_solver.checkSatAssuming(v);
        if (d_result.isSat()) {
          d_has_model = true;
          return SatResult::SAT;
        }
        if (d_result.isUnsat()) return SatResult::UNSAT;
        return SatResult::UNKNOWN;
      });
    } catch (const SolverError& e) {
      d_failure = std::string("solver error: ") + e.what();
    } catch (const std::bad_alloc&) {
      d_failure = "solver error: cvc5 ran out of memory";
    }
    return SatResult::UNKNOWN;  // a solver failure is no verdict: reason_unknown() says what happened
  }

  Rational value(Term term) override {
    if (!d_has_model) throw SolverError("cvc5: value() needs a SAT answer from the latest check()");
    return guarded([&] {
      cvc5::Term v = d_solver.getValue(translate(term));
      switch (d_terms.sort(term).kind) {
        case SortKind::BOOL:
          if (!v.isBooleanValue()) break;
          return Rational(v.getBooleanValue() ? 1 : 0);
        case SortKind::INT:
          if (!v.isIntegerValue()) break;
          return Rational(BigInt(v.getIntegerValue()));
        case SortKind::REAL:
          if (!v.isRealValue()) break;
          return parse_value(v.getRealValue());
        case SortKind::BITVEC:
          if (!v.isBitVectorValue()) break;
          return Rational(parse_binary(v.getBitVectorValue(2)));
      }
      throw SolverError("cvc5: model value is not an exact constant: " + v.toString());
    });
  }

  void set_timeout(double seconds) override {
    double ms = std::ceil(seconds * 1000);
    guarded([&] { d_solver.setOption("tlimit-per", std::to_string((unsigned long long)std::max(ms, 1.0))); });
  }

  std::string reason_unknown() override {
    if (!d_failure.empty()) return d_failure;
    if (d_result.isNull() || !d_result.isUnknown()) return "unknown";
    std::ostringstream out;
    out << d_result.getUnknownExplanation();
    std::string r = out.str();
    std::transform(r.begin(), r.end(), r.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
    return r.empty() ? std::string("unknown") : r;  // e.g. "timeout", "incomplete"
  }

 private:
  std::string d_failure;  ///< why the latest check() failed, if it threw inside the solver

  template <class F>
  auto guarded(F f) -> decltype(f()) {
    try {
      return f();
    } catch (const cvc5::CVC5ApiException& e) {
      throw SolverError(std::string("cvc5: ") + e.what());
    }
  }

  void require_bool(Term t, const char* what) const {
    if (t >= d_terms.size()) throw std::logic_error(std::string("cvc5 backend: ") + what + " is not a term");
    if (d_terms.sort(t).kind != SortKind::BOOL)
      throw std::logic_error(std::string("cvc5 backend: ") + what + " of sort " + d_terms.sort(t).to_string());
  }

  cvc5::Sort to_sort(Sort s) {
    switch (s.kind) {
      case SortKind::BOOL: return d_solver.getBooleanSort();
      case SortKind::INT: return d_solver.getIntegerSort();
      case SortKind::REAL: return d_solver.getRealSort();
      case SortKind::BITVEC: return d_solver.mkBitVectorSort(s.width);
    }
    throw std::logic_error("cvc5 backend: unknown sort");
  }

  cvc5::Term translate(Term root) {
    if (root >= d_terms.size()) throw std::logic_error("cvc5 backend: term does not exist");
    if (d_cache.size() < d_terms.size()) d_cache.resize(d_terms.size());
    if (!d_cache[root].isNull()) return d_cache[root];
    std::vector<Term> todo = d_terms.missing_cone(root, [&](Term a) { return !d_cache[a].isNull(); });
    for (Term t : todo) d_cache[t] = build(t);
    return d_cache[root];
  }

  cvc5::Term build(Term t) {
    const Node& n = d_terms.node(t);
    std::vector<cvc5::Term> a;
    a.reserve(n.args.size());
    for (Term x : n.args) a.push_back(d_cache[x]);
    auto mk = [&](cvc5::Kind k) { return d_solver.mkTerm(k, a); };
    auto mk_indexed = [&](cvc5::Kind k, std::vector<uint32_t> indices) { return d_solver.mkTerm(d_solver.mkOp(k, indices), a); };
    using K = cvc5::Kind;
    switch (n.kind) {
      case Kind::CONST_BOOL: return d_solver.mkBoolean(n.value != 0);
      case Kind::CONST_ARITH: {
        // Strings keep big values exact; a negative value is accepted as "-n" or "-n/d".
        const BigInt& num = mp::numerator(n.value);
        const BigInt& den = mp::denominator(n.value);
        if (n.sort.kind == SortKind::INT) return d_solver.mkInteger(num.str());
        return d_solver.mkReal(den == 1 ? num.str() : num.str() + "/" + den.str());
      }
      case Kind::CONST_BV: return d_solver.mkBitVector(n.sort.width, mp::numerator(n.value).str(), 10);
      case Kind::VARIABLE: return d_solver.mkConst(to_sort(n.sort), n.name);
      case Kind::NOT: return mk(K::NOT);
      case Kind::AND: return mk(K::AND);
      case Kind::OR: return mk(K::OR);
      case Kind::IMPLIES: return mk(K::IMPLIES);
      case Kind::ITE: return mk(K::ITE);
      case Kind::EQUAL: return mk(K::EQUAL);
      case Kind::ADD: return mk(K::ADD);
      case Kind::SUB: return mk(K::SUB);
      case Kind::NEG: return mk(K::NEG);
      case Kind::MUL: return mk(K::MULT);
      case Kind::LE: return mk(K::LEQ);
      case Kind::LT: return mk(K::LT);
      case Kind::GE: return mk(K::GEQ);
      case Kind::GT: return mk(K::GT);
      case Kind::TO_REAL: return mk(K::TO_REAL);
      case Kind::INT_DIV: return mk(K::INTS_DIVISION);
      case Kind::BV_ADD: return mk(K::BITVECTOR_ADD);
      case Kind::BV_SUB: return mk(K::BITVECTOR_SUB);
      case Kind::BV_NEG: return mk(K::BITVECTOR_NEG);
      case Kind::BV_MUL: return mk(K::BITVECTOR_MULT);
      case Kind::BV_ASHR:
        a.push_back(d_solver.mkBitVector(n.sort.width, std::to_string(n.p0), 10));
        return mk(K::BITVECTOR_ASHR);
      case Kind::BV_EXTRACT: return mk_indexed(K::BITVECTOR_EXTRACT, {n.p0, n.p1});
      case Kind::BV_SIGN_EXTEND: return mk_indexed(K::BITVECTOR_SIGN_EXTEND, {n.p0});
      case Kind::BV_ZERO_EXTEND: return mk_indexed(K::BITVECTOR_ZERO_EXTEND, {n.p0});
      case Kind::BV_SLE: return mk(K::BITVECTOR_SLE);
      case Kind::BV_SLT: return mk(K::BITVECTOR_SLT);
      case Kind::BV_ULE: return mk(K::BITVECTOR_ULE);
      case Kind::BV_ULT: return mk(K::BITVECTOR_ULT);
      case Kind::BV_TO_NAT: return mk(K::BITVECTOR_TO_NAT);
    }
    throw std::logic_error("cvc5 backend: unknown term kind");
  }

  const TermManager& d_terms;
  cvc5::Solver d_solver;
  std::vector<cvc5::Term> d_cache;  ///< indexed by Term; null = not translated yet
  cvc5::Result d_result;
  bool d_has_model = false;
};

}  // namespace

std::unique_ptr<Backend> make_cvc5_backend(const TermManager& terms, const BackendOptions& options) {
  return std::make_unique<Cvc5Backend>(terms, options);
}

std::string cvc5_version() {
  static const std::string version = cvc5::Solver().getVersion();  // cvc5 1.0: a member, not static
  return version;
}

}  // namespace qeb::smt
