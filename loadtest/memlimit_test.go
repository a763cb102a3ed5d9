package loadtest_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/gatewaytest"
)

// podMemory is deploy/base/deployment.yaml's memory limit (256Mi).
const podMemory = 256 << 20

// TestMemoryLimit runs the gateway binary, as deployed, under a memory
// limit equal to the deployment's, in a cgroup of its own when one can be
// made (so that the kernel would kill it past the limit, and it derives
// GOMEMLIMIT from the cgroup as in a pod), else with GOMEMLIMIT set as it
// would derive it. For 5 s it gets, at once: 300 dashboards/s from
// services that each take 1 s to answer; 40/s distinct documents of 10 KB
// that take 0.5 MB each once parsed (200 in all: 110 MB were they all
// kept); and 8/s expensive @defer requests (the red team's, 450
// dashboards in 90 parts, and the benchmark's 50 dashboards in 10). Its
// RSS, sampled and its kernel-kept peak, must stay under the limit, every
// request must be answered (200, or 503 shed), and it must be alive and
// healthy at the end.
func TestMemoryLimit(t *testing.T) {
	bin := binaries(t)
	env := []string{"MAX_DEFERRED=100"} // the red team's document runs
	wantLimit := int64(podMemory * 9 / 10)
	procs, kind := memoryCgroup(t, podMemory)
	name := "gateway"
	if procs != "" {
		// A process that joins the cgroup, then becomes the gateway: the
		// same pid, in the cgroup from its start.
		name = "gateway-in-cgroup"
		// LOADTEST_GATEWAY_BIN, as start's.
		script := "#!/bin/sh\necho $$ > \"$LOADTEST_CGROUP_PROCS\" || exit 1\nexec \"${LOADTEST_GATEWAY_BIN:-$(dirname \"$0\")/gateway}\"\n"
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		env = append(env, "LOADTEST_CGROUP_PROCS="+procs)
	} else {
		env = append(env, fmt.Sprintf("GOMEMLIMIT=%d", wantLimit))
	}
	env = append(env, strings.Fields(os.Getenv("LOADTEST_GATEWAY_ENV"))...) // for experiments, as newWorld's
	_, simURLs := startSimulator(t, simulation{preset: "healthy", spec: "latency=1s"})
	var base string
	var memoryLog struct {
		Limit int64  `json:"gomemlimit"`
		From  string `json:"gomemlimit_from"`
		GOGC  int    `json:"gogc"`
	}
	gw := start(t, name, append(append([]string{"ADDR=127.0.0.1:0", "ADMIN_ADDR=127.0.0.1:0"}, simURLs...), env...), func(p *proc) bool {
		if p.vars["listening"] == "" || p.vars["admin listening"] == "" {
			return false
		}
		base = "http://" + p.vars["listening"] // read here: the gateway's output still comes after
		sc := bufio.NewScanner(strings.NewReader(p.logs.String()))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if strings.Contains(sc.Text(), `"msg":"memory"`) {
				_ = json.Unmarshal(sc.Bytes(), &memoryLog)
			}
		}
		return true
	})
	t.Logf("memory limit: %s; the gateway's GOMEMLIMIT %d (%s), GOGC %d", kind, memoryLog.Limit, memoryLog.From, memoryLog.GOGC)
	if memoryLog.Limit != wantLimit {
		t.Errorf("the gateway's GOMEMLIMIT is %d (%s); want %d, 90%% of %d", memoryLog.Limit, memoryLog.From, wantLimit, podMemory)
	}
	pid := gw.cmd.Process.Pid

	// RSS, sampled while the load runs.
	stop := make(chan struct{})
	sampled := make(chan int64)
	go func() {
		var peak int64
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				sampled <- peak
				return
			case <-tick.C:
				if now, ok := vmRSS(pid); ok {
					peak = max(peak, now)
				}
			}
		}
	}()

	ids := make([]any, 50)
	for i := range ids {
		ids[i] = "u" + strconv.Itoa(i+1)
	}
	red, redVars := gatewaytest.RedTeamDocument(true, true)
	deferred, _, deferVars := gatewaytest.DeferCostDocuments(ids)
	comments := strings.Repeat("#\n", 4900)
	var distinct sync.Mutex
	next := 0
	const d = 5 * time.Second
	loads := []struct {
		name    string
		rate    int
		request func() *http.Request
	}{
		{"dashboards from 1 s services", 300, graphqlRequest(base, topLevelQuery, users(10000))},
		{"distinct large documents", 40, func() *http.Request {
			distinct.Lock()
			next++
			q := fmt.Sprintf("query Distinct%d {\n%s dashboard(userId: \"u1\") { userId } }", next, comments)
			distinct.Unlock()
			return postRequest(base, q, nil, "application/json")()
		}},
		{"red team @defer", 4, postRequest(base, red, redVars, gatewaytest.DeferAccept)},
		{"50 dashboards @defer", 4, postRequest(base, deferred, deferVars, gatewaytest.DeferAccept)},
	}
	results := make([][]outcome, len(loads))
	var wg sync.WaitGroup
	for i, l := range loads {
		wg.Go(func() { results[i] = openLoop(l.rate, d, l.request) })
	}
	wg.Wait()
	close(stop)
	peak := <-sampled
	if _, hwm, err := rss(pid); err == nil {
		peak = max(peak, hwm)
	}

	for i, l := range loads {
		counts := map[string]int{}
		for _, o := range results[i] {
			switch {
			case o.err != nil:
				counts["no answer"]++
				t.Errorf("%s: no answer: %v", l.name, o.err)
			case o.status == http.StatusOK || o.status == http.StatusServiceUnavailable:
				counts[strconv.Itoa(o.status)]++
			default:
				counts[strconv.Itoa(o.status)]++
				t.Errorf("%s: status %d; want 200, or 503 when shed", l.name, o.status)
			}
		}
		t.Logf("%s: %d requests: %v", l.name, len(results[i]), counts)
	}
	t.Logf("RSS peak %.1f MiB of %d MiB", float64(peak)/(1<<20), podMemory>>20)
	if peak >= podMemory {
		t.Errorf("RSS peaked at %d bytes; the limit is %d", peak, podMemory)
	}
	if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err != nil || strings.Contains(string(st), ") Z ") {
		t.Fatalf("the gateway died (killed by the kernel past its memory limit?)")
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatalf("/healthz: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %d; want 200", resp.StatusCode)
	}
}

// vmRSS returns a process's resident set size now, in bytes.
func vmRSS(pid int) (int64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}
