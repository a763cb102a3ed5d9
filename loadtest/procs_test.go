package loadtest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/simulator"
)

// The load tests run every part as a process of its own on loopback: the
// simulated services (cmd/simulator), the gateway (the repository's
// command) and the floor (loadtest/floor/cmd/floor). The test process is
// only the load generator, so the CPU a server process used, read from
// /proc, is that server's alone.

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// binaries builds the three commands once per test binary run, the
// gateway only if LOADTEST_GATEWAY_BIN does not name one (see start): a
// tree that does not build then fails no run of another binary.
func binaries(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "loadtest-bin")
		if buildErr != nil {
			return
		}
		for name, pkg := range map[string]string{
			"gateway":   "github.com/acme/dashboard-gateway",
			"simulator": "github.com/acme/dashboard-gateway/cmd/simulator",
			"floor":     "github.com/acme/dashboard-gateway/loadtest/floor/cmd/floor",
		} {
			if name == "gateway" && os.Getenv("LOADTEST_GATEWAY_BIN") != "" {
				continue
			}
			out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, name), pkg).CombinedOutput()
			if err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binDir
}

// proc is a server process started for a load test.
type proc struct {
	name string
	cmd  *exec.Cmd
	vars map[string]string // NAME=value lines it printed on stdout, and the addresses it logged
	logs *bytes.Buffer
}

// start runs binary name with env and waits until ready says it is
// serving, from the lines it writes on stdout and stderr (10 s at most).
//
// LOADTEST_GATEWAY_BIN, when set, is the gateway's binary instead of the
// one built from this tree: a gateway built from an older commit, to run a
// scenario before and after a change back to back with the same load
// generator, simulator and floor.
func start(tb testing.TB, name string, env []string, ready func(p *proc) bool) *proc {
	tb.Helper()
	path := filepath.Join(binaries(tb), name)
	if bin := os.Getenv("LOADTEST_GATEWAY_BIN"); bin != "" && name == "gateway" {
		path = bin
	}
	return startBinary(tb, name, path, env, ready)
}

// startBinary is start for the binary at path, named name.
func startBinary(tb testing.TB, name, path string, env []string, ready func(p *proc) bool) *proc {
	tb.Helper()
	cmd := exec.Command(path)
	cmd.Env = append(os.Environ(), env...)
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	p := &proc{name: name, cmd: cmd, vars: map[string]string{}, logs: &bytes.Buffer{}}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", name, err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	var mu sync.Mutex
	changed := make(chan struct{}, 1)
	scan := func(r io.Reader) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			if k, v, ok := strings.Cut(line, "="); ok && !strings.ContainsAny(k, " {\"") {
				p.vars[k] = v
			}
			var entry struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal([]byte(line), &entry) == nil && entry.Addr != "" {
				p.vars[entry.Msg] = entry.Addr // "listening", "admin listening"
			}
			if p.logs.Len() < 1<<20 {
				p.logs.WriteString(line + "\n")
			}
			mu.Unlock()
			select {
			case changed <- struct{}{}:
			default:
			}
		}
	}
	go scan(stdout)
	go scan(stderr)
	deadline := time.After(10 * time.Second)
	for {
		mu.Lock()
		ok := ready(p)
		mu.Unlock()
		if ok {
			return p
		}
		select {
		case <-changed:
		case <-deadline:
			mu.Lock()
			defer mu.Unlock()
			tb.Fatalf("%s not ready after 10s; its output:\n%s", name, p.logs.String())
		}
	}
}

// cpu returns the CPU time the process used so far, to the nanosecond: the
// sum of its threads' time on a CPU (/proc/<pid>/task/*/schedstat). The
// user and system times of /proc/<pid>/stat count in clock ticks (10 ms),
// too coarse for blocks of a few hundred milliseconds. A thread that
// exited no longer counts; Go's runtime keeps its threads.
func (p *proc) cpu(tb testing.TB) time.Duration {
	tb.Helper()
	onCPU, _ := p.schedstat(tb)
	return onCPU
}

// schedstat returns the sum over p's threads of their time on a CPU and
// of how many times they were put on one (/proc/<pid>/task/*/schedstat).
func (p *proc) schedstat(tb testing.TB) (onCPU time.Duration, slices float64) {
	tb.Helper()
	dir := fmt.Sprintf("/proc/%d/task", p.cmd.Process.Pid)
	tasks, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatalf("CPU time of %s: %v (the load tests need Linux's /proc)", p.name, err)
	}
	for _, t := range tasks {
		b, err := os.ReadFile(dir + "/" + t.Name() + "/schedstat")
		if err != nil {
			continue // the thread is gone
		}
		f := strings.Fields(string(b))
		ns, _ := strconv.ParseInt(f[0], 10, 64)
		onCPU += time.Duration(ns)
		if len(f) == 3 {
			n, _ := strconv.ParseFloat(f[2], 64)
			slices += n
		}
	}
	return onCPU, slices
}

