#include "backend/z3/z3_backend.h"

#include <z3++.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <unordered_set>

namespace qeb::smt {

namespace {

/** Z3's messages for a bad parameter list every legal parameter: keep the first line. */
std::string first_line(std::string s) {
  if (auto p = s.find('\n'); p != std::string::npos) s.resize(p);
  return s;
}

/** Parses Z3's exact numeral strings: "n", "-n", "n/d", "-n/d". */
Rational parse_numeral(const std::string& s) {
  auto slash = s.find('/');
  if (slash == std::string::npos) return Rational(BigInt(s));
  return Rational(BigInt(s.substr(0, slash)), BigInt(s.substr(slash + 1)));
}

std::string exact_string(const Rational& v) {
  namespace mp = boost::multiprecision;
  if (mp::denominator(v) == 1) return mp::numerator(v).str();
  return mp::numerator(v).str() + "/" + mp::denominator(v).str();
}

// Measured (bench/incremental.sh): on the bv-lra encoding, Z3's default solver took 1.1 s for the
// first check under an assumption literal; this chain took 0.08 s, and it honours the timeout.
constexpr const char* kDefaultTactics = "simplify,propagate-values,solve-eqs,smt";

class Z3Backend final : public Backend {
 public:
  Z3Backend(const TermManager& terms, const BackendOptions& options)
      : d_terms(terms), d_solver(d_ctx), d_keep(d_ctx) {
    guarded([&] {
      BackendOptions rest = options;
      std::string tactics = kDefaultTactics;
      if (auto t = rest.extra.find("tactic"); t != rest.extra.end()) {
        tactics = t->second;
        rest.extra.erase(t);
      }
      if (tactics != "default") d_solver = tactic_solver(tactics);
      configure(rest);
    });
  }

  std::string name() const override { return "z3"; }

  void assert_formula(Term formula) override {
    require_bool(formula, "assertion");
    guarded([&] {
      d_model.reset();
      d_solver.add(translate(formula));
    });
  }

  void push() override {
    guarded([&] {
      d_model.reset();
      d_solver.push();
    });
  }

  void pop() override {
    guarded([&] {
      d_model.reset();
      d_solver.pop();
    });
  }

  SatResult check(const std::vector<Term>& assumptions) override {
    for (Term a : assumptions) require_bool(a, "assumption");
    d_failure.clear();
    try {
      return guarded([&] {
        d_model.reset();
        z3::check_result r;
        if (assumptions.empty()) {
          r = d_solver.check();
        } else {
          z3::expr_vector v(d_ctx);
          for (Term a : assumptions) v.push_back(translate(a));
          r = d_solver.check(v);
        }
        switch (r) {
          case z3::sat: d_model.emplace(d_solver.get_model()); return SatResult::SAT;
          case z3::unsat: return SatResult::UNSAT;
          case z3::unknown: return SatResult::UNKNOWN;
        }
        return SatResult::UNKNOWN;
      });
    } catch (const SolverError& e) {
      d_failure = std::string("solver error: ") + e.what();
    } catch (const std::bad_alloc&) {
      d_failure = "solver error: z3 ran out of memory";
    }
    return SatResult::UNKNOWN;  // a solver failure is no verdict: reason_unknown() says what happened
  }

  Rational value(Term term) override {
    if (!d_model) throw SolverError("z3: value() needs a SAT answer from the latest check()");
    return guarded([&] {
      z3::expr v = d_model->eval(translate(term), true);
      Sort s = d_terms.sort(term);
      if (s.kind == SortKind::BOOL) {
        if (v.is_true()) return Rational(1);
        if (v.is_false()) return Rational(0);
        throw SolverError("z3: model value of a Bool term is not a constant: " + v.to_string());
      }
      if (!Z3_is_numeral_ast(d_ctx, v)) throw SolverError("z3: model value is not an exact numeral: " + v.to_string());
      std::string text = Z3_get_numeral_string(d_ctx, v);
      d_ctx.check_error();
      return parse_numeral(text);
    });
  }

