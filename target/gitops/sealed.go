package gitops

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	sscrypto "github.com/bitnami-labs/sealed-secrets/pkg/crypto"
	"gopkg.in/yaml.v3"

	"paved.dev/paved"
	"paved.dev/paved/manifest"
)

// Annotations paved puts on the SealedSecret (not on its template, so they
// never reach the Secret in the cluster).
const (
	// annoSealingCert names the certificate the values were sealed with.
	annoSealingCert = "paved.dev/sealing-cert"
	// annoSealedMAC holds, per key, a keyed hash (HMAC-SHA256 under
	// Config.SealingHashKey) binding the plaintext to the ciphertext next
	// to it: the only way to tell, without the private key, that a value
	// committed before is still the one to deploy.
	annoSealedMAC = "paved.dev/sealed-mac"

	// macDomain separates these hashes from any other use of the key.
	macDomain = "paved gitops sealed-secret v1"

	// minHashKeyLen is the shortest SealingHashKey accepted: 128 bits.
	minHashKeyLen = 16
)

// sealer encrypts Secrets into SealedSecrets for one certificate. It holds
// nothing that changes.
type sealer struct {
	cert    *sealingCert
	hashKey []byte
}

// newSealer checks the sealing settings of a configuration in SecretsSealed
// mode.
func newSealer(c *Config, now time.Time) (*sealer, error) {
	cert, err := parseSealingCert(c.SealingCert, now)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "gitops target %s: SealingCert: %v; give the sealed-secrets controller's certificate as `kubeseal --fetch-cert` prints it (or, for a local repository without a cluster yet, the one gitops.LoadOrCreateSealingKey returns)", c.name(), err)
	}
	if len(c.SealingHashKey) < minHashKeyLen {
		return nil, paved.Errorf(paved.EINVALID, "gitops target %s: SealingHashKey has %d bytes, at least %d are needed; give a stable random key (the server derives one from its secret key), the same on every replica", c.name(), len(c.SealingHashKey), minHashKeyLen)
	}
	return &sealer{cert: cert, hashKey: c.SealingHashKey}, nil
}

// usable refuses to seal with a certificate that expired since the target
// was created: kubeseal refuses too, and the controller may have dropped
// the key.
func (s *sealer) usable(name string, now time.Time) error {
	if now.After(s.cert.notAfter) {
		return paved.Errorf(paved.EINVALID, "gitops target %s: SealingCert expired on %s; give paved the controller's current certificate (`kubeseal --fetch-cert`)", name, s.cert.notAfter.UTC().Format(time.DateOnly))
	}
	return nil
}

// sealFiles fills in the data of the SealedSecret files among files,
// keeping the ciphertexts of committed (a file's content at the commit's
// base, nil if absent) for every value that has not changed, and returns
// one status per sealed Secret.
func (s *sealer) sealFiles(files []file, committed func(name string) ([]byte, error)) ([]paved.ObjectStatus, error) {
	var statuses []paved.ObjectStatus
	for i := range files {
		f := &files[i]
		if f.seal == nil {
			continue
		}
		old, err := committed(f.name)
		if err != nil {
			return nil, err
		}
		data, resealed, err := s.seal(f.seal, old)
		if err != nil {
			return nil, err
		}
		f.data = data
		statuses = append(statuses, paved.ObjectStatus{
			Ref:    f.seal.secret,
			State:  paved.ObjectSealed,
			Reason: s.reason(f, resealed),
		})
	}
	return statuses, nil
}

func (s *sealer) reason(f *file, resealed int) string {
	n := len(f.seal.values)
	return fmt.Sprintf("written as SealedSecret %s (%s scope, certificate %s): %d of %d values encrypted again, %d unchanged", f.name, f.seal.scope, s.cert.fingerprint, resealed, n, n-resealed)
}

