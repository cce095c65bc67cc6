// Tests of the TLS context: certificate names used for SOC attribution, and start-up errors naming the file.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "ingest/tls_context.h"
#include "test_files.h"

namespace khien {
namespace {

// A self-signed certificate with `cn` and the subjectAltName `san` (OpenSSL config syntax, may be empty).
struct TestCert {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  TestCert(const char* cn, const char* san) {
    key = EVP_EC_gen("P-256");
    cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("EVN"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    if (*san) {
      X509V3_CTX ctx;
      X509V3_set_ctx_nodb(&ctx);
      X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, san);
      X509_add_ext(cert, ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(cert, key, EVP_sha256());
  }
  ~TestCert() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  void save(const std::filesystem::path& cert_path, const std::filesystem::path& key_path) const {
    FILE* f = std::fopen(cert_path.c_str(), "w");
    PEM_write_X509(f, cert);
    std::fclose(f);
    f = std::fopen(key_path.c_str(), "w");
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
  }
};

class TlsContextTest : public ::testing::Test {
 protected:
  std::string path(const char* name) const { return (dir_ / name).string(); }
  test::ScratchDir scratch_{"tls"};
  std::filesystem::path dir_ = scratch_.path();
};

TEST(CertificateNames, CommonNameFirstThenDnsNamesLowerCased) {
  TestCert c("SOC-EVN", "DNS:soc-evn.example.vn,IP:127.0.0.1,DNS:Soc-Evn-Backup");
  EXPECT_EQ(certificate_names(c.cert), (std::vector<std::string>{"soc-evn", "soc-evn.example.vn", "soc-evn-backup"}));
}

TEST(CertificateNames, WithoutSubjectAltNamesOrCertificate) {
  TestCert c("device-42", "");
  EXPECT_EQ(certificate_names(c.cert), (std::vector<std::string>{"device-42"}));
  EXPECT_TRUE(certificate_names(nullptr).empty());
}

TEST_F(TlsContextTest, LoadsAMatchingCertificateAndKey) {
  TestCert server("khien", "IP:127.0.0.1");
  server.save(path("server.pem"), path("server.key"));
  TlsOptions o{path("server.pem"), path("server.key"), "", "1.3", false};
  auto ctx = TlsContext::create(o, ClientCertificates::None);
  ASSERT_TRUE(ctx) << ctx.error().message;
  EXPECT_EQ(SSL_CTX_get_min_proto_version((*ctx)->native()), TLS1_3_VERSION);
  EXPECT_EQ(SSL_CTX_get_verify_mode((*ctx)->native()), SSL_VERIFY_NONE);

  o.client_ca = path("server.pem");
  o.min_version = "1.2";
  auto required = TlsContext::create(o, ClientCertificates::Required);
  ASSERT_TRUE(required) << required.error().message;
  EXPECT_EQ(SSL_CTX_get_verify_mode((*required)->native()), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
  EXPECT_EQ(SSL_CTX_get_min_proto_version((*required)->native()), TLS1_2_VERSION);
  auto optional = TlsContext::create(o, ClientCertificates::Optional);
  ASSERT_TRUE(optional) << optional.error().message;
  EXPECT_EQ(SSL_CTX_get_verify_mode((*optional)->native()), SSL_VERIFY_PEER);
}

TEST_F(TlsContextTest, ErrorsNameTheKeyAndTheFile) {
  TestCert server("khien", "");
  TestCert other("other", "");
  server.save(path("server.pem"), path("server.key"));
  other.save(path("other.pem"), path("other.key"));
  auto message = [](const TlsOptions& o, ClientCertificates c = ClientCertificates::None) {
    auto r = TlsContext::create(o, c);
    return r ? std::string("created") : r.error().message;
  };
  EXPECT_EQ(message({"", path("server.key"), "", "1.2", true}), "tls.cert is not set");
  EXPECT_EQ(message({path("missing.pem"), path("server.key"), "", "1.2", true}),
            "tls.cert: " + path("missing.pem") + ": No such file or directory");
  EXPECT_EQ(message({path("server.pem"), path("server.key"), "", "1.0", true}),
            "tls.min_version: '1.0' is not \"1.2\" or \"1.3\"");
  EXPECT_EQ(message({path("server.pem"), path("server.key"), "", "1.2", true}, ClientCertificates::Required),
            "tls.client_ca is not set");

  auto mismatch = message({path("server.pem"), path("other.key"), "", "1.2", true});
  EXPECT_EQ(mismatch.rfind("tls.key: " + path("other.key") + " does not belong to the certificate in " +
                               path("server.pem") + ": error:",
                           0),
            0u)
      << mismatch;
  // A key where the certificate should be: OpenSSL's reason is passed on.
  auto not_cert = message({path("server.key"), path("server.key"), "", "1.2", true});
  EXPECT_EQ(not_cert.rfind("tls.cert: " + path("server.key") + ": error:", 0), 0u) << not_cert;
  auto not_ca =
      message({path("server.pem"), path("server.key"), path("server.key"), "1.2", true}, ClientCertificates::Optional);
  EXPECT_EQ(not_ca.rfind("tls.client_ca: " + path("server.key") + ": ", 0), 0u) << not_ca;
}

}  // namespace
}  // namespace khien
