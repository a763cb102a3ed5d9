package stack_test

import (
	"testing"

	"github.com/acme/dashboard-gateway/stack"
)

// Grow costs no allocation: the stack is the goroutine's own.
func TestGrowAllocatesNothing(t *testing.T) {
	if n := testing.AllocsPerRun(100, stack.Grow); n != 0 {
		t.Errorf("Grow allocates %v times; want 0", n)
	}
}
