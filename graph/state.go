package graph

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"

	"paved.dev/paved"
)

// State is what provisioning remembers between runs: a random seed from
// which generated secrets are derived, and each resource's driver state.
// With the same state, the same input renders byte for byte the same.
type State struct {
	Version   int                                 `json:"version"`
	Seed      []byte                              `json:"seed"`
	Resources map[paved.ResourceUID]ResourceState `json:"resources,omitempty"`
}

// ResourceState is one resource's remembered state.
type ResourceState struct {
	Definition string         `json:"definition"`
	Driver     string         `json:"driver"`
	State      map[string]any `json:"state,omitempty"`
}

// StateVersion is the version of the State format.
const StateVersion = 1

// NewState returns an empty state with a fresh random seed.
func NewState() *State {
	seed := make([]byte, 32)
	_, _ = rand.Read(seed) // crypto/rand.Read never fails on supported platforms
	return &State{Version: StateVersion, Seed: seed, Resources: map[paved.ResourceUID]ResourceState{}}
}

const secretAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// DeriveSecret returns n characters of [a-zA-Z0-9] derived from the seed,
// the resource and a name with HMAC-SHA256: unpredictable without the seed,
// stable with it.
func DeriveSecret(seed []byte, uid paved.ResourceUID, name string, n int) string {
	out := make([]byte, 0, n)
	var block [8]byte
	for counter := uint64(0); len(out) < n; counter++ {
		mac := hmac.New(sha256.New, seed)
		mac.Write([]byte(uid))
		mac.Write([]byte{0})
		mac.Write([]byte(name))
		binary.BigEndian.PutUint64(block[:], counter)
		mac.Write(block[:])
		for _, b := range mac.Sum(nil) {
			// Rejection sampling keeps every character equally likely.
			if b < 248 && len(out) < n {
				out = append(out, secretAlphabet[b%62])
			}
		}
	}
	return string(out)
}
