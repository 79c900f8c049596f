// VNN-LIB text -> integer box. An s-expression reader (iterative, depth-limited, one pass: linear in
// the file) and a walk over the commands; every error names the file and the line. All arithmetic is
// exact: decimals become rationals digit by digit, never through a double.
#include "spec/vnnlib.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "core/error.h"
#include "core/input_file.h"

namespace qeb::spec {
namespace {

constexpr std::size_t kMaxDepth = 100;        // VNN-LIB nests 4 or 5 deep; more is garbage
constexpr std::size_t kMaxNumberLength = 400;  // digits beyond this are not a real bound
constexpr long kMaxExponent = 1000;

/** An atom, or a parenthesised list, with the line it starts on. */
struct Node {
  bool is_list = false;
  std::string atom;
  std::vector<Node> items;
  std::size_t line = 0;
};

enum class VarKind { INPUT, OUTPUT };
struct Var {
  VarKind kind;
  std::size_t index;
};

/** Bounds of one coordinate in integers (x̂), as the tightest seen so far. */
struct Bounds {
  std::optional<BigInt> lo, hi;
  std::string lo_text, hi_text;  ///< the real bounds that gave them, for messages
};

class VnnlibReader {
 public:
  VnnlibReader(const std::string& source, std::size_t input_size, const Rational& scale, const FixedPointFormat& in)
      : source_(source), input_size_(input_size), scale_(scale), in_(in), bounds_(input_size) {}

  VnnlibBox read(const std::string& text) {
    std::vector<Node> commands = parse(text);
    for (const Node& c : commands) command(c);
    return result();
  }

 private:
  [[noreturn]] void fail(std::size_t line, const std::string& problem) const {
    throw InputError(source_, (line ? "line " + std::to_string(line) + ": " : "") + problem);
  }

  // ------------------------------------------------------------ s-expressions

