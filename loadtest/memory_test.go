package loadtest_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// rss returns a process's resident set size and its peak so far, in bytes,
// from /proc/<pid>/status (VmRSS and VmHWM).
func rss(pid int) (now, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("RSS of %d: %w (the load tests need Linux's /proc)", pid, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		name, v, ok := strings.Cut(line, ":")
		if !ok || name != "VmRSS" && name != "VmHWM" {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if name == "VmRSS" {
			now = kb << 10
		} else {
			peak = kb << 10
		}
	}
	return now, peak, nil
}

// reportPeakRSS adds the peak RSS of p so far to a benchmark's result
// line, in MB.
func reportPeakRSS(b *testing.B, prefix string, p *proc) {
	_, peak, err := rss(p.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(peak)/1e6, prefix+"rss-peak-MB")
}

// memoryCgroup makes a cgroup whose memory is limited to limit bytes, a
// child of this process's own (cgroup v2, else v1's memory controller),
// removed when the test ends (after the processes the test started, whose
// cleanups run first), and returns the path of its cgroup.procs and what
// it is. It returns "" and why when none can be made here (no cgroup
// file system, not writable, no memory controller).
func memoryCgroup(tb testing.TB, limit int64) (procs, kind string) {
	tb.Helper()
	own, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", "no cgroup: " + err.Error()
	}
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return "", "no cgroup: " + err.Error()
	}
	name := fmt.Sprintf("loadtest-memory-%d", os.Getpid())
	limitText := strconv.FormatInt(limit, 10)
	var why []error
	for _, v := range []struct {
		kind        string
		controllers string // of the line of /proc/self/cgroup
		fsType      string
		option      string // a super option of the mount
		limitFile   string
		noSwap      string // the swap limit's file, set to limit as well ("" none)
	}{
		{"cgroup v2", "", "cgroup2", "", "memory.max", "memory.swap.max"},
		{"cgroup v1", "memory", "cgroup", "memory", "memory.limit_in_bytes", "memory.memsw.limit_in_bytes"},
	} {
		rel, ok := cgroupPath(string(own), v.controllers)
		mount := cgroupMount(string(mounts), v.fsType, v.option)
		if !ok || mount == "" {
			why = append(why, fmt.Errorf("%s: not mounted", v.kind))
			continue
		}
		dir := filepath.Join(mount, rel, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			why = append(why, fmt.Errorf("%s: %w", v.kind, err))
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, v.limitFile), []byte(limitText), 0o644); err != nil {
			os.Remove(dir)
			why = append(why, fmt.Errorf("%s: %w", v.kind, err))
			continue
		}
		swap := "0"
		if v.kind == "cgroup v1" {
			swap = limitText // memory and swap together: no swap
		}
		_ = os.WriteFile(filepath.Join(dir, v.noSwap), []byte(swap), 0o644) // absent without swap accounting
		tb.Cleanup(func() {
			if err := os.Remove(dir); err != nil {
				tb.Errorf("remove the cgroup: %v", err)
			}
		})
		return filepath.Join(dir, "cgroup.procs"), fmt.Sprintf("%s %s, %d bytes", v.kind, dir, limit)
	}
	return "", "no cgroup could be made: " + errors.Join(why...).Error()
}

// cgroupPath returns the path of this process's cgroup in the hierarchy
// whose controllers list holds controller, or v2's ("0::") for "".
func cgroupPath(own, controller string) (string, bool) {
	for _, line := range strings.Split(own, "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if controller == "" && parts[0] == "0" && parts[1] == "" {
			return parts[2], true
		}
		for _, c := range strings.Split(parts[1], ",") {
			if controller != "" && c == controller {
				return parts[2], true
			}
		}
	}
	return "", false
}

// cgroupMount returns where a cgroup file system of type fsType (with the
// super option option, if not "") is mounted, from /proc/self/mountinfo.
func cgroupMount(mountinfo, fsType, option string) string {
	for _, line := range strings.Split(mountinfo, "\n") {
		before, after, ok := strings.Cut(line, " - ")
		fields, rest := strings.Fields(before), strings.Fields(after)
		if !ok || len(fields) < 5 || len(rest) < 3 || rest[0] != fsType {
			continue
		}
		if option == "" || strings.Contains(","+rest[2]+",", ","+option+",") {
			return fields[4]
		}
	}
	return ""
}
