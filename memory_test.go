package main

import (
	"errors"
	"math"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// setMemory takes GOMEMLIMIT from the environment or 90% of the
// container's limit, and GOGC from the environment or by whether memory is
// limited.
func TestSetMemory(t *testing.T) {
	prevLimit, prevGOGC := debug.SetMemoryLimit(-1), debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetMemoryLimit(prevLimit); debug.SetGCPercent(prevGOGC) })
	const pod = 256 << 20
	for _, tt := range []struct {
		name      string
		env       map[string]string
		container func() (uint64, error)
		limit     int64 // want; 0: the process's as it was
		from      string
		gogc      int
	}{
		{"container limit", nil, func() (uint64, error) { return pod, nil }, pod * 9 / 10, "90% of the container's memory limit, 268435456 bytes", limitedGOGC},
		{"not limited", nil, func() (uint64, error) { return 0, memlimit.ErrNoLimit }, math.MaxInt64, "not limited", unlimitedGOGC},
		{"no cgroup", nil, func() (uint64, error) { return 0, errors.New("no cgroup") }, math.MaxInt64, "no container memory limit found (no cgroup)", unlimitedGOGC},
		{"GOMEMLIMIT set", map[string]string{"GOMEMLIMIT": "100MiB"}, func() (uint64, error) { t.Error("container's limit read"); return pod, nil }, 0, "GOMEMLIMIT=100MiB", limitedGOGC},
		{"GOGC set", map[string]string{"GOGC": "300"}, func() (uint64, error) { return pod, nil }, pod * 9 / 10, "90%", 300},
	} {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetMemoryLimit(100 << 20) // as the runtime would from GOMEMLIMIT=100MiB
			debug.SetGCPercent(100)
			m := setMemory(func(k string) string { return tt.env[k] }, tt.container)
			want := tt.limit
			if want == 0 {
				want = 100 << 20
			}
			if m.limit != want || !strings.Contains(m.limitFrom, tt.from) {
				t.Errorf("limit %d from %q; want %d from %q", m.limit, m.limitFrom, want, tt.from)
			}
			if got := debug.SetMemoryLimit(-1); got != want {
				t.Errorf("the runtime's limit is %d; want %d", got, want)
			}
			if got := debug.SetGCPercent(100); m.gogc != tt.gogc || tt.env["GOGC"] == "" && got != tt.gogc {
				t.Errorf("GOGC %d (the runtime's %d); want %d", m.gogc, got, tt.gogc)
			}
		})
	}
}
