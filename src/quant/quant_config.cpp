#include "quant/quant_config.h"

#include <regex>
#include <sstream>

#include "core/error.h"

namespace qeb::quant {

namespace {
FixedPointFormat lookup(const std::map<int, FixedPointFormat>& overrides, int layer, FixedPointFormat fallback) {
  auto it = overrides.find(layer);
  return it == overrides.end() ? fallback : it->second;
}
}  // namespace

FixedPointFormat QuantConfig::weight_format(int layer) const { return lookup(weight_override, layer, weight); }
FixedPointFormat QuantConfig::bias_format(int layer) const { return lookup(bias_override, layer, bias); }
FixedPointFormat QuantConfig::hidden_format(int layer) const { return lookup(hidden_override, layer, hidden); }

std::string QuantConfig::to_string() const {
  std::ostringstream s;
  s << "in=" << input.to_string() << ",w=" << weight.to_string() << ",b=" << bias.to_string()
    << ",h=" << hidden.to_string();
  for (auto& [layer, f] : weight_override) s << ",w" << layer << "=" << f.to_string();
  for (auto& [layer, f] : bias_override) s << ",b" << layer << "=" << f.to_string();
  for (auto& [layer, f] : hidden_override) s << ",h" << layer << "=" << f.to_string();
  s << ",scale=" << qeb::to_string(input_scale);
  return s.str();
}

const char* preset_help() {
  return "qebverif-mnist (in=u8.8, w=sQ.Q-1, b=sQ.Q-2, h=uQ.Q-2, scale 255) or "
         "qebverif-acas (in=s8.8, w=sQ.Q-2, b=sQ.Q-2, h=uQ.Q-2, scale 255)";
}

QuantConfig preset_config(const std::string& name, int bits) {
  if (bits < 2 || bits > 32)
    throw OptionError("--bits " + std::to_string(bits) + " is outside 2..32 for preset " + name);
  QuantConfig c;
  c.input_scale = 255;
  c.bias = {true, bits, bits - 2};
  c.hidden = {false, bits, bits - 2};
  if (name == "qebverif-mnist") {
    c.input = {false, 8, 8};
    c.weight = {true, bits, bits - 1};
  } else if (name == "qebverif-acas") {
    c.input = {true, 8, 8};
    c.weight = {true, bits, bits - 2};
  } else {
    throw OptionError("unknown preset '" + name + "'; choose " + preset_help());
  }
  return c;
}

QuantConfig parse_quant_config(const std::string& text, QuantConfig c) {
  static const std::regex item(R"(^\s*([a-z]+)(\d*)\s*=\s*(\S+)\s*$)");
  std::stringstream stream(text);
  std::string part;
  bool any = false;
  while (std::getline(stream, part, ',')) {
    std::smatch m;
    if (!std::regex_match(part, m, item))
      throw OptionError("--quant: '" + part + "' is not key=value (keys: in, w, b, h, wN, bN, hN, scale)");
    std::string key = m[1].str(), value = m[3].str();
    // At most 6 digits before std::stoi, which would throw out_of_range (an "internal error").
    int layer = m[2].length() ? (m[2].length() > 6 ? -1 : std::stoi(m[2].str())) : 0;
    if (m[2].length() && (layer < 1 || layer > 100000))
      throw OptionError("--quant: layer number in '" + part + "' must be 1 or more (and at most 100000)");
    if (key == "scale" && !layer) {
      c.input_scale = parse_rational(value);
      if (c.input_scale <= 0) throw OptionError("--quant: scale must be positive, got " + value);
    } else if (key == "in" && !layer) {
      c.input = parse_fixed_point_format(value, "--quant in");
    } else if (key == "w" || key == "b" || key == "h") {
      FixedPointFormat f = parse_fixed_point_format(value, "--quant " + key + m[2].str());
      auto& def = key == "w" ? c.weight : key == "b" ? c.bias : c.hidden;
      auto& over = key == "w" ? c.weight_override : key == "b" ? c.bias_override : c.hidden_override;
      if (layer) over[layer] = f; else def = f;
    } else {
      throw OptionError("--quant: unknown key '" + key + m[2].str() + "' (keys: in, w, b, h, wN, bN, hN, scale)");
    }
    any = true;
  }
  if (!any) throw OptionError("--quant: empty configuration");
  return c;
}

}  // namespace qeb::quant
