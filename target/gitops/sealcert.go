package gitops

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
	"time"

	sscrypto "github.com/bitnami-labs/sealed-secrets/pkg/crypto"
	certutil "k8s.io/client-go/util/cert"
)

// minSealingKeyBits refuses keys that no longer protect anything; the
// controller makes 4096-bit keys.
const minSealingKeyBits = 2048

// sealingCert is the public half of a sealed-secrets controller's key.
type sealingCert struct {
	pub *rsa.PublicKey
	// fingerprint is what the controller calls the key (SHA256:<base64>
	// of the SSH form of the public key), recorded in each SealedSecret so
	// that a new certificate re-seals everything.
	fingerprint string
	notAfter    time.Time
}

// parseSealingCert reads the first certificate of PEM data, as kubeseal
// --cert does (with client-go's cert.ParseCertsPEM). Errors say what is
// wrong with the data; the caller names the setting and the fix.
func parseSealingCert(data []byte, now time.Time) (*sealingCert, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("no certificate given")
	}
	certs, err := certutil.ParseCertsPEM(data)
	if err == nil {
		return checkSealingCert(certs[0], now)
	}
	// Say why, from the blocks the data holds.
	var found []string
	for rest := data; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		found = append(found, block.Type)
	}
	switch {
	case slices.Contains(found, certutil.CertificateBlockType):
		return nil, fmt.Errorf("the certificate cannot be parsed: %v", err)
	case len(found) > 0:
		// A private key here is the usual mistake, and a dangerous one:
		// say so rather than "no certificate".
		return nil, fmt.Errorf("the PEM data holds no CERTIFICATE block (found %v); give the certificate, never the private key", found)
	}
	return nil, fmt.Errorf("the data is not PEM (it should start with -----BEGIN CERTIFICATE-----)")
}

func checkSealingCert(cert *x509.Certificate, now time.Time) (*sealingCert, error) {
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("the certificate's key is %s, but sealed-secrets seals with RSA keys", cert.PublicKeyAlgorithm)
	}
	if bits := pub.N.BitLen(); bits < minSealingKeyBits {
		return nil, fmt.Errorf("the certificate's RSA key has %d bits, fewer than %d", bits, minSealingKeyBits)
	}
	if now.After(cert.NotAfter) {
		return nil, fmt.Errorf("the certificate expired on %s", cert.NotAfter.UTC().Format(time.DateOnly))
	}
	fp, err := sscrypto.PublicKeyFingerprint(pub)
	if err != nil {
		return nil, fmt.Errorf("fingerprinting the certificate's key: %v", err)
	}
	return &sealingCert{pub: pub, fingerprint: fp, notAfter: cert.NotAfter}, nil
}