  void interrupt() override { d_ctx.interrupt(); }

  void set_timeout(double seconds) override {
    double ms = std::ceil(seconds * 1000);
    guarded([&] { d_solver.set("timeout", unsigned(std::clamp(ms, 1.0, double(std::numeric_limits<unsigned>::max() - 1)))); });
  }

  std::string reason_unknown() override {
    if (!d_failure.empty()) return d_failure;
    return guarded([&] {
      std::string r = d_solver.reason_unknown();
      return r.empty() ? std::string("unknown") : r;
    });
  }

 private:
  std::string d_failure;  ///< why the latest check() failed, if it threw inside the solver

  template <class F>
  auto guarded(F f) -> decltype(f()) {
    try {
      return f();
    } catch (const z3::exception& e) {
      throw SolverError("z3: " + first_line(e.msg()));
    }
  }

  void require_bool(Term t, const char* what) const {
    if (t >= d_terms.size()) throw std::logic_error(std::string("z3 backend: ") + what + " is not a term");
    if (d_terms.sort(t).kind != SortKind::BOOL)
      throw std::logic_error(std::string("z3 backend: ") + what + " of sort " + d_terms.sort(t).to_string());
  }

  /**
   * A solver that runs the comma-separated tactics on every check (e.g. "simplify,solve-eqs,smt").
   * Z3's default solver drops its preprocessing once assumptions or push() are used; a tactic-built
   * one keeps it, at the price of starting the search afresh at each check.
   */
  z3::solver tactic_solver(const std::string& names) {
    std::optional<z3::tactic> chain;
    std::size_t begin = 0;
    while (begin <= names.size()) {
      std::size_t end = names.find(',', begin);
      if (end == std::string::npos) end = names.size();
      std::string name = names.substr(begin, end - begin);
      try {
        z3::tactic next(d_ctx, name.c_str());
        chain = chain ? *chain & next : next;
      } catch (const z3::exception& e) {
        throw OptionError("z3 option 'tactic' = '" + names + "': " + first_line(e.msg()));
      }
      begin = end + 1;
    }
    return chain->mk_solver();
  }

  void configure(const BackendOptions& options) {
    if (options.timeout_seconds > 0) set_timeout(options.timeout_seconds);
    d_solver.set("random_seed", options.seed);
    if (options.extra.empty()) return;
    // Z3 checks a solver's parameters only when it builds the solver at the first check(): validate
    // each one now against the descriptions (which also know module-qualified names).
    Z3_param_descrs descrs = Z3_solver_get_param_descrs(d_ctx, d_solver);
    d_ctx.check_error();
    Z3_param_descrs_inc_ref(d_ctx, descrs);
    struct Release {
      Z3_context c;
      Z3_param_descrs d;
      ~Release() { Z3_param_descrs_dec_ref(c, d); }
    } release{d_ctx, descrs};
    for (const auto& [key, text] : options.extra) set_option(descrs, key, text);
  }

