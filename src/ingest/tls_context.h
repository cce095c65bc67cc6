// TLS settings and the OpenSSL server context built from them, shared by HTTPS and syslog over TLS.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <vector>

#include "core/error.h"

namespace khien {

/// The `[tls]` config section (the syslog-over-TLS listener address lives in Config with the others).
struct TlsOptions {
  std::string cert;                 ///< PEM certificate chain, server certificate first
  std::string key;                  ///< PEM private key of that certificate
  std::string client_ca;            ///< PEM CA bundle for client certificates; empty: none requested
  std::string min_version = "1.2";  ///< oldest protocol accepted: "1.2" or "1.3"
  bool http = false;                ///< serve the HTTP API over TLS (HTTPS)
};

/// What a listener asks of its clients' certificates.
enum class ClientCertificates {
  None,      ///< none requested
  Optional,  ///< requested; when one is sent it must chain to client_ca
  Required,  ///< a certificate chaining to client_ca or the handshake fails
};

/// An OpenSSL server context: certificate chain, key, minimum version and client CA.
///
/// Threading: built once at start-up, then only read; connections on any thread create their
/// SSL objects from it (OpenSSL makes that safe).
class TlsContext {
 public:
  /// Loads the files named in `options`; errors name the config key, the file and OpenSSL's reason.
  static Result<std::shared_ptr<TlsContext>> create(const TlsOptions& options, ClientCertificates clients);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* native() const { return ctx_; }
  ClientCertificates clients() const { return clients_; }

 private:
  TlsContext(SSL_CTX* ctx, ClientCertificates clients) : ctx_(ctx), clients_(clients) {}
  SSL_CTX* ctx_;
  ClientCertificates clients_;
};

/// The names a certificate carries, lower-cased: the subject CN first, then each DNS
/// subjectAltName. SOC attribution compares them with SOC ids.
std::vector<std::string> certificate_names(X509* cert);

/// This thread's pending OpenSSL errors as one line ("" if none); empties the queue.
std::string openssl_errors();

/// "1.2" or "1.3"; anything else is an error naming the key.
Status check_tls_version(const std::string& version);

}  // namespace khien
