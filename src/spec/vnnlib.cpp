// VNN-LIB text -> regions and output violations. A walk over the commands (spec/sexpr.h reads the
// text), the assertions multiplied out into cases, each case's input bounds rounded inward to an
// integer box. All arithmetic is exact.
#include "spec/vnnlib.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "core/error.h"
#include "core/input_file.h"
#include "spec/sexpr.h"

namespace qeb::spec {
namespace {

constexpr std::size_t kMaxCases = 10000;

enum class VarKind { INPUT, OUTPUT };
struct Var {
  VarKind kind;
  std::size_t index;
};

/** X_k op c, as written (op after moving the variable to the left). */
struct InputBound {
  std::size_t k;
  std::string op;
  Rational c;
  std::string text;
};

/** A conjunction: input bounds and output constraints. */
struct Case {
  std::vector<InputBound> inputs;
  std::vector<OutputConstraint> outputs;
};
using Cases = std::vector<Case>;  ///< their disjunction

/** sum y_j * Y_j + constant */
struct Linear {
  std::map<std::size_t, Rational> y;
  Rational constant = 0;
  bool is_constant() const { return y.empty(); }
  Linear scaled(const Rational& a) const {
    Linear r;
    for (const auto& [j, c] : y) r.y[j] = c * a;
    r.constant = constant * a;
    return r;
  }
  Linear& add(const Linear& o) {
    for (const auto& [j, c] : o.y) y[j] += c;
    constant += o.constant;
    return *this;
  }
};

/** Bounds of one coordinate in integers (x̂), as the tightest seen so far. */
struct Bounds {
  std::optional<BigInt> lo, hi;
  std::string lo_text, hi_text;  ///< the real bounds that gave them, for messages
};

class VnnlibReader {
 public:
  VnnlibReader(const std::string& source, std::size_t input_size, std::size_t output_size, const Rational& scale,
               const FixedPointFormat& in, int64_t zero_point)
      : source_(source), input_size_(input_size), output_size_(output_size), scale_(scale), zero_(zero_point), in_(in) {}

  VnnlibProperty read(const std::string& text) {
    Cases all = {Case{}};
    for (const SExpr& c : parse_sexprs(text, source_)) {
      if (!c.is_list || c.items.empty() || c.items[0].is_list) fail(c.line, "expected a command, found " + c.show());
      const std::string& name = c.items[0].atom;
      if (name == "declare-const") {
        declare(c);
      } else if (name == "assert") {
        if (c.items.size() != 2) fail(c.line, "assert takes one formula, found " + std::to_string(c.items.size() - 1));
        std::size_t inputs = 0, outputs = 0;
        scan(c.items[1], inputs, outputs);
        if (inputs == 0 && outputs == 0) fail(c.line, "an assertion without variables is not supported");
        output_assertions_ += inputs == 0;
        all = conjoin(std::move(all), formula(c.items[1]), c.line);
      } else {
        fail(c.line, "unsupported command '" + name + "' (a property file has declare-const and assert only)");
      }
    }
    return result(all);
  }

 private:
  [[noreturn]] void fail(std::size_t line, const std::string& problem) const {
    throw InputError(source_, (line ? "line " + std::to_string(line) + ": " : "") + problem);
  }

  // ------------------------------------------------------------ declarations and variables

  /** X_i / Y_j with a canonical decimal index; nullopt for any other name. */
  static std::optional<Var> variable_name(const std::string& name) {
    if (name.size() < 3 || (name[0] != 'X' && name[0] != 'Y') || name[1] != '_') return std::nullopt;
    std::string digits = name.substr(2);
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos ||
        (digits.size() > 1 && digits[0] == '0'))
      return std::nullopt;
    return Var{name[0] == 'X' ? VarKind::INPUT : VarKind::OUTPUT, std::stoul(digits)};
  }

  std::optional<Var> variable(const SExpr& n) const { return n.is_list ? std::nullopt : variable_name(n.atom); }