  /** Sets one solver parameter, typed by Z3's description of it (or tried as each plausible type). */
  void set_option(Z3_param_descrs descrs, const std::string& key, const std::string& text) {
    std::optional<bool> as_bool;
    if (text == "true") as_bool = true;
    if (text == "false") as_bool = false;
    std::optional<unsigned> as_uint;
    if (!text.empty() && text.size() <= 10 && text.find_first_not_of("0123456789") == std::string::npos) {
      unsigned long long v = std::stoull(text);
      if (v <= std::numeric_limits<unsigned>::max()) as_uint = unsigned(v);
    }
    std::optional<double> as_double;
    try {
      std::size_t used = 0;
      double v = std::stod(text, &used);
      if (used == text.size()) as_double = v;
    } catch (const std::exception&) {
    }

    Z3_param_kind described = Z3_param_descrs_get_kind(d_ctx, descrs, Z3_mk_string_symbol(d_ctx, key.c_str()));
    std::vector<Z3_param_kind> kinds;
    if (described == Z3_PK_INVALID || described == Z3_PK_OTHER)
      kinds = {Z3_PK_BOOL, Z3_PK_UINT, Z3_PK_DOUBLE, Z3_PK_SYMBOL};  // e.g. "smt.arith.solver"
    else
      kinds = {described};
    std::string problem;
    for (Z3_param_kind kind : kinds) {
      z3::params p(d_ctx);
      switch (kind) {
        case Z3_PK_BOOL:
          if (!as_bool) { problem = problem.empty() ? "expected true or false" : problem; continue; }
          p.set(key.c_str(), *as_bool);
          break;
        case Z3_PK_UINT:
          if (!as_uint) { problem = problem.empty() ? "expected an unsigned integer" : problem; continue; }
          p.set(key.c_str(), *as_uint);
          break;
        case Z3_PK_DOUBLE:
          if (!as_double) { problem = problem.empty() ? "expected a number" : problem; continue; }
          p.set(key.c_str(), *as_double);
          break;
        default:
          p.set(key.c_str(), text.c_str());
          break;
      }
      try {
        Z3_params_validate(d_ctx, p, descrs);
        d_ctx.check_error();
        d_solver.set(p);
        return;
      } catch (const z3::exception& e) {
        // Z3's own complaint ("unknown parameter", "expected unsigned int") beats our type guess.
        if (problem.empty() || problem.rfind("expected", 0) == 0) problem = first_line(e.msg());
      }
    }
    throw OptionError("z3 option '" + key + "' = '" + text + "': " + problem);
  }

  /** Wraps a fresh AST at once: an unreferenced AST may be freed by the next API call. */
  z3::expr wrap(Z3_ast a) {
    if (!a) {
      d_ctx.check_error();
      throw SolverError("z3: term construction failed");
    }
    z3::expr e(d_ctx, a);
    d_ctx.check_error();
    return e;
  }

  z3::sort to_sort(Sort s) {
    switch (s.kind) {
      case SortKind::BOOL: return d_ctx.bool_sort();
      case SortKind::INT: return d_ctx.int_sort();
      case SortKind::REAL: return d_ctx.real_sort();
      case SortKind::BITVEC: return d_ctx.bv_sort(s.width);
    }
    throw std::logic_error("z3 backend: unknown sort");
  }

  z3::expr cached(Term t) { return z3::expr(d_ctx, d_cache[t]); }

  z3::expr translate(Term root) {
    if (root >= d_terms.size()) throw std::logic_error("z3 backend: term does not exist");
    if (d_cache.size() < d_terms.size()) d_cache.resize(d_terms.size(), nullptr);
    if (d_cache[root]) return cached(root);
    std::vector<Term> todo = d_terms.missing_cone(root, [&](Term a) { return d_cache[a] != nullptr; });
    for (Term t : todo) {
      z3::expr e = build(t);
      d_keep.push_back(e);  // owns the reference that d_cache borrows
      d_cache[t] = e;
    }
    return cached(root);
  }

