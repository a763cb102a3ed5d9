// Package contract holds the vocabulary of the public contract that more
// than one layer must agree on: the downstream services, their endpoints
// and the GraphQL fields they back (Services), the format of ids, how many
// ids and list elements a request may ask for, and what may travel in the
// headers sent downstream. It is a leaf: it imports nothing of the
// gateway's, so the downstream clients, the simulator, the configuration,
// the limits and the resolvers all agree on the same declarations.
package contract

// The argument limits of the public schema.
const (
	// MaxUserIDs is the most ids dashboards(userIds:) takes.
	MaxUserIDs = 50
	// MaxFirst is the largest `first` a list field takes.
	MaxFirst = 50
	// DefaultFirst is `first` when a client passes null explicitly; the
	// schema's default (also 10) applies when it passes nothing.
	DefaultFirst = 10
)

// MaxBatch is the most ids one call to a batch endpoint (Batch) may carry.
const MaxBatch = 100

// MaxIDBytes is the longest id.
const MaxIDBytes = 64

// ValidID reports whether id has the contract's id format: 1 to 64
// characters from [A-Za-z0-9_-]. Such an id is safe as a URL path segment
// and as a list element: it has no '.', '/', '%', ',' or space.
func ValidID(id string) bool {
	if len(id) == 0 || len(id) > MaxIDBytes {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// MaxSubjectBytes is the longest caller subject (a token's "sub" claim).
const MaxSubjectBytes = 256

// ValidSubject reports whether a caller subject can be forwarded downstream
// in a header and used as a key: 1 to 256 visible ASCII characters (no
// spaces, control characters or non-ASCII bytes, which a header cannot carry
// safely).
func ValidSubject(s string) bool {
	if len(s) == 0 || len(s) > MaxSubjectBytes {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