  void declare(const SExpr& c) {
    if (c.items.size() != 3 || c.items[1].is_list || c.items[2].is_list) fail(c.line, "expected (declare-const NAME Real)");
    const std::string& name = c.items[1].atom;
    std::optional<Var> v = variable_name(name);
    if (!v) fail(c.line, "unknown variable name '" + name + "' (inputs are X_0, X_1, ..., outputs Y_0, Y_1, ...)");
    if (c.items[2].atom != "Real") fail(c.line, name + " is declared " + c.items[2].atom + "; only Real is supported");
    if (v->kind == VarKind::INPUT && v->index >= input_size_)
      fail(c.line, name + " is declared, but the network has " + std::to_string(input_size_) + " inputs (X_0..X_" +
                       std::to_string(input_size_ - 1) + ")");
    if (v->kind == VarKind::OUTPUT && output_size_ > 0 && v->index >= output_size_)
      fail(c.line, name + " is declared, but the network has " + std::to_string(output_size_) + " outputs (Y_0..Y_" +
                       std::to_string(output_size_ - 1) + ")");
    if (!declared_.emplace(name, c.line).second)
      fail(c.line, name + " is declared twice (first at line " + std::to_string(declared_[name]) + ")");
  }

  static bool is_operator(const std::string& s) {
    for (const char* op : {"and", "or", "not", "=>", "<=", ">=", "<", ">", "=", "+", "-", "*", "/"})
      if (s == op) return true;
    return false;
  }

  /** Counts the input and output variables of a formula; an undeclared name is an error. */
  void scan(const SExpr& f, std::size_t& inputs, std::size_t& outputs) const {
    if (!f.is_list) {
      if (std::optional<Var> v = variable_name(f.atom)) {
        if (!declared_.count(f.atom)) fail(f.line, "unknown variable " + f.atom + " (not declared)");
        ++(v->kind == VarKind::INPUT ? inputs : outputs);
      } else if (!is_decimal(f.atom) && !is_operator(f.atom)) {
        if (looks_numeric(f.atom)) parse_decimal(f, source_);  // fails, saying why
        fail(f.line, "unknown variable or symbol " + f.show());
      }
      return;
    }
    for (const SExpr& item : f.items) scan(item, inputs, outputs);
  }

  // ------------------------------------------------------------ formulas -> cases

  Cases conjoin(Cases a, const Cases& b, std::size_t line) const {
    if (b.size() == 1) {  // the common case (a bound, a conjunction): append in place, linear overall
      for (Case& c : a) {
        c.inputs.insert(c.inputs.end(), b[0].inputs.begin(), b[0].inputs.end());
        c.outputs.insert(c.outputs.end(), b[0].outputs.begin(), b[0].outputs.end());
      }
      return a;
    }
    if (a.size() * b.size() > kMaxCases)
      fail(line, "the property's disjunctions multiply out to " + std::to_string(a.size() * b.size()) +
                     " cases; at most " + std::to_string(kMaxCases) + " are supported");
    Cases out;
    for (const Case& x : a)
      for (const Case& y : b) {
        Case c = x;
        c.inputs.insert(c.inputs.end(), y.inputs.begin(), y.inputs.end());
        c.outputs.insert(c.outputs.end(), y.outputs.begin(), y.outputs.end());
        out.push_back(std::move(c));
      }
    return out;
  }

  Cases formula(const SExpr& f) const {
    if (!f.is_list || f.items.empty() || f.items[0].is_list)
      fail(f.line, "expected a comparison such as (<= X_0 0.5), found " + f.show());
    const std::string& op = f.items[0].atom;
    if (op == "and") {
      Cases c = {Case{}};
      for (std::size_t k = 1; k < f.items.size(); ++k) c = conjoin(std::move(c), formula(f.items[k]), f.line);
      return c;
    }
    if (op == "or") {
      Cases c;
      for (std::size_t k = 1; k < f.items.size(); ++k) {
        Cases d = formula(f.items[k]);
        c.insert(c.end(), d.begin(), d.end());
        if (c.size() > kMaxCases) fail(f.line, "more than " + std::to_string(kMaxCases) + " disjuncts are not supported");
      }
      return c;
    }
    std::size_t inputs = 0, outputs = 0;
    scan(f, inputs, outputs);
    if (op != "<=" && op != ">=" && op != "<" && op != ">" && op != "=")
      fail(f.line, "unsupported operator '" + op + "' over " + (inputs ? "inputs" : "outputs") +
                       " (supported: and, or, <=, >=, <, >, =)");
    if (f.items.size() != 3) fail(f.line, "(" + op + " ...) takes two operands here, found " + std::to_string(f.items.size() - 1));
    if (inputs == 0 && outputs == 0) fail(f.line, "a comparison without variables is not supported");
    if (inputs > 0 && outputs > 0)
      fail(f.line, "a comparison mixes inputs X_i and outputs Y_j: input comparisons bound one X_i by a number, "
                   "output comparisons relate the Y_j");
    return {inputs ? Case{{input_bound(f, op)}, {}} : Case{{}, output_constraints(f, op)}};
  }