// activity returns how many times p's threads were put on a CPU (each a
// wake-up) and how many read and write system calls p made
// (/proc/<pid>/io).
func (p *proc) activity(tb testing.TB) (wakeups, reads, writes float64) {
	tb.Helper()
	_, wakeups = p.schedstat(tb)
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", p.cmd.Process.Pid))
	if err != nil {
		return wakeups, 0, 0
	}
	for line := range strings.Lines(string(b)) {
		name, value, _ := strings.Cut(strings.TrimSpace(line), ": ")
		n, _ := strconv.ParseFloat(value, 64)
		switch name {
		case "syscr":
			reads = n
		case "syscw":
			writes = n
		}
	}
	return wakeups, reads, writes
}

// allocs returns a Go process's allocation counters from its metrics page.
func allocs(tb testing.TB, metricsURL string) (count, bytes float64) {
	tb.Helper()
	m, err := scrape(metricsURL)
	if err != nil {
		tb.Fatalf("metrics: %v", err)
	}
	return m["go_memstats_mallocs_total"], m["go_memstats_alloc_bytes_total"]
}

// scrape returns every sample of the Prometheus text at url by its name,
// labels included as written (`gateway_overload_limit`,
// `gateway_resilience_decisions_total{decision="hedged",service="orders"}`).
func scrape(url string) (map[string]float64, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		i := strings.LastIndexByte(line, ' ')
		if strings.HasPrefix(line, "#") || i < 0 {
			continue
		}
		if n, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = n
		}
	}
	return out, sc.Err()
}

// world is the simulated services and the two servers under test, the
// gateway and the floor, both in front of the same services.
type world struct {
	sim, gateway, floor *proc
	gatewayURL          string // base URL of the gateway's public listener
	adminURL            string // of its admin listener
	floorURL            string

	// base is a second gateway, from the binary LOADTEST_BASE_GATEWAY
	// names (one built from an earlier commit), started with the same
	// environment as gateway, so that a benchmark can measure before and
	// after in one run; nil unless that is set and the world asked for it.
	base                         *proc
	baseGatewayURL, baseAdminURL string
}

// worldOptions are what a world's servers get beyond the services' URLs.
type worldOptions struct {
	gatewayEnv []string // added to the gateway's environment
	// floorEnv, if set, is called once the gateway is serving and returns
	// what is added to the floor's environment (e.g. the gateway's GOGC).
	floorEnv func(w *world) []string
	// base starts the gateway of LOADTEST_BASE_GATEWAY too, if set.
	base bool
}

// simulation names a behaviour of the simulated services: a preset of
// cmd/simulator, and per-service specs over it.
type simulation struct {
	preset string
	spec   string            // applied to every service, e.g. "latency=1s"; "" for none
	specs  map[string]string // per service, over spec: {"catalog": "fault=500"}
}

// newWorld starts the services as sim describes them, and the gateway
// (with gatewayEnv added to its environment) and the floor in front of them.
func newWorld(tb testing.TB, sim simulation, gatewayEnv ...string) *world {
	tb.Helper()
	return newWorldWith(tb, sim, worldOptions{gatewayEnv: gatewayEnv})
}

