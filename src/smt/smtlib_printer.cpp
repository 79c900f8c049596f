#include "smt/smtlib_printer.h"

#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

namespace qeb::smt {

namespace {

[[noreturn]] void printer_misuse(const std::string& what) { throw std::logic_error("SMT-LIB printer: " + what); }

std::string natural(const BigInt& v) { return v.str(); }

// Int k / (- k); Real always with a decimal point (a bare 3 is an Int, which cvc5 will not mix).
std::string arith_literal(const Rational& v, bool real) {
  BigInt num = abs(boost::multiprecision::numerator(v)), den = boost::multiprecision::denominator(v);
  std::string body;
  if (!real) body = natural(num);
  else if (den == 1) body = natural(num) + ".0";
  else body = "(/ " + natural(num) + ".0 " + natural(den) + ".0)";
  return v < 0 ? "(- " + body + ")" : body;
}

std::string bv_literal(const BigInt& v, uint32_t width) {
  if (width > 32) return "(_ bv" + natural(v) + " " + std::to_string(width) + ")";
  std::string bits(width, '0');
  for (uint32_t b = 0; b < width; ++b)
    if (bit_test(v, b)) bits[width - 1 - b] = '1';
  return "#b" + bits;
}

// A simple symbol as is; anything else quoted (our names never contain '|' or '\').
std::string symbol(const std::string& name) {
  static const std::string extra = "~!@$%^&*_-+=<>.?/";
  bool simple = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
  for (char c : name) simple &= std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != std::string::npos;
  if (simple) return name;
  if (name.find_first_of("|\\") != std::string::npos) printer_misuse("symbol with '|' or '\\': " + name);
  return "|" + name + "|";
}

const char* op_name(Kind k) {
  switch (k) {
    case Kind::NOT: return "not";
    case Kind::AND: return "and";
    case Kind::OR: return "or";
    case Kind::IMPLIES: return "=>";
    case Kind::ITE: return "ite";
    case Kind::EQUAL: return "=";
    case Kind::ADD: return "+";
    case Kind::SUB: case Kind::NEG: return "-";
    case Kind::MUL: return "*";
    case Kind::LE: return "<=";
    case Kind::LT: return "<";
    case Kind::GE: return ">=";
    case Kind::GT: return ">";
    case Kind::TO_REAL: return "to_real";
    case Kind::INT_DIV: return "div";
    case Kind::BV_ADD: return "bvadd";
    case Kind::BV_SUB: return "bvsub";
    case Kind::BV_NEG: return "bvneg";
    case Kind::BV_MUL: return "bvmul";
    case Kind::BV_ASHR: return "bvashr";
    case Kind::BV_SLE: return "bvsle";
    case Kind::BV_SLT: return "bvslt";
    case Kind::BV_ULE: return "bvule";
    case Kind::BV_ULT: return "bvult";
    case Kind::BV_TO_NAT: return "bv2nat";
    default: return nullptr;  // leaves and indexed operators
  }
}

/** Prints terms, naming those in `names` (declared variables, define-fun'd terms). */
class TermWriter {
 public:
  TermWriter(const TermManager& terms, const std::unordered_map<Term, std::string>& names)
      : d_terms(terms), d_names(names) {}

  void write(std::ostream& out, Term t) const {
    if (auto it = d_names.find(t); it != d_names.end()) {
      out << it->second;
      return;
    }
    const Node& n = d_terms.node(t);
    switch (n.kind) {
      case Kind::CONST_BOOL: out << (n.value != 0 ? "true" : "false"); return;
      case Kind::CONST_ARITH: out << arith_literal(n.value, n.sort.kind == SortKind::REAL); return;
      case Kind::CONST_BV: out << bv_literal(boost::multiprecision::numerator(n.value), n.sort.width); return;
      case Kind::VARIABLE: printer_misuse("undeclared variable " + n.name);
      case Kind::BV_EXTRACT: out << "((_ extract " << n.p0 << " " << n.p1 << ") "; break;
      case Kind::BV_SIGN_EXTEND: out << "((_ sign_extend " << n.p0 << ") "; break;
      case Kind::BV_ZERO_EXTEND: out << "((_ zero_extend " << n.p0 << ") "; break;
      default: out << "(" << op_name(n.kind) << " "; break;
    }
    for (std::size_t i = 0; i < n.args.size(); ++i) {
      if (i) out << " ";
      write(out, n.args[i]);
    }
    // The shift amount is a constant of the operand's width.
    if (n.kind == Kind::BV_ASHR) out << " " << bv_literal(n.p0, n.sort.width);
    out << ")";
  }

