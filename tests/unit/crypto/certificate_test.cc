#include "crypto/certificate.h"

#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ringcast::crypto {
namespace {

std::string Message(const absl::Status& status) { return std::string(status.message()); }

std::vector<uint8_t> Der(X509* x509) {
  uint8_t* der = nullptr;
  int length = i2d_X509(x509, &der);
  EXPECT_GT(length, 0);
  std::vector<uint8_t> out(der, der + length);
  OPENSSL_free(der);
  return out;
}

// Formatted independently of FormatFingerprint.
std::string Colons(const uint8_t* digest, size_t length, bool upper) {
  std::string out;
  char pair[4];
  for (size_t i = 0; i < length; ++i) {
    std::snprintf(pair, sizeof(pair), upper ? "%02X" : "%02x", digest[i]);
    if (i > 0) out += ':';
    out += pair;
  }
  return out;
}

TEST(CertificateTest, GenerateGivesSelfSignedP256) {
  auto cert = Certificate::Generate();
  ASSERT_TRUE(cert.ok()) << cert.status();
  EVP_PKEY* key = (*cert)->private_key();
  ASSERT_EQ(EVP_PKEY_id(key), EVP_PKEY_EC);
  // The curve, read the same way on both libraries: the named-curve OID prime256v1
  // (1.2.840.10045.3.1.7) in the DER SubjectPublicKeyInfo.
  uint8_t* spki = nullptr;
  int spki_length = i2d_PUBKEY(key, &spki);
  ASSERT_GT(spki_length, 0);
  std::string spki_bytes(reinterpret_cast<char*>(spki), static_cast<size_t>(spki_length));
  OPENSSL_free(spki);
  EXPECT_NE(spki_bytes.find("\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07"), std::string::npos);
  EXPECT_EQ(EVP_PKEY_bits(key), 256);

  X509* x509 = (*cert)->x509();
  EXPECT_EQ(X509_check_private_key(x509, key), 1);
  TlsPtr<EVP_PKEY> public_key(X509_get_pubkey(x509));
  EXPECT_EQ(X509_verify(x509, public_key.get()), 1);  // self-signed
  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(x509), NID_commonName, cn, sizeof(cn));
  EXPECT_STREQ(cn, "ringcast");
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(x509), X509_get_issuer_name(x509)), 0);

  // Valid from about a day ago for 30 days.
  time_t now = time(nullptr);
  time_t day_ago = now - 23 * 3600, in_28_days = now + 28 * 86400, in_31_days = now + 31 * 86400;
  EXPECT_LT(X509_cmp_time(X509_get0_notBefore(x509), &day_ago), 0);
  EXPECT_GT(X509_cmp_time(X509_get0_notAfter(x509), &in_28_days), 0);
  EXPECT_LT(X509_cmp_time(X509_get0_notAfter(x509), &in_31_days), 0);
}

TEST(CertificateTest, SerialAndKeyAreFreshEachTime) {
  auto a = Certificate::Generate();
  auto b = Certificate::Generate();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(
      ASN1_INTEGER_cmp(X509_get0_serialNumber((*a)->x509()), X509_get0_serialNumber((*b)->x509())),
      0);
  EXPECT_NE((*a)->fingerprint_sha256(), (*b)->fingerprint_sha256());
}

TEST(CertificateTest, FingerprintIsUppercaseSha256OfDer) {
  auto cert = Certificate::Generate();
  ASSERT_TRUE(cert.ok());
  const std::string& fp = (*cert)->fingerprint_sha256();
  EXPECT_TRUE(std::regex_match(fp, std::regex("([0-9A-F]{2}:){31}[0-9A-F]{2}"))) << fp;

  std::vector<uint8_t> der = Der((*cert)->x509());
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(der.data(), der.size(), digest);
  EXPECT_EQ(fp, Colons(digest, sizeof(digest), true));
}

TEST(CertificateTest, FingerprintMatchesEveryHashAndCase) {
  auto cert = Certificate::Generate();
  ASSERT_TRUE(cert.ok());
  X509* x509 = (*cert)->x509();
  std::vector<uint8_t> der = Der(x509);

  uint8_t sha1[SHA_DIGEST_LENGTH], sha384[SHA384_DIGEST_LENGTH], sha512[SHA512_DIGEST_LENGTH];
  SHA1(der.data(), der.size(), sha1);
  SHA384(der.data(), der.size(), sha384);
  SHA512(der.data(), der.size(), sha512);

  const std::string& fp = (*cert)->fingerprint_sha256();
  EXPECT_TRUE(FingerprintMatches(x509, "sha-256", fp));
  EXPECT_TRUE(FingerprintMatches(x509, "SHA-256", fp));
  std::string lower = fp;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_TRUE(FingerprintMatches(x509, "sha-256", lower));
  EXPECT_TRUE(FingerprintMatches(x509, "sha-1", Colons(sha1, sizeof(sha1), false)));
  EXPECT_TRUE(FingerprintMatches(x509, "Sha-384", Colons(sha384, sizeof(sha384), true)));
  EXPECT_TRUE(FingerprintMatches(x509, "sha-512", Colons(sha512, sizeof(sha512), true)));

  // Wrong digest, wrong hash for the value, truncated, malformed, unknown hash, null cert.
  std::string wrong = fp;
  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(FingerprintMatches(x509, "sha-256", wrong));
  EXPECT_FALSE(FingerprintMatches(x509, "sha-384", fp));
  EXPECT_FALSE(FingerprintMatches(x509, "sha-256", fp.substr(0, fp.size() - 3)));
  std::string no_colons = fp;
  no_colons[2] = '-';
  EXPECT_FALSE(FingerprintMatches(x509, "sha-256", no_colons));
  EXPECT_FALSE(FingerprintMatches(x509, "sha-256", fp + ":"));
  EXPECT_FALSE(FingerprintMatches(x509, "md5", fp));
  EXPECT_FALSE(FingerprintMatches(x509, "sha-256", ""));
  EXPECT_FALSE(FingerprintMatches(nullptr, "sha-256", fp));
}