  z3::expr build(Term t) {
    const Node& n = d_terms.node(t);
    std::vector<Z3_ast> a;
    a.reserve(n.args.size());
    for (Term x : n.args) a.push_back(d_cache[x]);
    Z3_context c = d_ctx;
    auto numeral = [&](const std::string& text, Sort s) { return wrap(Z3_mk_numeral(c, text.c_str(), to_sort(s))); };
    switch (n.kind) {
      case Kind::CONST_BOOL: return d_ctx.bool_val(n.value != 0);
      case Kind::CONST_ARITH: return numeral(exact_string(n.value), n.sort);
      case Kind::CONST_BV: return numeral(exact_string(n.value), n.sort);
      case Kind::VARIABLE: {
        z3::sort s = to_sort(n.sort);
        // Two TermManager variables of one name are distinct; Z3 would identify them.
        if (d_names.insert(n.name).second) return wrap(Z3_mk_const(c, Z3_mk_string_symbol(c, n.name.c_str()), s));
        return wrap(Z3_mk_fresh_const(c, n.name.c_str(), s));
      }
      case Kind::NOT: return wrap(Z3_mk_not(c, a[0]));
      case Kind::AND: return wrap(Z3_mk_and(c, unsigned(a.size()), a.data()));
      case Kind::OR: return wrap(Z3_mk_or(c, unsigned(a.size()), a.data()));
      case Kind::IMPLIES: return wrap(Z3_mk_implies(c, a[0], a[1]));
      case Kind::ITE: return wrap(Z3_mk_ite(c, a[0], a[1], a[2]));
      case Kind::EQUAL: return wrap(Z3_mk_eq(c, a[0], a[1]));
      case Kind::ADD: return wrap(Z3_mk_add(c, unsigned(a.size()), a.data()));
      case Kind::SUB: return wrap(Z3_mk_sub(c, 2, a.data()));
      case Kind::NEG: return wrap(Z3_mk_unary_minus(c, a[0]));
      case Kind::MUL: return wrap(Z3_mk_mul(c, 2, a.data()));
      case Kind::LE: return wrap(Z3_mk_le(c, a[0], a[1]));
      case Kind::LT: return wrap(Z3_mk_lt(c, a[0], a[1]));
      case Kind::GE: return wrap(Z3_mk_ge(c, a[0], a[1]));
      case Kind::GT: return wrap(Z3_mk_gt(c, a[0], a[1]));
      case Kind::TO_REAL: return wrap(Z3_mk_int2real(c, a[0]));
      case Kind::INT_DIV: return wrap(Z3_mk_div(c, a[0], a[1]));  // on Int: SMT-LIB div (floor for c > 0)
      case Kind::BV_ADD: return wrap(Z3_mk_bvadd(c, a[0], a[1]));
      case Kind::BV_SUB: return wrap(Z3_mk_bvsub(c, a[0], a[1]));
      case Kind::BV_NEG: return wrap(Z3_mk_bvneg(c, a[0]));
      case Kind::BV_MUL: return wrap(Z3_mk_bvmul(c, a[0], a[1]));
      case Kind::BV_ASHR: {
        z3::expr amount = numeral(std::to_string(n.p0), n.sort);
        return wrap(Z3_mk_bvashr(c, a[0], amount));
      }
      case Kind::BV_EXTRACT: return wrap(Z3_mk_extract(c, n.p0, n.p1, a[0]));
      case Kind::BV_SIGN_EXTEND: return wrap(Z3_mk_sign_ext(c, n.p0, a[0]));
      case Kind::BV_ZERO_EXTEND: return wrap(Z3_mk_zero_ext(c, n.p0, a[0]));
      case Kind::BV_SLE: return wrap(Z3_mk_bvsle(c, a[0], a[1]));
      case Kind::BV_SLT: return wrap(Z3_mk_bvslt(c, a[0], a[1]));
      case Kind::BV_ULE: return wrap(Z3_mk_bvule(c, a[0], a[1]));
      case Kind::BV_ULT: return wrap(Z3_mk_bvult(c, a[0], a[1]));
      case Kind::BV_TO_NAT: return wrap(Z3_mk_bv2int(c, a[0], false));
    }
    throw std::logic_error("z3 backend: unknown term kind");
  }

  const TermManager& d_terms;
  z3::context d_ctx;
  z3::solver d_solver;
  z3::expr_vector d_keep;
  std::vector<Z3_ast> d_cache;  ///< indexed by Term; null = not translated yet
  std::unordered_set<std::string> d_names;
  std::optional<z3::model> d_model;
};

}  // namespace

std::unique_ptr<Backend> make_z3_backend(const TermManager& terms, const BackendOptions& options) {
  return std::make_unique<Z3Backend>(terms, options);
}

std::string z3_version() {
  unsigned major = 0, minor = 0, build = 0, revision = 0;
  Z3_get_version(&major, &minor, &build, &revision);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(build) + "." + std::to_string(revision);
}

}  // namespace qeb::smt
