package overload

import (
	"math"
	"testing"
	"time"
)

func TestIdleSince(t *testing.T) {
	at := time.Unix(0, 0)
	reading := func(dt time.Duration, used time.Duration, idle, total, throttled uint64) cpuReading {
		return cpuReading{at: at.Add(dt), used: used, idle: idle, total: total, cpus: 2, throttled: throttled, ok: true, throttleSeen: true}
	}
	prev := reading(0, 0, 0, 0, 0)
	tests := []struct {
		name  string
		now   cpuReading
		procs int
		want  float64
	}{
		{"half the machine idle, the process using half a CPU", reading(time.Second, 500*time.Millisecond, 100, 200, 0), 2, 0.5},
		{"half the machine idle, the process using both its CPUs", reading(time.Second, 2*time.Second, 100, 200, 0), 2, 0},
		{"half the machine idle, the process using one of its two", reading(time.Second, time.Second, 100, 200, 0), 2, 0.5},
		{"a quarter idle, one CPU for the process, using most of it", reading(time.Second, 900*time.Millisecond, 50, 200, 0), 1, 0.1},
		{"none idle", reading(time.Second, 300*time.Millisecond, 0, 200, 0), 2, 0},
		{"idle, but the cgroup throttled the process", reading(time.Second, 500*time.Millisecond, 100, 200, 10), 2, 0},
		{"nothing read", cpuReading{at: at.Add(time.Second)}, 2, 0},
	}
	for _, tt := range tests {
		if got := tt.now.idleSince(prev, tt.procs); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s: idle share %v; want %v", tt.name, got, tt.want)
		}
	}
}