// seal returns the SealedSecret file for p and how many values were
// encrypted anew. A value whose committed ciphertext carries a valid hash
// for the same plaintext, label and certificate keeps that ciphertext, so
// that the same input writes the same bytes (RSA-OAEP and the session key
// are random at each encryption).
func (s *sealer) seal(p *sealPlan, committed []byte) ([]byte, int, error) {
	oldData, oldMACs := s.committedValues(committed)
	encrypted := make(map[string]any, len(p.values))
	macs := make(map[string]string, len(p.values))
	resealed := 0
	for _, key := range slices.Sorted(maps.Keys(p.values)) {
		plaintext := p.values[key]
		if ct, ok := oldData[key]; ok {
			if mac := s.mac(p.label, key, plaintext, ct); hmac.Equal([]byte(mac), []byte(oldMACs[key])) {
				encrypted[key], macs[key] = ct, mac
				continue
			}
		}
		raw, err := sscrypto.HybridEncrypt(rand.Reader, s.cert.pub, plaintext, p.label)
		if err != nil {
			return nil, 0, fmt.Errorf("gitops: sealing %s key %s: %w", p.secret, key, err)
		}
		ct := base64.StdEncoding.EncodeToString(raw)
		encrypted[key], macs[key] = ct, s.mac(p.label, key, plaintext, ct)
		resealed++
	}

	macJSON, err := json.Marshal(macs) // keys sorted: stable bytes
	if err != nil {
		return nil, 0, err
	}
	md := maps.Clone(p.metadata)
	annotations := map[string]string{annoSealingCert: s.cert.fingerprint, annoSealedMAC: string(macJSON)}
	if scopeAnno, ok := md["annotations"].(map[string]string); ok {
		maps.Copy(annotations, scopeAnno)
	}
	md["annotations"] = annotations
	obj := map[string]any{
		"apiVersion": sealedSecretAPIVersion,
		"kind":       sealedSecretKind,
		"metadata":   md,
		"spec": map[string]any{
			// Required by the CRD, even empty.
			"encryptedData": encrypted,
			"template":      p.template,
		},
	}
	data, err := manifest.Marshal(obj)
	if err != nil {
		return nil, 0, paved.Errorf(paved.EINVALID, "gitops: writing SealedSecret %s: %v", p.secret, err)
	}
	return data, resealed, nil
}

// committedValues reads the ciphertexts and hashes of a SealedSecret file
// paved wrote before. Anything else (no file, another kind, hashes that do
// not parse) gives nothing to keep, so every value is sealed again.
func (s *sealer) committedValues(data []byte) (ciphertexts, macs map[string]string) {
	if len(data) == 0 {
		return nil, nil
	}
	var old struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Metadata   struct {
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"metadata"`
		Spec struct {
			EncryptedData map[string]string `yaml:"encryptedData"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(data, &old); err != nil || old.APIVersion != sealedSecretAPIVersion || old.Kind != sealedSecretKind {
		return nil, nil
	}
	if old.Metadata.Annotations[annoSealingCert] != s.cert.fingerprint {
		return nil, nil
	}
	if err := json.Unmarshal([]byte(old.Metadata.Annotations[annoSealedMAC]), &macs); err != nil {
		return nil, nil
	}
	return old.Spec.EncryptedData, macs
}

// mac is the keyed hash recorded for one value. It covers the certificate,
// the label (so a Secret moved to another namespace or scope is sealed
// again), the key, the plaintext and the ciphertext (so a ciphertext edited
// in Git by hand is replaced rather than kept). Each field is length-prefixed
// so that no two inputs hash alike.
func (s *sealer) mac(label []byte, key string, plaintext []byte, ciphertext string) string {
	m := hmac.New(sha256.New, s.hashKey)
	var n [8]byte
	for _, field := range [][]byte{[]byte(macDomain), []byte(s.cert.fingerprint), label, []byte(key), plaintext, []byte(ciphertext)} {
		binary.BigEndian.PutUint64(n[:], uint64(len(field)))
		m.Write(n[:])
		m.Write(field)
	}
	return base64.RawStdEncoding.EncodeToString(m.Sum(nil))
}