 private:
  const TermManager& d_terms;
  const std::unordered_map<Term, std::string>& d_names;
};

bool is_leaf(Kind k) {
  return k == Kind::CONST_BOOL || k == Kind::CONST_ARITH || k == Kind::CONST_BV || k == Kind::VARIABLE;
}

void check_status(const std::string& s) {
  if (s != "sat" && s != "unsat" && s != "unknown") printer_misuse("status must be sat, unsat or unknown, not '" + s + "'");
}

}  // namespace

void print_smtlib(std::ostream& out, const TermManager& terms, const Script& script) {
  check_status(script.status);
  if (script.source.find('|') != std::string::npos) printer_misuse("'|' in the source text");
  std::vector<Term> roots = script.assertions;
  for (const ScopedCheck& c : script.checks) {
    check_status(c.status);
    roots.insert(roots.end(), c.assertions.begin(), c.assertions.end());
  }
  // Uses of every term reachable from a root (ids are topological: one backward sweep suffices).
  std::vector<uint32_t> uses(terms.size(), 0);
  std::vector<bool> reached(terms.size(), false);
  for (Term r : roots) reached[r] = true, ++uses[r];
  for (std::size_t i = terms.size(); i-- > 0;) {
    if (!reached[i]) continue;
    for (Term a : terms.node(Term(i)).args) reached[a] = true, ++uses[a];
  }

  out << "(set-info :smt-lib-version 2.6)\n(set-logic " << script.logic << ")\n(set-info :source |" << script.source
      << "|)\n(set-info :license \"https://creativecommons.org/licenses/by/4.0/\")\n"
      << "(set-info :category \"industrial\")\n(set-info :status " << script.status << ")\n";

  std::unordered_map<Term, std::string> names;
  std::set<std::string> taken;
  for (Term v : terms.variables()) {
    if (!reached[v]) continue;
    std::string name = symbol(terms.node(v).name);
    if (!taken.insert(name).second) name = symbol(terms.node(v).name + "__" + std::to_string(v));
    taken.insert(name);
    names[v] = name;
    out << "(declare-fun " << name << " () " << terms.sort(v).to_string() << ")\n";
  }
  // Shared subterms, in topological order so every definition precedes its uses. They are all
  // global (before any push), so scoped checks may share them too.
  TermWriter writer(terms, names);
  for (std::size_t i = 0; i < terms.size(); ++i) {
    if (!reached[i] || uses[i] < 2 || is_leaf(terms.node(Term(i)).kind)) continue;
    std::string name = "_t" + std::to_string(i);
    out << "(define-fun " << name << " () " << terms.sort(Term(i)).to_string() << " ";
    writer.write(out, Term(i));
    out << ")\n";
    names[Term(i)] = name;
  }
  auto assert_all = [&](const std::vector<Term>& assertions) {
    for (Term a : assertions) {
      if (!(terms.sort(a) == Sort::boolean())) printer_misuse("assertion of sort " + terms.sort(a).to_string());
      out << "(assert ";
      writer.write(out, a);
      out << ")\n";
    }
  };
  assert_all(script.assertions);
  if (script.checks.empty()) out << "(check-sat)\n";
  for (const ScopedCheck& c : script.checks) {
    out << "(push 1)\n";
    assert_all(c.assertions);
    out << "(set-info :status " << c.status << ")\n(check-sat)\n(pop 1)\n";
  }
  out << "(exit)\n";
}

std::string to_smtlib(const TermManager& terms, Term t) {
  std::unordered_map<Term, std::string> names;
  for (Term v : terms.variables()) names[v] = symbol(terms.node(v).name);
  std::ostringstream out;
  TermWriter(terms, names).write(out, t);
  return out.str();
}

}  // namespace qeb::smt
