package observability

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// TestLabelName: an operation name is a label value exactly when it is a
// GraphQL name of at most 64 bytes, for names near every edge and random
// ones.
func TestLabelName(t *testing.T) {
	spec := regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]{0,63}$`)
	names := []string{"", "a", "_", "A9", "9a", "Dashboard", "a-b", "a b", "é", "a\x00", strings.Repeat("a", 64), strings.Repeat("a", 65), "a\n"}
	rng := rand.New(rand.NewPCG(3, 4))
	const alphabet = "aZ_09-. é\n"
	for range 5000 {
		b := make([]byte, rng.IntN(70))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		names = append(names, string(b))
	}
	for _, name := range names {
		if got, want := labelName(name), spec.MatchString(name); got != want {
			t.Errorf("labelName(%q) = %v; want %v", name, got, want)
		}
	}
}
