#include "core/csv.h"

#include "core/error.h"

namespace qeb {

std::vector<CsvRecord> parse_csv(const std::string& text, const std::string& source) {
  std::vector<CsvRecord> records;
  CsvRecord current{1, {}};
  std::string field;
  bool quoted = false, any = false;
  std::size_t line = 1, quote_line = 0;
  auto end_record = [&] {
    current.fields.push_back(field);
    field.clear();
    records.push_back(std::move(current));
    current = CsvRecord{line, {}};
    any = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += text[++i];
      else if (c == '"') quoted = false;
      else field += c;
      if (c == '\n') ++line;
      continue;
    }
    if (c == '"') {
      quoted = true;
      quote_line = line;
      any = true;
    } else if (c == ',') {
      current.fields.push_back(field);
      field.clear();
      any = true;
    } else if (c == '\n') {
      ++line;
      end_record();
    } else if (c != '\r') {
      field += c;
      any = true;
    }
  }
  if (quoted) throw InputError(source, "line " + std::to_string(quote_line) + ": a quoted field is not closed");
  if (any) end_record();
  return records;
}

std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\n\r") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace qeb