  /** X_i op c or c op X_i. */
  InputBound input_bound(const SExpr& f, const std::string& op) const {
    const SExpr *a = &f.items[1], *b = &f.items[2];
    bool var_left = variable(*a).has_value(), var_right = variable(*b).has_value();
    if (var_left == var_right)
      fail(f.line, "expected one input variable and one number in (" + op + " ...), found " + a->show() + " and " + b->show());
    std::string flipped = op;  // rewrite c op X as X op' c
    if (!var_left) {
      std::swap(a, b);
      flipped = op == "<=" ? ">=" : op == ">=" ? "<=" : op == "<" ? ">" : op == ">" ? "<" : "=";
    }
    std::string text;
    Rational c = constant(*b, text);
    return {variable(*a)->index, flipped, c, text};
  }

  /** A number atom or (- c); sets `text` to its written form. */
  Rational constant(const SExpr& n, std::string& text) const {
    if (n.head_is("-") && n.items.size() == 2) {
      Rational v = -constant(n.items[1], text);
      text = "-" + text;
      return v;
    }
    if (n.is_list) fail(n.line, "expected a number, found " + n.show() + " (supported: decimals and (- c))");
    text = n.atom;
    return parse_decimal(n, source_);
  }

  /** (op a b) over outputs as constraints L < 0 / L <= 0 (two for =). */
  std::vector<OutputConstraint> output_constraints(const SExpr& f, const std::string& op) const {
    Linear left = linear(f.items[1]), right = linear(f.items[2]);
    Linear less = left;
    less.add(right.scaled(-1));          // left - right
    Linear greater = less.scaled(-1);    // right - left
    auto make = [&](const Linear& l, bool strict) {
      OutputConstraint c;
      for (const auto& [j, a] : l.y)
        if (a != 0) c.terms.push_back({j, a});
      c.constant = l.constant;
      c.strict = strict;
      c.line = f.line;
      return c;
    };
    if (op == "<=") return {make(less, false)};
    if (op == "<") return {make(less, true)};
    if (op == ">=") return {make(greater, false)};
    if (op == ">") return {make(greater, true)};
    return {make(less, false), make(greater, false)};
  }

  /** A linear term over the outputs: Y_j, numbers, +, -, * by a number. */
  Linear linear(const SExpr& n) const {
    Linear r;
    if (!n.is_list) {
      if (std::optional<Var> v = variable(n)) {
        r.y[v->index] = 1;
      } else {
        r.constant = parse_decimal(n, source_);
      }
      return r;
    }
    if (n.items.empty() || n.items[0].is_list) fail(n.line, "expected a term over outputs, found " + n.show());
    const std::string& op = n.items[0].atom;
    if (n.items.size() < 2) fail(n.line, "(" + op + ") needs operands");
    if (op == "+") {
      for (std::size_t k = 1; k < n.items.size(); ++k) r.add(linear(n.items[k]));
      return r;
    }
    if (op == "-") {
      r = linear(n.items[1]);
      if (n.items.size() == 2) return r.scaled(-1);
      for (std::size_t k = 2; k < n.items.size(); ++k) r.add(linear(n.items[k]).scaled(-1));
      return r;
    }
    if (op == "*") {
      r.constant = 1;
      for (std::size_t k = 1; k < n.items.size(); ++k) {
        Linear f = linear(n.items[k]);
        if (!r.is_constant() && !f.is_constant())
          fail(n.line, "a product of two outputs is not linear; (* ...) takes a number and a term");
        r = r.is_constant() ? f.scaled(r.constant) : r.scaled(f.constant);
      }
      return r;
    }
    fail(n.line, "unsupported operator '" + op + "' in a term over outputs (supported: +, -, *)");
  }

