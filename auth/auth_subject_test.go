package auth

import (
	"context"
	"testing"
)

func TestSubject(t *testing.T) {
	if got := Subject(context.Background()); got != "" {
		t.Errorf("Subject without identity = %q; want empty", got)
	}
	if got := Subject(NewContext(context.Background(), Identity{Subject: "u1"})); got != "u1" {
		t.Errorf("Subject = %q; want u1", got)
	}
}
