// Builds OpenSSL server contexts from the [tls] config and reads names out of client certificates.
#include "ingest/tls_context.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <filesystem>
#include <system_error>

#include "core/text.h"

namespace khien {

namespace {

// A missing or unreadable file gets a plain message; OpenSSL's own for it is cryptic.
Status check_readable(const char* key, const std::string& path) {
  if (path.empty()) return fail(fmt::format("tls.{} is not set", key));
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return fail(fmt::format("tls.{}: {}: {}", key, path, ec ? ec.message() : "no such file"));
  return {};
}

}  // namespace

std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out;
}

Status check_tls_version(const std::string& version) {
  if (version == "1.2" || version == "1.3") return {};
  return fail(fmt::format("tls.min_version: '{}' is not \"1.2\" or \"1.3\"", version));
}

Result<std::shared_ptr<TlsContext>> TlsContext::create(const TlsOptions& options, ClientCertificates clients) {
  if (auto st = check_tls_version(options.min_version); !st) return tl::unexpected(st.error());
  if (auto st = check_readable("cert", options.cert); !st) return tl::unexpected(st.error());
  if (auto st = check_readable("key", options.key); !st) return tl::unexpected(st.error());
  if (clients != ClientCertificates::None)
    if (auto st = check_readable("client_ca", options.client_ca); !st) return tl::unexpected(st.error());
  ERR_clear_error();
  SSL_CTX* raw = SSL_CTX_new(TLS_server_method());
  if (!raw) return fail("tls: cannot create an OpenSSL context: " + openssl_errors());
  std::shared_ptr<TlsContext> ctx(new TlsContext(raw, clients));
  SSL_CTX_set_min_proto_version(raw, options.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(raw, options.cert.c_str()) != 1)
    return fail(fmt::format("tls.cert: {}: {}", options.cert, openssl_errors()));
  if (SSL_CTX_use_PrivateKey_file(raw, options.key.c_str(), SSL_FILETYPE_PEM) != 1) {
    bool mismatch = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH;
    if (mismatch)
      return fail(fmt::format("tls.key: {} does not belong to the certificate in {}: {}", options.key, options.cert,
                              openssl_errors()));
    return fail(fmt::format("tls.key: {}: {}", options.key, openssl_errors()));
  }
  if (SSL_CTX_check_private_key(raw) != 1)
    return fail(fmt::format("tls.key: {} does not belong to the certificate in {}: {}", options.key, options.cert,
                            openssl_errors()));
  if (clients != ClientCertificates::None) {
    if (SSL_CTX_load_verify_locations(raw, options.client_ca.c_str(), nullptr) != 1)
      return fail(fmt::format("tls.client_ca: {}: {}", options.client_ca, openssl_errors()));
    // The CA names sent in the CertificateRequest let clients with several certificates pick one.
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.client_ca.c_str());
    if (!names)
      return fail(fmt::format("tls.client_ca: {}: no CA certificate in it: {}", options.client_ca, openssl_errors()));
    SSL_CTX_set_client_CA_list(raw, names);
    int mode = SSL_VERIFY_PEER | (clients == ClientCertificates::Required ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0);
    SSL_CTX_set_verify(raw, mode, nullptr);
    // Session resumption with client verification needs a session id context, or OpenSSL refuses it.
    static const unsigned char session_context[] = "khien";
    SSL_CTX_set_session_id_context(raw, session_context, sizeof(session_context) - 1);
  }
  return ctx;
}

TlsContext::~TlsContext() {
  SSL_CTX_free(ctx_);
}

std::vector<std::string> certificate_names(X509* cert) {
  std::vector<std::string> out;
  if (!cert) return out;
  X509_NAME* subject = X509_get_subject_name(cert);
  int i = subject ? X509_NAME_get_index_by_NID(subject, NID_commonName, -1) : -1;
  if (i >= 0) {
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i)));
    if (n > 0) out.push_back(ascii_lower(std::string(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n))));
    OPENSSL_free(utf8);
  }
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (sans) {
    for (int k = 0; k < sk_GENERAL_NAME_num(sans); ++k) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, k);
      if (gn->type != GEN_DNS) continue;
      const ASN1_STRING* s = gn->d.dNSName;
      out.push_back(ascii_lower(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                            static_cast<std::size_t>(ASN1_STRING_length(s)))));
    }
    GENERAL_NAMES_free(sans);
  }
  return out;
}

}  // namespace khien
