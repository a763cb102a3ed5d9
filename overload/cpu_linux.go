package overload

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// IdleCPU returns a func that reports the share of the process's CPUs
// (GOMAXPROCS) that went unused since its previous call (or since IdleCPU
// was called) and that the process could have had: CPUs idle on the
// machine (/proc/stat), but no more than GOMAXPROCS minus what the process
// used (getrusage), and none while its cgroup's CPU quota throttled it
// (cpu.stat). It is not safe for concurrent use: one Limiter calls it. What
// it cannot read counts as no idle CPU, so that the scheduling latency
// alone decides.
func IdleCPU() func() float64 {
	last := readCPU()
	return func() float64 {
		now := readCPU()
		defer func() { last = now }()
		return now.idleSince(last, runtime.GOMAXPROCS(0))
	}
}

// cpuReading is what the operating system said about the CPUs at one time.
type cpuReading struct {
	at               time.Time
	used             time.Duration // the process's user and system time
	idle, total      uint64        // the machine's idle and total ticks, over all its CPUs
	cpus             int           // the machine's CPUs
	throttled        uint64        // the cgroup's throttled time, in µs
	ok, throttleSeen bool
}

func readCPU() cpuReading {
	r := cpuReading{at: time.Now()}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return r
	}
	r.used = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return r
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "cpu "):
			// user nice system idle iowait irq softirq steal ...
			fields := strings.Fields(line)[1:]
			for i, f := range fields[:min(8, len(fields))] { // guest time is in user time already
				n, _ := strconv.ParseUint(f, 10, 64)
				r.total += n
				if i == 3 || i == 4 { // idle, iowait
					r.idle += n
				}
			}
		case strings.HasPrefix(line, "cpu"):
			r.cpus++
		}
	}
	r.ok = r.total > 0 && r.cpus > 0
	if b, err := os.ReadFile("/sys/fs/cgroup/cpu.stat"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, found := strings.CutPrefix(line, "throttled_usec "); found {
				r.throttled, _ = strconv.ParseUint(strings.TrimSpace(v), 10, 64)
				r.throttleSeen = true
			}
		}
	}
	return r
}

// idleSince is the share of procs CPUs left idle between prev and r that
// the process could have used.
func (r cpuReading) idleSince(prev cpuReading, procs int) float64 {
	wall := r.at.Sub(prev.at)
	if !r.ok || !prev.ok || wall <= 0 || r.total <= prev.total || procs <= 0 {
		return 0
	}
	if r.throttleSeen && prev.throttleSeen && r.throttled > prev.throttled {
		return 0
	}
	idleCPUs := float64(r.idle-prev.idle) / float64(r.total-prev.total) * float64(r.cpus)
	usedCPUs := float64(r.used-prev.used) / float64(wall)
	room := min(idleCPUs, float64(procs)-usedCPUs)
	return max(0, room/float64(procs))
}
