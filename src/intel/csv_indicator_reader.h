// CSV files and plain lists of indicators (one per line) read under a column mapping such as
// "value=1,type=2,tlp=3" or "type=domain"; csv_to_stix in intel_import_formats.h drives it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "intel/tlp.h"

namespace khien {

/// Where one mapped field comes from: a column (by 1-based number or header name) or a constant.
struct CsvField {
  std::size_t column = 0;   ///< 1-based; 0 when not a numbered column
  std::string header_name;  ///< a column named by the header line
  std::string constant;     ///< a value given in the mapping itself ("type=domain", "tlp=green")
  bool present() const { return column != 0 || !header_name.empty() || !constant.empty(); }
};

/// A parsed csv_mapping. Keys: value, type, tlp, comment, first_seen, last_seen (fields);
/// header=yes|no; delimiter=comma|semicolon|tab|pipe|space. Without `value`, column 1 is the
/// value; without `type`, the type is recognised from the value (address, CIDR, digest, URL,
/// e-mail address, domain).
struct CsvColumnMapping {
  CsvField value, type, tlp, comment, first_seen, last_seen;
  bool header = false;
  std::optional<char> delimiter;  ///< unset: ',' (or the whole line, when only column 1 is used)

  /// "value=1,type=2,tlp=3". Errors name the key: "csv mapping: key 'vlue' is unknown".
  static Result<CsvColumnMapping> parse(std::string_view text);
};

/// Splits one CSV record (RFC 4180 quoting: "a,b" and doubled quotes inside) at `delimiter`.
std::vector<std::string> split_csv_record(std::string_view line, char delimiter);

/// The MISP-style type a bare value looks like ("ip", "md5", "sha256", "url", "email", "domain"),
/// nullopt when it is none of them.
std::optional<std::string> guess_indicator_type(std::string_view value);

}  // namespace khien
