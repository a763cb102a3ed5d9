package apierror

import (
	"testing"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

// The TOO_MANY_ERRORS of an incremental answer's responses, merged into
// one answer, make one that counts them all, last.
func TestFoldTruncated(t *testing.T) {
	field := &gqlerror.Error{Message: "x", Extensions: map[string]any{"code": string(UpstreamError)}}
	tests := []struct {
		name    string
		errs    gqlerror.List
		len     int
		dropped int64
	}{
		{"none", gqlerror.List{field}, 1, 0},
		{"one", gqlerror.List{field, truncated(5, 100)}, 2, 5},
		{"three", gqlerror.List{truncated(5, 100), field, truncated(7, 100), truncated(1, 100)}, 2, 13},
	}
	for _, tt := range tests {
		got := FoldTruncated(tt.errs)
		if len(got) != tt.len {
			t.Fatalf("%s: %d errors; want %d", tt.name, len(got), tt.len)
		}
		if tt.dropped > 0 && got[len(got)-1].Extensions["dropped"] != tt.dropped {
			t.Errorf("%s: last %v; want TOO_MANY_ERRORS dropping %d", tt.name, got[len(got)-1], tt.dropped)
		}
	}
}
