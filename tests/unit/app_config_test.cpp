// Tests of the TOML config loader: the [tls] keys, their defaults, paths relative to the file, and errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "app/config.h"
#include "test_files.h"

namespace khien {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  std::filesystem::path write(const std::string& text) {
    auto path = dir_ / "khien.toml";
    std::ofstream(path) << text;
    return path;
  }
  test::ScratchDir scratch_{"config"};
  std::filesystem::path dir_ = scratch_.path();
};

TEST_F(ConfigTest, TlsDefaultsAreOff) {
  Config c;
  EXPECT_TRUE(c.tls.cert.empty());
  EXPECT_TRUE(c.tls.key.empty());
  EXPECT_TRUE(c.tls.client_ca.empty());
  EXPECT_FALSE(c.tls.http);
  EXPECT_TRUE(c.syslog_tls_listen.empty());
  EXPECT_EQ(c.tls.min_version, "1.2");
}

TEST_F(ConfigTest, SyslogLocalTimeIsAUtcOffset) {
  EXPECT_EQ(Config().syslog_local_offset_seconds, 0);
  auto c = load_config(write("[server]\nsyslog_local_time = \"+07:00\"\n"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->syslog_local_offset_seconds, 7 * 3600);
  c = load_config(write("[server]\nsyslog_local_time = \"-03:30\"\n"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->syslog_local_offset_seconds, -(3 * 3600 + 1800));
  for (const char* bad : {"+7", "07:00", "+15:00", "+07:60", "Asia/Ho_Chi_Minh"}) {
    auto r = load_config(write(std::string("[server]\nsyslog_local_time = \"") + bad + "\"\n"));
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("server.syslog_local_time"), std::string::npos) << r.error().message;
  }
}

TEST_F(ConfigTest, ReadsEveryTlsKey) {
  auto c = load_config(write(R"([tls]
cert = "/etc/khien/server.pem"
key = "/etc/khien/server.key"
client_ca = "/etc/khien/socs-ca.pem"
http = true
syslog_tls = "0.0.0.0:6514"
min_version = "1.3"
)"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->tls.cert, "/etc/khien/server.pem");
  EXPECT_EQ(c->tls.key, "/etc/khien/server.key");
  EXPECT_EQ(c->tls.client_ca, "/etc/khien/socs-ca.pem");
  EXPECT_TRUE(c->tls.http);
  EXPECT_EQ(c->syslog_tls_listen, "0.0.0.0:6514");
  EXPECT_EQ(c->tls.min_version, "1.3");
  // Keys of other sections keep their defaults.
  EXPECT_EQ(c->http_listen, Config{}.http_listen);
}

TEST_F(ConfigTest, RelativeCertificatePathsAreRelativeToTheConfigFile) {
  auto c = load_config(write("[tls]\ncert = \"pki/server.pem\"\nkey = \"../server.key\"\n"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->tls.cert, (dir_ / "pki/server.pem").string());
  EXPECT_EQ(c->tls.key, (dir_.parent_path() / "server.key").string());
  EXPECT_TRUE(c->tls.client_ca.empty());
}

TEST_F(ConfigTest, RejectsBadTlsValues) {
  auto version = load_config(write("[tls]\nmin_version = \"1.1\"\n"));
  ASSERT_FALSE(version);
  EXPECT_NE(version.error().message.find("khien.toml:2: tls.min_version: '1.1'"), std::string::npos)
      << version.error().message;

  auto flag = load_config(write("[tls]\nhttp = \"yes\"\n"));
  ASSERT_FALSE(flag);
  EXPECT_NE(flag.error().message.find("tls.http: expected true or false"), std::string::npos) << flag.error().message;

  auto listen = load_config(write("[tls]\nsyslog_tls = 6514\n"));
  ASSERT_FALSE(listen);
  EXPECT_NE(listen.error().message.find("tls.syslog_tls: expected a string"), std::string::npos)
      << listen.error().message;
}

TEST_F(ConfigTest, RejectsUnknownTlsKeys) {
  auto c = load_config(write("[tls]\ncert = \"a.pem\"\nciphers = \"HIGH\"\n"));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("khien.toml:3: unknown key 'tls.ciphers'"), std::string::npos) << c.error().message;
}

TEST_F(ConfigTest, DefaultConfigListsTheTlsSection) {
  auto text = default_config_toml();
  for (const char* line : {"[tls]", "cert = \"\"", "key = \"\"", "client_ca = \"\"", "http = false",
                           "syslog_tls = \"\"", "min_version = \"1.2\""})
    EXPECT_NE(text.find(line), std::string::npos) << line;
  // The printed defaults load back unchanged.
  auto c = load_config(write(text));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->tls.min_version, "1.2");
  EXPECT_FALSE(c->tls.http);
}

}  // namespace
}  // namespace khien
