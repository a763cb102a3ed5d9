package graphqlhttp

import (
	"encoding/json"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

// Paths and labels are written as encoding/json writes them, without its
// allocations.
func TestAppendPathAndString(t *testing.T) {
	paths := []ast.Path{nil, {}, {ast.PathName("dashboard")}, {ast.PathName("dashboards"), ast.PathIndex(3), ast.PathName("orders"), ast.PathIndex(0)}}
	for _, p := range paths {
		want, _ := json.Marshal(p)
		if p == nil {
			want = []byte("[]")
		}
		if got := appendPath(nil, p); string(got) != string(want) {
			t.Errorf("appendPath(%v) = %s; want %s", p, got, want)
		}
	}
	for _, s := range []string{"", "wallet", `a"b`, `a\b`, "a\nb", "<x>&", "é", "\x7f"} {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Errorf("appendString(%q) = %s; want %s", s, got, want)
		}
	}
	p := ast.Path{ast.PathName("dashboards"), ast.PathIndex(12), ast.PathName("wallet")}
	if n := testing.AllocsPerRun(100, func() { appendPath(make([]byte, 0, 64), p) }); n > 1 {
		t.Errorf("appendPath: %v allocations; want at most 1 (the buffer)", n)
	}
}
