package graphqlhttp_test

import (
	"context"
	"slices"
	"testing"

	"github.com/acme/dashboard-gateway/graphqlhttp"
)

// Releases registered under WithRecycling run, in order, when its run
// func is called, and not before; without it, or after it ran, Recycle
// refuses, so the executor keeps its responses' data to itself.
func TestRecycle(t *testing.T) {
	for _, tc := range []struct {
		name      string
		recycling bool
		late      bool // registered after the releases ran
		want      bool
	}{
		{"served with recycling", true, false, true},
		{"served without it", false, false, false},
		{"registered after the answer went", true, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, run := context.Background(), func() {}
			if tc.recycling {
				ctx, run = graphqlhttp.WithRecycling(ctx)
			}
			if tc.late {
				run()
			}
			var ran []int
			got := graphqlhttp.Recycle(ctx, func() { ran = append(ran, 1) }) &&
				graphqlhttp.Recycle(ctx, func() { ran = append(ran, 2) })
			if got != tc.want {
				t.Fatalf("Recycle = %v; want %v", got, tc.want)
			}
			if len(ran) != 0 {
				t.Fatalf("releases ran before the answer was written: %v", ran)
			}
			run()
			run() // a second call runs nothing again
			if want := map[bool][]int{true: {1, 2}, false: nil}[tc.want]; !slices.Equal(ran, want) {
				t.Errorf("releases ran %v; want %v", ran, want)
			}
		})
	}
}
