package main

import (
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"strconv"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// The garbage collector's settings unless GOGC and GOMEMLIMIT are set
// (docs/operating.md#memory has the figures behind them).
const (
	// memoryLimitRatio is GOMEMLIMIT's share of the container's memory
	// limit. The rest is for what the Go runtime does not count and the
	// kernel charges to the container all the same: the sockets' buffers
	// of a thousand connections, the heap's pages not yet returned, the
	// binary.
	memoryLimitRatio = 0.9
	// limitedGOGC is GOGC under a memory limit. The limit caps the heap,
	// so the collector may wait for more garbage, for less CPU, while
	// memory is plentiful, and collects more often only near the limit:
	// a dashboard cost 1.09-1.12x the floor's CPU at 400, 1.14x at 200,
	// 1.23-1.28x at 100, and at 500/s of 1 s services the peak RSS was
	// 237-260 MB whichever (the limit 230 MiB).
	limitedGOGC = 400
	// unlimitedGOGC is GOGC without a memory limit: Go's own default,
	// since nothing then caps the heap but the collector (at 400, the same
	// load took 476-539 MB; at 100, 276-295 MB).
	unlimitedGOGC = 100
)

// memorySettings is what the garbage collector was told, and why.
type memorySettings struct {
	limit     int64  // GOMEMLIMIT in bytes; math.MaxInt64: none
	limitFrom string // where it came from
	gogc      int
	gogcFrom  string
}

// setMemory sets the garbage collector's memory limit and GOGC for the
// process, unless the environment set them: the limit to 90% of the
// container's memory limit that containerLimit reports (memlimit.FromCgroup:
// cgroup v2's memory.max, or v1's memory.limit_in_bytes), and GOGC to
// limitedGOGC under a limit, unlimitedGOGC without one. It changes
// process-wide state: only run calls it, once.
func setMemory(getenv func(string) string, containerLimit func() (uint64, error)) memorySettings {
	var m memorySettings
	switch v := getenv("GOMEMLIMIT"); {
	case v != "": // the runtime read it at start
		m.limit, m.limitFrom = debug.SetMemoryLimit(-1), "GOMEMLIMIT="+v
	default:
		l, err := containerLimit()
		switch {
		case err == nil && l > 0 && l < math.MaxInt64:
			m.limit = int64(float64(l) * memoryLimitRatio)
			m.limitFrom = fmt.Sprintf("%.0f%% of the container's memory limit, %d bytes (cgroup)", memoryLimitRatio*100, l)
			debug.SetMemoryLimit(m.limit)
		case err == nil || errors.Is(err, memlimit.ErrNoLimit):
			m.limit, m.limitFrom = math.MaxInt64, "none: the container's memory is not limited"
		default:
			m.limit, m.limitFrom = math.MaxInt64, "none: no container memory limit found ("+err.Error()+")"
		}
		if m.limit == math.MaxInt64 {
			debug.SetMemoryLimit(m.limit) // the runtime's default: no limit
		}
	}
	switch v := getenv("GOGC"); {
	case v != "":
		m.gogc, m.gogcFrom = -1, "GOGC="+v
		if n, err := strconv.Atoi(v); err == nil {
			m.gogc = n
		}
	case m.limit < math.MaxInt64:
		m.gogc, m.gogcFrom = limitedGOGC, "default under a memory limit"
		debug.SetGCPercent(m.gogc)
	default:
		m.gogc, m.gogcFrom = unlimitedGOGC, "default without a memory limit"
		debug.SetGCPercent(m.gogc)
	}
	return m
}