// PEM files made by the OpenSSL command-line tool in a temporary directory.
class CertificatePemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/ringcast_cert_test.XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    if (std::system("openssl version >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "the openssl command-line tool is not installed";
    }
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  // openssl req -x509 with a fresh P-256 key; returns false when the tool failed.
  bool MakeCertificate(const std::string& name) {
    std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
        "-nodes -days 30 -subj /CN=" +
        name + " -keyout " + Path(name + ".key") + " -out " + Path(name + ".crt") +
        " >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
  }

  // The fingerprint as the OpenSSL CLI prints it ("sha256 Fingerprint=AB:...").
  std::string CliFingerprint(const std::string& name) {
    std::string out_file = Path(name + ".fp");
    std::string cmd =
        "openssl x509 -noout -fingerprint -sha256 -in " + Path(name + ".crt") + " >" + out_file;
    if (std::system(cmd.c_str()) != 0) return "";
    std::ifstream in(out_file);
    std::string line;
    std::getline(in, line);
    size_t eq = line.find('=');
    return eq == std::string::npos ? "" : line.substr(eq + 1);
  }

  std::string Path(const std::string& file) const { return dir_ + "/" + file; }

  std::string dir_;
};

TEST_F(CertificatePemTest, LoadsOpensslReqOutput) {
  ASSERT_TRUE(MakeCertificate("cam"));
  auto cert = Certificate::LoadPem(Path("cam.crt"), Path("cam.key"));
  ASSERT_TRUE(cert.ok()) << cert.status();
  std::string expected = CliFingerprint("cam");
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ((*cert)->fingerprint_sha256(), expected);
  EXPECT_EQ(X509_check_private_key((*cert)->x509(), (*cert)->private_key()), 1);
  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name((*cert)->x509()), NID_commonName, cn, sizeof(cn));
  EXPECT_STREQ(cn, "cam");
}

TEST_F(CertificatePemTest, MismatchedKeyNamesTheFiles) {
  ASSERT_TRUE(MakeCertificate("one"));
  ASSERT_TRUE(MakeCertificate("two"));
  auto cert = Certificate::LoadPem(Path("one.crt"), Path("two.key"));
  ASSERT_FALSE(cert.ok());
  EXPECT_EQ(cert.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(Message(cert.status()).find(Path("two.key")), std::string::npos) << cert.status();
  EXPECT_NE(Message(cert.status()).find("does not match"), std::string::npos) << cert.status();
}

TEST_F(CertificatePemTest, MissingFilesAreNamed) {
  ASSERT_TRUE(MakeCertificate("cam"));
  auto no_cert = Certificate::LoadPem(Path("absent.crt"), Path("cam.key"));
  ASSERT_FALSE(no_cert.ok());
  EXPECT_NE(Message(no_cert.status()).find(Path("absent.crt")), std::string::npos);
  EXPECT_NE(Message(no_cert.status()).find("No such file"), std::string::npos) << no_cert.status();

  auto no_key = Certificate::LoadPem(Path("cam.crt"), Path("absent.key"));
  ASSERT_FALSE(no_key.ok());
  EXPECT_NE(Message(no_key.status()).find(Path("absent.key")), std::string::npos);
  EXPECT_NE(Message(no_key.status()).find("crypto.key_file"), std::string::npos);
}

TEST_F(CertificatePemTest, NotPemIsNamed) {
  ASSERT_TRUE(MakeCertificate("cam"));
  { std::ofstream(Path("junk.crt")) << "this is not a certificate\n"; }
  auto junk_cert = Certificate::LoadPem(Path("junk.crt"), Path("cam.key"));
  ASSERT_FALSE(junk_cert.ok());
  EXPECT_NE(Message(junk_cert.status()).find("crypto.cert_file " + Path("junk.crt")),
            std::string::npos)
      << junk_cert.status();
  // The certificate where the key should be.
  auto swapped = Certificate::LoadPem(Path("cam.crt"), Path("cam.crt"));
  ASSERT_FALSE(swapped.ok());
  EXPECT_NE(Message(swapped.status()).find("crypto.key_file " + Path("cam.crt")), std::string::npos)
      << swapped.status();
}

}  // namespace
}  // namespace ringcast::crypto