  std::vector<Node> parse(const std::string& text) {
    std::vector<Node> top, open;  // `open`: the lists not closed yet, innermost last
    std::size_t line = 1;
    auto add = [&](Node n) { (open.empty() ? top : open.back().items).push_back(std::move(n)); };
    for (std::size_t i = 0; i < text.size();) {
      char c = text[i];
      if (c == '\n') ++line, ++i;
      else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') ++i;
      else if (c == ';') {
        while (i < text.size() && text[i] != '\n') ++i;
      } else if (c == '(') {
        if (open.size() >= kMaxDepth) fail(line, "parentheses nested deeper than " + std::to_string(kMaxDepth));
        open.push_back(Node{true, "", {}, line});
        ++i;
      } else if (c == ')') {
        if (open.empty()) fail(line, "unbalanced ')': no '(' is open");
        Node done = std::move(open.back());
        open.pop_back();
        add(std::move(done));
        ++i;
      } else {
        std::size_t start = i;
        while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])) && text[i] != '(' &&
               text[i] != ')' && text[i] != ';')
          ++i;
        if (open.empty()) fail(line, "'" + text.substr(start, std::min<std::size_t>(i - start, 40)) +
                                         "' outside parentheses (expected a command such as (assert ...))");
        add(Node{false, text.substr(start, i - start), {}, line});
      }
    }
    if (!open.empty())
      fail(0, "truncated file or unbalanced parentheses: " + std::to_string(open.size()) +
                  " '(' still open at the end (the innermost opened at line " + std::to_string(open.back().line) + ")");
    return top;
  }

  static std::string show(const Node& n) {
    if (!n.is_list) return "'" + (n.atom.size() > 40 ? n.atom.substr(0, 40) + "..." : n.atom) + "'";
    return n.items.empty() || n.items[0].is_list ? "a list" : "(" + n.items[0].atom + " ...)";
  }

  static bool head_is(const Node& n, const char* name) {
    return n.is_list && !n.items.empty() && !n.items[0].is_list && n.items[0].atom == name;
  }

  // ------------------------------------------------------------ commands

  void command(const Node& c) {
    if (!c.is_list || c.items.empty() || c.items[0].is_list) fail(c.line, "expected a command, found " + show(c));
    const std::string& name = c.items[0].atom;
    if (name == "declare-const") return declare(c);
    if (name == "assert") {
      if (c.items.size() != 2) fail(c.line, "assert takes one formula, found " + std::to_string(c.items.size() - 1));
      return assertion(c.items[1]);
    }
    fail(c.line, "unsupported command '" + name + "' (a property file has declare-const and assert only)");
  }

  /** X_i / Y_j with a canonical decimal index; nullopt for any other name. */
  static std::optional<Var> variable_name(const std::string& name) {
    if (name.size() < 3 || (name[0] != 'X' && name[0] != 'Y') || name[1] != '_') return std::nullopt;
    std::string digits = name.substr(2);
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos ||
        (digits.size() > 1 && digits[0] == '0'))
      return std::nullopt;
    return Var{name[0] == 'X' ? VarKind::INPUT : VarKind::OUTPUT, std::stoul(digits)};
  }

  void declare(const Node& c) {
    if (c.items.size() != 3 || c.items[1].is_list || c.items[2].is_list)
      fail(c.line, "expected (declare-const NAME Real)");
    const std::string& name = c.items[1].atom;
    std::optional<Var> v = variable_name(name);
    if (!v) fail(c.line, "unknown variable name '" + name + "' (inputs are X_0, X_1, ..., outputs Y_0, Y_1, ...)");
    if (c.items[2].atom != "Real") fail(c.line, name + " is declared " + c.items[2].atom + "; only Real is supported");
    if (v->kind == VarKind::INPUT && v->index >= input_size_)
      fail(c.line, name + " is declared, but the network has " + std::to_string(input_size_) + " inputs (X_0..X_" +
                       std::to_string(input_size_ - 1) + ")");
    if (!declared_.emplace(name, c.line).second)
      fail(c.line, name + " is declared twice (first at line " + std::to_string(declared_[name]) + ")");
  }

  /** Counts the input and output variables of a formula; an undeclared name is an error. */
  void scan(const Node& f, std::size_t& inputs, std::size_t& outputs) const {
    if (!f.is_list) {
      if (std::optional<Var> v = variable_name(f.atom)) {
        if (!declared_.count(f.atom)) fail(f.line, "unknown variable " + f.atom + " (not declared)");
        ++(v->kind == VarKind::INPUT ? inputs : outputs);
      } else if (!is_number(f.atom) && !is_operator(f.atom)) {
        if (looks_numeric(f.atom)) number(f);  // fails, saying why
        fail(f.line, "unknown variable or symbol " + show(f));
      }
      return;
    }
    for (const Node& item : f.items) scan(item, inputs, outputs);
  }

  static bool is_operator(const std::string& s) {
    for (const char* op : {"and", "or", "not", "=>", "<=", ">=", "<", ">", "=", "+", "-", "*", "/"})
      if (s == op) return true;
    return false;
  }

  void assertion(const Node& f) {
    std::size_t inputs = 0, outputs = 0;
    scan(f, inputs, outputs);
    if (inputs == 0 && outputs > 0) {
      ++ignored_outputs_;
      return;
    }
    if (inputs == 0) fail(f.line, "an assertion without variables is not supported");
    if (outputs > 0)
      fail(f.line, "an assertion mixes inputs X_i and outputs Y_j; only bounds on inputs define the region");
    bound(f);
  }

  /** A conjunction of bounds on inputs. */
  void bound(const Node& f) {
    if (!f.is_list || f.items.empty() || f.items[0].is_list)
      fail(f.line, "expected a bound such as (<= X_0 0.5), found " + show(f));
    const std::string& op = f.items[0].atom;
    if (op == "and") {
      for (std::size_t k = 1; k < f.items.size(); ++k) bound(f.items[k]);
      return;
    }
    if (op == "or")
      fail(f.line, "a disjunction (or ...) over inputs describes several boxes, which is not supported: "
                   "write one property file per box");
    if (op != "<=" && op != ">=" && op != "<" && op != ">" && op != "=")
      fail(f.line, "unsupported operator '" + op + "' over inputs (supported: and, <=, >=, <, >, =)");
    if (f.items.size() != 3) fail(f.line, "(" + op + " ...) takes two operands here, found " + std::to_string(f.items.size() - 1));
    const Node *a = &f.items[1], *b = &f.items[2];
    bool var_left = !a->is_list && variable_name(a->atom).has_value();
    bool var_right = !b->is_list && variable_name(b->atom).has_value();
    if (var_left == var_right)
      fail(f.line, "expected one input variable and one number in (" + op + " ...), found " + show(*a) + " and " + show(*b));
    std::string flipped = op;  // rewrite c op X as X op' c
    if (!var_left) {
      std::swap(a, b);
      flipped = op == "<=" ? ">=" : op == ">=" ? "<=" : op == "<" ? ">" : op == ">" ? "<" : "=";
    }
    std::size_t k = variable_name(a->atom)->index;
    std::string text;
    Rational c = constant(*b, text);
    Rational scaled = c * scale_;
    BigInt fl = floor_of(scaled), ce = boost::multiprecision::denominator(scaled) == 1 ? fl : BigInt(fl + 1);
    Bounds& bd = bounds_[k];
    auto lower = [&](const BigInt& v) {
      if (bd.lo && v <= *bd.lo) return;
      bd.lo = v;
      bd.lo_text = (flipped == ">" ? "> " : ">= ") + text;
    };
    auto upper = [&](const BigInt& v) {
      if (bd.hi && v >= *bd.hi) return;
      bd.hi = v;
      bd.hi_text = (flipped == "<" ? "< " : "<= ") + text;
    };
    // x̂ / scale >= c  <=>  x̂ >= ceil(c scale);   x̂ / scale > c  <=>  x̂ >= floor(c scale) + 1
    if (flipped == ">=" || flipped == "=") lower(ce);
    if (flipped == ">") lower(fl + 1);
    if (flipped == "<=" || flipped == "=") upper(fl);
    if (flipped == "<") upper(ce - 1);
  }

  static BigInt floor_of(const Rational& r) {
    BigInt n = boost::multiprecision::numerator(r), d = boost::multiprecision::denominator(r);
    BigInt q = n / d;  // truncates toward zero
    if (q * d != n && n < 0) q -= 1;
    return q;
  }

  /** A number atom or (- c); sets `text` to its written form. */
  Rational constant(const Node& n, std::string& text) const {
    if (head_is(n, "-") && n.items.size() == 2) {
      Rational v = -constant(n.items[1], text);
      text = "-" + text;
      return v;
    }
    if (n.is_list) fail(n.line, "expected a number, found " + show(n) + " (supported: decimals and (- c))");
    text = n.atom;
    return number(n);
  }

  /** A failed attempt at a number: starts like one, or spells NaN / infinity. */
  static bool looks_numeric(const std::string& s) {
    std::string lower;
    for (char ch : s) lower += char(std::tolower(static_cast<unsigned char>(ch)));
    return std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '.' || s[0] == '+' || s[0] == '-' ||
           lower.find("nan") != std::string::npos || lower.find("inf") != std::string::npos;
  }

  /** Decimal syntax: [+-] digits [. digits] [(e|E) [+-] digits], at least one digit before or after the point. */
  static bool is_number(const std::string& s) {
    std::size_t i = 0, n = s.size(), mantissa = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++mantissa;
    if (i < n && s[i] == '.') {
      ++i;
      while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++mantissa;
    }
    if (mantissa == 0) return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
      std::size_t exp_digits = 0;
      while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp_digits;
      if (exp_digits == 0) return false;
    }
    return i == n;
  }

  /** The exact value of a decimal atom. */
  Rational number(const Node& n) const {
    const std::string& s = n.atom;
    if (!is_number(s)) {
      std::string lower;
      for (char ch : s) lower += char(std::tolower(static_cast<unsigned char>(ch)));
      bool special = lower.find("nan") != std::string::npos || lower.find("inf") != std::string::npos;
      fail(n.line, show(n) + " is not a number" + (special ? " (NaN and infinities are not bounds)" : ""));
    }
    if (s.size() > kMaxNumberLength) fail(n.line, "a number of " + std::to_string(s.size()) + " characters is not a bound");
    std::size_t i = 0;
    bool negative = s[0] == '-';
    if (s[0] == '+' || s[0] == '-') ++i;
    std::string digits;
    long exponent = 0;
    for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) digits += s[i];
    if (i < s.size() && s[i] == '.')
      for (++i; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) digits += s[i], --exponent;
    if (i < s.size()) {  // e / E: at most a few characters, checked against an absurd magnitude
      std::string e = s.substr(i + 1);
      std::size_t first = e.find_first_of("0123456789");
      std::size_t nonzero = e.find_first_not_of('0', first);
      if (nonzero != std::string::npos && e.size() - nonzero > 6) fail(n.line, show(n) + " has an absurd exponent");
      long value = nonzero == std::string::npos ? 0 : std::stol(e.substr(nonzero));
      if (value > kMaxExponent) fail(n.line, show(n) + " has an absurd exponent");
      exponent += e[0] == '-' ? -value : value;
    }
    digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));  // no octal prefix for Boost
    BigInt mantissa(digits.empty() ? "0" : digits), ten = 1;
    for (long k = 0; k < std::labs(exponent); ++k) ten *= 10;
    Rational v = exponent >= 0 ? Rational(mantissa * ten) : Rational(mantissa, ten);
    return negative ? Rational(-v) : v;
  }

  // ------------------------------------------------------------ result

  VnnlibBox result() const {
    std::size_t inputs = 0;
    for (const auto& [name, line] : declared_) inputs += name[0] == 'X';
    if (inputs != input_size_)
      fail(0, "the property declares " + std::to_string(inputs) + " inputs but the network has " +
                  std::to_string(input_size_) + " (X_0..X_" + std::to_string(input_size_ - 1) + ")");
    VnnlibBox out;
    std::size_t clipped = 0;
    std::string first_clip;
    const BigInt min_int = in_.min_int(), max_int = in_.max_int();
    for (std::size_t k = 0; k < input_size_; ++k) {
      const Bounds& b = bounds_[k];
      std::string x = "X_" + std::to_string(k);
      if (!b.lo || !b.hi)
        fail(0, x + " has no " + (b.lo ? "upper" : b.hi ? "lower" : "lower and no upper") +
                    " bound (every input X_0..X_" + std::to_string(input_size_ - 1) + " needs both)");
      if (*b.lo > *b.hi)
        fail(0, "the region is empty at " + x + ": the bounds " + b.lo_text + " and " + b.hi_text +
                    " leave no integer x with x/" + to_string(scale_) + " between them (rounded inward: " +
                    b.lo->str() + ":" + b.hi->str() + ")");
      if (*b.lo > max_int || *b.hi < min_int)
        fail(0, "the region is empty at " + x + ": its integer bounds " + b.lo->str() + ":" + b.hi->str() +
                    " lie outside the input format " + in_.to_string() + " range [" + min_int.str() + ", " +
                    max_int.str() + "]");
      BigInt lo = *b.lo < min_int ? min_int : *b.lo, hi = *b.hi > max_int ? max_int : *b.hi;
      if (lo != *b.lo || hi != *b.hi) {
        if (clipped++ == 0) first_clip = x + ": " + b.lo->str() + ":" + b.hi->str() + " -> " + lo.str() + ":" + hi.str();
      }
      out.box.lo.push_back(lo.convert_to<int64_t>());
      out.box.hi.push_back(hi.convert_to<int64_t>());
    }
    if (clipped) {
      out.clipped = true;
      out.notes.push_back(std::to_string(clipped) + " input coordinate" + (clipped == 1 ? "" : "s") +
                          " clipped to the input format " + in_.to_string() + " range [" + min_int.str() + ", " +
                          max_int.str() + "] (first " + first_clip + ")");
    }
    if (ignored_outputs_)
      out.notes.push_back(std::to_string(ignored_outputs_) + " output assertion" + (ignored_outputs_ == 1 ? "" : "s") +
                          " ignored: qeb-smt checks |QNN - DNN| <= eps, not the property's output constraints");
    return out;
  }

  std::string source_;
  std::size_t input_size_;
  Rational scale_;
  FixedPointFormat in_;
  std::vector<Bounds> bounds_;
  std::map<std::string, std::size_t> declared_;  ///< name -> line
  std::size_t ignored_outputs_ = 0;
};

}  // namespace

VnnlibBox parse_vnnlib_box(const std::string& text, std::size_t input_size, const Rational& input_scale,
                           const FixedPointFormat& input_format, const std::string& source) {
  if (input_scale <= 0) throw InputError(source, "the input scale must be positive");
  return VnnlibReader(source, input_size, input_scale, input_format).read(text);
}

VnnlibBox load_vnnlib_box(const std::string& path, std::size_t input_size, const Rational& input_scale,
                          const FixedPointFormat& input_format) {
  std::ifstream in = open_input_file(path, "property file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_vnnlib_box(text.str(), input_size, input_scale, input_format, path);
}

}  // namespace qeb::spec
