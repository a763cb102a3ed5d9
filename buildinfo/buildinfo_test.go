package buildinfo

import (
	"runtime"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	if got := Read("v1.4.0").Version; got != "v1.4.0" {
		t.Errorf("Read(v1.4.0).Version = %q; want the stamp", got)
	}
	i := Read("")
	if i.Version == "" || i.GoVersion != runtime.Version() {
		t.Errorf("Read(\"\") = %+v; want a version and %s", i, runtime.Version())
	}
	if s := i.String(); !strings.HasPrefix(s, "dashboard-gateway "+i.Version) {
		t.Errorf("String() = %q", s)
	}
}