  // ------------------------------------------------------------ cases -> regions

  /** The integer box of one case; nullopt when it holds no integer point (and `empty_error` says why). */
  std::optional<Box> box_of(const Case& c, const std::string& where, std::string& empty_error) const {
    std::vector<Bounds> bounds(input_size_);
    for (const InputBound& b : c.inputs) {
      Rational scaled = b.c * scale_;
      // (x̂ - z) / scale compared with c: the integer bounds of x̂ - z, shifted by the zero point z.
      BigInt fl = floor_of(scaled) + zero_, ce = boost::multiprecision::denominator(scaled) == 1 ? fl : BigInt(fl + 1);
      Bounds& bd = bounds[b.k];
      auto lower = [&](const BigInt& v) {
        if (bd.lo && v <= *bd.lo) return;
        bd.lo = v;
        bd.lo_text = (b.op == ">" ? "> " : ">= ") + b.text;
      };
      auto upper = [&](const BigInt& v) {
        if (bd.hi && v >= *bd.hi) return;
        bd.hi = v;
        bd.hi_text = (b.op == "<" ? "< " : "<= ") + b.text;
      };
      // x̂ / scale >= c  <=>  x̂ >= ceil(c scale);   x̂ / scale > c  <=>  x̂ >= floor(c scale) + 1
      if (b.op == ">=" || b.op == "=") lower(ce);
      if (b.op == ">") lower(fl + 1);
      if (b.op == "<=" || b.op == "=") upper(fl);
      if (b.op == "<") upper(ce - 1);
    }
    Box box;
    const BigInt min_int = in_.min_int(), max_int = in_.max_int();
    for (std::size_t k = 0; k < input_size_; ++k) {
      const Bounds& b = bounds[k];
      std::string x = "X_" + std::to_string(k);
      if (!b.lo || !b.hi)
        fail(0, x + " has no " + (b.lo ? "upper" : b.hi ? "lower" : "lower and no upper") + " bound" + where +
                    " (every input X_0..X_" + std::to_string(input_size_ - 1) + " needs both)");
      if (*b.lo > *b.hi) {
        empty_error = "the region is empty at " + x + where + ": the bounds " + b.lo_text + " and " + b.hi_text +
                      " leave no integer x with " + (zero_ ? "(x - " + std::to_string(zero_) + ")" : std::string("x")) + "/" + qeb::to_string(scale_) + " between them (rounded inward: " +
                      b.lo->str() + ":" + b.hi->str() + ")";
        return std::nullopt;
      }
      if (*b.lo > max_int || *b.hi < min_int) {
        empty_error = "the region is empty at " + x + where + ": its integer bounds " + b.lo->str() + ":" + b.hi->str() +
                      " lie outside the input format " + in_.to_string() + " range [" + min_int.str() + ", " +
                      max_int.str() + "]";
        return std::nullopt;
      }
      BigInt lo = *b.lo < min_int ? min_int : *b.lo, hi = *b.hi > max_int ? max_int : *b.hi;
      if ((lo != *b.lo || hi != *b.hi) && clipped_++ == 0)
        first_clip_ = x + ": " + b.lo->str() + ":" + b.hi->str() + " -> " + lo.str() + ":" + hi.str();
      box.lo.push_back(lo.convert_to<int64_t>());
      box.hi.push_back(hi.convert_to<int64_t>());
    }
    return box;
  }