// newWorldWith is newWorld with the servers' environments as o says.
func newWorldWith(tb testing.TB, sim simulation, o worldOptions) *world {
	tb.Helper()
	w := &world{}
	var urls []string
	w.sim, urls = startSimulator(tb, sim)
	env := append(append([]string{"ADDR=127.0.0.1:0", "ADMIN_ADDR=127.0.0.1:0"}, urls...), o.gatewayEnv...)
	env = append(env, strings.Fields(os.Getenv("LOADTEST_GATEWAY_ENV"))...) // for experiments: LOADTEST_GATEWAY_ENV="OVERLOAD_TARGET=20ms"
	serving := func(p *proc) bool { return p.vars["listening"] != "" && p.vars["admin listening"] != "" }
	w.gateway = start(tb, "gateway", env, serving)
	w.gatewayURL = "http://" + w.gateway.vars["listening"]
	w.adminURL = "http://" + w.gateway.vars["admin listening"]
	if path := os.Getenv("LOADTEST_BASE_GATEWAY"); path != "" && o.base {
		w.base = startBinary(tb, "base gateway", path, env, serving)
		w.baseGatewayURL = "http://" + w.base.vars["listening"]
		w.baseAdminURL = "http://" + w.base.vars["admin listening"]
	}
	floorEnv := urls
	if o.floorEnv != nil {
		floorEnv = append(floorEnv, o.floorEnv(w)...)
	}
	w.floor = start(tb, "floor", floorEnv, func(p *proc) bool { return p.vars["FLOOR_URL"] != "" })
	w.floorURL = w.floor.vars["FLOOR_URL"]
	// On a machine shared with other work, LOADTEST_PRIORITY (a nice value,
	// e.g. -10, which needs the privilege to raise priority) puts the
	// servers under test and the load generator ahead of it, and the
	// simulated services 10 behind them, every thread of each.
	if v := os.Getenv("LOADTEST_PRIORITY"); v != "" {
		prio, err := strconv.Atoi(v)
		if err != nil {
			tb.Fatalf("LOADTEST_PRIORITY=%q: want a nice value", v)
		}
		pids := []int{w.gateway.cmd.Process.Pid, w.floor.cmd.Process.Pid, os.Getpid()}
		if w.base != nil {
			pids = append(pids, w.base.cmd.Process.Pid)
		}
		for _, pid := range pids {
			renice(tb, pid, prio)
		}
		renice(tb, w.sim.cmd.Process.Pid, prio+10)
	}
	return w
}

// renice sets the nice value of every thread of process pid (on Linux a
// nice value is a thread's; threads started later inherit their
// creator's).
func renice(tb testing.TB, pid, prio int) {
	tb.Helper()
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		tb.Logf("renice %d: %v", pid, err)
		return
	}
	for _, t := range tasks {
		tid, _ := strconv.Atoi(t.Name())
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, prio); err != nil {
			tb.Logf("renice %d (thread %d) to %d: %v", pid, tid, prio, err)
			return
		}
	}
}

// startSimulator starts the services as sim describes them, and returns
// them and their URLs as the gateway's environment (ORDERS_URL=...).
func startSimulator(tb testing.TB, sim simulation) (*proc, []string) {
	tb.Helper()
	simEnv := []string{"SIM_BASE_PORT=0", "SIM_PRESET=" + sim.preset}
	services := simulator.Services()
	if sim.spec != "" {
		for _, s := range services {
			simEnv = append(simEnv, "SIM_"+strings.ToUpper(s)+"="+sim.spec)
		}
	}
	for svc, spec := range sim.specs {
		simEnv = append(simEnv, "SIM_"+strings.ToUpper(svc)+"="+spec)
	}
	lastURL := strings.ToUpper(services[len(services)-1]) + "_URL" // printed last
	var urls []string
	p := start(tb, "simulator", simEnv, func(p *proc) bool { // read here: the process's output still comes after
		if p.vars[lastURL] == "" {
			return false
		}
		for _, s := range services {
			k := strings.ToUpper(s) + "_URL"
			urls = append(urls, k+"="+p.vars[k])
		}
		return true
	})
	// The simulated services stand in for other machines: on this one they
	// yield the CPU to the servers under test and the load generator.
	if err := syscall.Setpriority(syscall.PRIO_PROCESS, p.cmd.Process.Pid, 10); err != nil {
		tb.Logf("nice the simulator: %v", err)
	}
	return p, urls
}

// client is the load generator's HTTP client: enough idle connections for
// every concurrent request, so the servers see no connection churn.
var client = &http.Client{Transport: &http.Transport{MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, IdleConnTimeout: time.Minute}}

// outcome is one answer as the load generator saw it.
type outcome struct {
	status  int
	partial bool // a 200 with errors
	latency time.Duration
	conn    time.Duration // of latency, until the request had a connection (a new one accepted, or an idle one)
	err     error
}

// send makes one request and reads its answer to the end.
// The latency is until the last byte of the answer.
func send(ctx context.Context, req *http.Request) outcome {
	start := time.Now()
	var conn time.Duration
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { conn = time.Since(start) }})
	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		return outcome{err: err, latency: time.Since(start), conn: conn}
	}
	buf := bodies.Get().(*bytes.Buffer)
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	o := outcome{status: resp.StatusCode, latency: time.Since(start), conn: conn, err: err}
	o.partial = resp.StatusCode == http.StatusOK && bytes.Contains(buf.Bytes(), []byte(`"errors":[{`))
	bodies.Put(buf)
	return o
}

// bodies are the load generator's buffers for answers: it should cost the
// machine it shares with the servers as little as it can.
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}
