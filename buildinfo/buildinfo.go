// Package buildinfo says which build of the gateway is running: its
// version, the commit it was built from, and the Go that built it, from
// what the Go toolchain stamps into every binary (debug.ReadBuildInfo) and
// an optional version given at link time.
package buildinfo

import (
	"runtime/debug"
	"strings"
)

// Info is a build's identity.
type Info struct {
	// Version is the release (a link-time stamp, or the module's version
	// when built with go install module@version), else "devel" plus the
	// commit: "devel+3f2c1a9b0d4e", "-dirty" after it for uncommitted
	// changes.
	Version string
	// Revision is the commit (vcs.revision); "" when not built in a
	// checkout.
	Revision string
	// GoVersion is the Go toolchain that built the binary.
	GoVersion string
}

// Read returns the running binary's Info. stamp, when not empty, is the
// version given at link time (-ldflags "-X main.buildVersion=v1.4.0"), which
// wins.
func Read(stamp string) Info {
	info := Info{Version: "devel"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		if stamp != "" {
			info.Version = stamp
		}
		return info
	}
	info.GoVersion = bi.GoVersion
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	switch v := bi.Main.Version; {
	case stamp != "":
		info.Version = stamp
	case v != "" && v != "(devel)" && !strings.Contains(v, "+dirty"):
		info.Version = v
	case info.Revision != "":
		info.Version = "devel+" + info.Revision[:min(12, len(info.Revision))]
		if modified {
			info.Version += "-dirty"
		}
	}
	return info
}

// String is the one-line form -version prints.
func (i Info) String() string {
	s := "dashboard-gateway " + i.Version
	if i.Revision != "" {
		s += " (" + i.Revision + ")"
	}
	if i.GoVersion != "" {
		s += " " + i.GoVersion
	}
	return s
}
