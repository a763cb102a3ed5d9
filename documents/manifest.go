// Package documents serves persisted operations. Automatic Persisted Queries
// (gqlgen's extension, over a bounded cache) let clients send a hash instead
// of a query they sent before; the trusted-documents mode runs only the
// operations of a manifest that client code generation produced, and
// refuses everything else. Size estimates what keeping a parsed document
// costs, for the caches that keep them.
//
// It does not execute operations or decide their cost; it only decides
// which document a request runs.
package documents

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Manifest maps document ids to documents.
type Manifest map[string]string

// apolloManifest is Apollo's persisted query manifest format.
type apolloManifest struct {
	Format     string `json:"format"`
	Version    int    `json:"version"`
	Operations []struct {
		ID   string `json:"id"`
		Body string `json:"body"`
	} `json:"operations"`
}

// LoadManifest reads a manifest in one of the formats client code
// generators emit: a JSON object of id to document (GraphQL Code
// Generator's persisted-documents.json, Relay's persisted queries), or
// Apollo's {"format":"apollo-persisted-query-manifest","version":1,
// "operations":[{"id":...,"body":...}]}. An id that is 64 hexadecimal
// digits (optionally after "sha256:") must be the SHA-256 of its document.
func LoadManifest(r io.Reader) (Manifest, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("documents: read manifest: %w", err)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("documents: manifest is not a JSON object: %w", err)
	}
	m := Manifest{}
	if _, apollo := probe["operations"]; apollo {
		var a apolloManifest
		if err := json.Unmarshal(data, &a); err != nil {
			return nil, fmt.Errorf("documents: Apollo manifest: %w", err)
		}
		if a.Format != "apollo-persisted-query-manifest" || a.Version != 1 {
			return nil, fmt.Errorf("documents: manifest format %q version %d: want apollo-persisted-query-manifest version 1", a.Format, a.Version)
		}
		for _, op := range a.Operations {
			m[op.ID] = op.Body
		}
	} else if err := json.Unmarshal(data, (*map[string]string)(&m)); err != nil {
		return nil, fmt.Errorf("documents: manifest must map ids to document strings: %w", err)
	}
	for id, doc := range m {
		if id == "" || doc == "" {
			return nil, fmt.Errorf("documents: manifest entry %q: empty id or document", id)
		}
		if hash, ok := sha256ID(id); ok && hash != Hash(doc) {
			return nil, fmt.Errorf("documents: manifest entry %q: the id is not the SHA-256 of its document", id)
		}
	}
	return m, nil
}

// Hash returns the hex SHA-256 of a document, the id APQ uses.
func Hash(doc string) string {
	sum := sha256.Sum256([]byte(doc))
	return hex.EncodeToString(sum[:])
}

// sha256ID returns the hex hash an id names, if it is a SHA-256 id.
func sha256ID(id string) (string, bool) {
	hash := strings.TrimPrefix(id, "sha256:")
	if len(hash) != 64 {
		return "", false
	}
	if _, err := hex.DecodeString(hash); err != nil {
		return "", false
	}
	return strings.ToLower(hash), true
}

// lookup finds a document by id, with or without the "sha256:" prefix.
func (m Manifest) lookup(id string) (string, bool) {
	if doc, ok := m[id]; ok {
		return doc, true
	}
	if hash, ok := sha256ID(id); ok {
		for _, key := range []string{hash, "sha256:" + hash} {
			if doc, ok := m[key]; ok {
				return doc, true
			}
		}
	}
	return "", false
}
