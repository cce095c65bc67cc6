// Canonical text of indicator values (domains, hashes, e-mail addresses), shared by the observable
// extractor, the matcher and the evaluator so that an indicator and an event value meet in one form.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace khien {

/// Lower-cased domain without the trailing dot; nullopt unless it is a plausible host name
/// (labels of letters, digits, '-' and '_', 1..63 bytes each, 253 bytes at most).
std::optional<std::string> normalize_domain(std::string_view text);
/// Writes the normalized domain into `out` (at least 256 bytes); returns its length, 0 if invalid.
std::size_t normalize_domain_into(std::string_view text, char* out);

/// Lower-cased hex digest; nullopt unless all hex with 32, 40, 64 or 128 digits.
std::optional<std::string> normalize_hash_hex(std::string_view text);
/// Writes the lower-cased digest into `out` (at least 128 bytes); returns its length, 0 if invalid.
std::size_t normalize_hash_into(std::string_view text, char* out);

/// Canonical name of a STIX hash algorithm: "MD5", "SHA1", "SHA256", "SHA512" for the matched ones
/// ('SHA-256', sha256, Sha-256 all give "SHA256"); other names upper-cased without '-'.
std::string normalize_hash_algorithm(std::string_view name);
/// Hex digits a digest of the canonical algorithm has (0 when not one of the four matched ones).
std::size_t hash_algorithm_digits(std::string_view canonical);

/// Lower-cased e-mail address; nullopt unless it has one '@' with text on both sides and no spaces.
std::optional<std::string> normalize_email(std::string_view text);

/// Calls `fn` with each address in a header-like value ("Ann <a@x.vn>, b@y.vn"), trimmed and with
/// display names removed; not lower-cased.
void for_each_email_address(std::string_view text, const std::function<void(std::string_view)>& fn);

/// Calls `fn` with each run of 32, 40, 64 or 128 hex digits in `text` (for hash lists such as
/// Sysmon's "SHA1=...,MD5=...").
void for_each_hex_digest(std::string_view text, const std::function<void(std::string_view)>& fn);

}  // namespace khien