  VnnlibProperty result(const Cases& cases) const {
    std::size_t inputs = 0;
    for (const auto& [name, line] : declared_) inputs += name[0] == 'X';
    if (inputs != input_size_)
      fail(0, "the property declares " + std::to_string(inputs) + " inputs but the network has " +
                  std::to_string(input_size_) + " (X_0..X_" + std::to_string(input_size_ - 1) + ")");
    VnnlibProperty out;
    out.output_assertions = output_assertions_;
    for (const Case& c : cases) out.has_output_constraints = out.has_output_constraints || !c.outputs.empty();
    std::size_t empty = 0;
    std::string first_empty;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      std::string where = cases.size() > 1 ? " in case " + std::to_string(i + 1) + " of the " +
                                                 std::to_string(cases.size()) + " the disjunctions give"
                                           : "";
      std::string why;
      std::optional<Box> box = box_of(cases[i], where, why);
      if (!box) {
        if (empty++ == 0) first_empty = why;
        continue;
      }
      auto same = std::find_if(out.regions.begin(), out.regions.end(),
                               [&](const VnnlibRegion& r) { return r.box.lo == box->lo && r.box.hi == box->hi; });
      if (same == out.regions.end()) {
        out.regions.push_back({*box, {}});
        same = out.regions.end() - 1;
      }
      if (out.has_output_constraints) same->violation.disjuncts.push_back(cases[i].outputs);
    }
    if (out.regions.empty()) fail(0, first_empty);
    if (empty)
      out.notes.push_back(std::to_string(empty) + " of " + std::to_string(cases.size()) +
                          " cases hold no integer input and are left out (first: " + first_empty + ")");
    if (clipped_) {
      out.clipped = true;
      const BigInt min_int = in_.min_int(), max_int = in_.max_int();
      out.notes.push_back(std::to_string(clipped_) + " input coordinate" + (clipped_ == 1 ? "" : "s") +
                          " clipped to the input format " + in_.to_string() + " range [" + min_int.str() + ", " +
                          max_int.str() + "] (first " + first_clip_ + ")");
    }
    return out;
  }

  std::string source_;
  std::size_t input_size_, output_size_;
  Rational scale_;
  int64_t zero_ = 0;
  FixedPointFormat in_;
  std::map<std::string, std::size_t> declared_;  ///< name -> line
  std::size_t output_assertions_ = 0;
  mutable std::size_t clipped_ = 0;
  mutable std::string first_clip_;
};

}  // namespace

VnnlibProperty parse_vnnlib(const std::string& text, std::size_t input_size, std::size_t output_size,
                            const Rational& input_scale, const FixedPointFormat& input_format, const std::string& source,
                            int64_t zero_point) {
  if (input_scale <= 0) throw InputError(source, "the input scale must be positive");
  return VnnlibReader(source, input_size, output_size, input_scale, input_format, zero_point).read(text);
}

VnnlibProperty load_vnnlib(const std::string& path, std::size_t input_size, std::size_t output_size,
                           const Rational& input_scale, const FixedPointFormat& input_format, int64_t zero_point) {
  std::ifstream in = open_input_file(path, "property file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_vnnlib(text.str(), input_size, output_size, input_scale, input_format, path, zero_point);
}

VnnlibBox parse_vnnlib_box(const std::string& text, std::size_t input_size, const Rational& input_scale,
                           const FixedPointFormat& input_format, const std::string& source) {
  VnnlibProperty p = parse_vnnlib(text, input_size, 0, input_scale, input_format, source);
  if (p.regions.size() > 1)
    throw InputError(source, "the property describes " + std::to_string(p.regions.size()) +
                                 " input boxes (a disjunction); this command takes one (verify takes several)");
  VnnlibBox out{p.regions[0].box, p.notes, p.clipped};
  if (p.has_output_constraints)
    out.notes.push_back((p.output_assertions ? std::to_string(p.output_assertions) + " output assertion" +
                                                   (p.output_assertions == 1 ? "" : "s") + " ignored"
                                             : std::string("the output constraints are ignored")) +
                        ": qeb-smt checks |QNN - DNN| <= eps, not the property's output constraints");
  return out;
}

VnnlibBox load_vnnlib_box(const std::string& path, std::size_t input_size, const Rational& input_scale,
                          const FixedPointFormat& input_format) {
  std::ifstream in = open_input_file(path, "property file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_vnnlib_box(text.str(), input_size, input_scale, input_format, path);
}

}  // namespace qeb::spec
