package acceptance_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/gatewaytest/docgen"
	"github.com/acme/dashboard-gateway/graph"
	"github.com/acme/dashboard-gateway/simulator"
)

// The differential test: random requests (package docgen) to two gateways
// in front of the same simulated services, the default one (the fast path)
// and one with -gqlgen-only (gqlgen's executor), which must answer alike.
//
// The two must see the same world: faults are chosen per call and absent
// ids per id (simulator.Behavior.FaultPerCall, AbsentShare), not by the
// order calls come in; every fault answers at once (no hangs, no latency:
// nothing depends on the deadline); and the policy keeps one request from
// changing the next one's world: one attempt, no breaker, no sharing of
// calls in flight. Everything else is the default gateway's: query cache,
// limits, APQ.

// diffPolicy is both gateways' resilience policy.
const diffPolicy = "attempts=1,dedupe=off,breaker-consecutive=1000000000,breaker-min-calls=1000000000"

// diffSeedEnv names the environment variable that reruns
// TestDifferentialFreshSeed with the seed it printed; diffShrinkEnv, the
// one that gives shrinking more time than shrinkBudget (a duration, e.g.
// DIFF_SHRINK=10m), to read every divergence at its smallest.
const (
	diffSeedEnv   = "DIFF_SEED"
	diffShrinkEnv = "DIFF_SHRINK"
)

// The run's size: documents per world, requests (variables, media type,
// token) per document.
const (
	diffDocuments = 280
	diffRequests  = 3
	diffWorkers   = 8
	// slow is when an answer took too long: every service answers at
	// once, and the deadline is 4 s.
	slow       = 2 * time.Second
	slowAnswer = "slow answer"
)

// A fixed seed covers every world; two of them cover every fast fault.
func TestDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("the differential test sends some 10,000 requests to each gateway")
	}
	shrinkLeft := shrinkTime(t, shrinkBudget)
	for _, seed := range []uint64{1, 2} {
		runDifferential(t, seed, diffDocuments, &shrinkLeft)
	}
}

// A fresh seed each run finds what the fixed ones do not; it prints how
// to run it again.
func TestDifferentialFreshSeed(t *testing.T) {
	if testing.Short() {
		t.Skip("the differential test sends some 1,700 requests to each gateway")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(diffSeedEnv); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("%s=%q: %v", diffSeedEnv, s, err)
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("seed %d; run it again with: %s=%d go test ./acceptance -run 'TestDifferentialFreshSeed$'", seed, diffSeedEnv, seed)
		}
	})
	shrinkLeft := shrinkTime(t, shrinkBudget/2)
	runDifferential(t, seed, diffDocuments/6, &shrinkLeft)
}

// shrinkTime returns the time shrinking may take: DIFF_SHRINK's, else def.
func shrinkTime(t *testing.T, def time.Duration) time.Duration {
	s := os.Getenv(diffShrinkEnv)
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatalf("%s=%q: %v", diffShrinkEnv, s, err)
	}
	return d
}

// world is what the two gateways of a pair share: the simulated services'
// behaviour, and whether clients authenticate.
type world struct {
	name      string
	behaviors map[string]simulator.Behavior
	auth      bool
}

// fastFaults are the faults that answer at once.
var fastFaults = []simulator.Fault{
	simulator.FaultStatus500, simulator.FaultStatus503, simulator.FaultMalformed, simulator.FaultWrongShape,
	simulator.FaultGarbage, simulator.FaultReset, simulator.FaultNotFound,
	simulator.FaultDuplicateKeys, simulator.FaultCaseKeys,
}

// worlds returns the worlds of a seed: healthy; per-call faults on the
// per-user services (which fault each gets turns with the seed) and
// absent ids on the batch ones; the catalog down. Each with and without
// authentication.
func worlds(seed uint64) []world {
	faulty := map[string]simulator.Behavior{
		simulator.Profile: {AbsentShare: 0.2},
		simulator.Catalog: {AbsentShare: 0.2},
	}
	for i, svc := range []string{simulator.Orders, simulator.Recommendations, simulator.Notifications, simulator.Wallet} {
		f := fastFaults[(int(seed%uint64(len(fastFaults)))+i)%len(fastFaults)]
		faulty[svc] = simulator.Behavior{Fault: f, FaultRate: 0.3, FaultPerCall: true}
	}
	var out []world
	for _, w := range []world{
		{name: "healthy"},
		{name: "per-call faults", behaviors: faulty},
		{name: "catalog down", behaviors: map[string]simulator.Behavior{simulator.Catalog: {Fault: simulator.FaultStatus500}}},
	} {
		out = append(out, w)
		w.name += ", auth on"
		w.auth = true
		out = append(out, w)
	}
	return out
}

// describe writes the world's services' behaviours.
func (w world) describe() string {
	var parts []string
	for _, svc := range simulator.Services() {
		b, ok := w.behaviors[svc]
		if !ok {
			continue
		}
		s := svc + " " + b.String()
		if b.FaultPerCall {
			s += " per call"
		}
		if b.AbsentShare > 0 {
			s += fmt.Sprintf(" absent=%v", b.AbsentShare)
		}
		parts = append(parts, s)
	}
	return fmt.Sprintf("%s (%s; authentication %v)", w.name, strings.Join(parts, ", "), w.auth)
}

// pair is two gateways in front of one simulator: the fast path's and
// gqlgen's.
type pair struct {
	fast, gqlgen *gatewaytest.Gateway
	tokens       []token // for auth worlds
	// shrinkLeft is the time left for shrinking, shared by the run's
	// pairs (which run one after the other): once it is spent,
	// divergences are reported as found.
	shrinkLeft *time.Duration
	// slowShrunk are slow answers to requests made while shrinking
	// (which runs in one goroutine), one per kind.
	slowShrunk []divergence
	// executed counts the requests gqlgen answered with data.
	executed atomic.Int64
}

type token struct{ who, header string }

func newPair(t *testing.T, w world, seed uint64) *pair {
	t.Helper()
	options := func(gqlgenOnly bool) gatewaytest.Options {
		return gatewaytest.Options{
			Behaviors: w.behaviors,
			Policy:    diffPolicy,
			SimSeed:   seed,
			Bench:     true,
			// Far enough that no request under -race on a busy machine
			// meets it: a deadline met on one path only is no divergence.
			Deadline: 4 * time.Second,
			Edit: func(c *config.Config) {
				c.GqlgenOnly = gqlgenOnly
				if w.auth {
					c.Auth.Secret = gatewaytest.Secret
				}
			},
		}
	}
	p := &pair{fast: gatewaytest.New(t, options(false))}
	gq := options(true)
	gq.ReplicaOf = p.fast
	p.gqlgen = gatewaytest.New(t, gq)
	if w.auth {
		key := []byte(gatewaytest.Secret)
		p.tokens = []token{
			{"u1", "Bearer " + gatewaytest.Token(t, "u1", time.Hour, "", key)},
			{"u999999 (unknown user)", "Bearer " + gatewaytest.Token(t, "u999999", time.Hour, "", key)},
			{"admin", "Bearer " + gatewaytest.Token(t, "ops", time.Hour, "dashboard:admin", key)},
			{"admin", "Bearer " + gatewaytest.Token(t, "ops", time.Hour, "dashboard:admin", key)},
		}
	}
	return p
}

// job is one generated request and the token it is sent with.
type job struct {
	doc   *docgen.Document
	req   docgen.Request
	token token // zero: none
	// earlier are the requests of the same document sent before this one
	// (to both gateways, in order): what a plan cached by the first may
	// answer the next with.
	earlier []job
}

// accept returns the Accept header of the job's client.
func (j job) accept() string {
	if j.req.Incremental {
		return "multipart/mixed;deferSpec=20220824, application/json"
	}
	return "application/json"
}

// divergence is one request the two paths answered differently, or whose
// incremental answer is wrong on its own.
type divergence struct {
	kind         string
	job          job
	fast, gqlgen answer
	detail       []string
}

// shrinkBudget is how long a test may spend shrinking the divergences it
// found, in all: they are reported as found once it is spent.
const shrinkBudget = time.Minute

// runDifferential sends the requests of seed to the pairs of every world
// of seed and reports each kind of divergence once, with its smallest
// example, shrunk while shrinkLeft lasts.
func runDifferential(t *testing.T, seed uint64, documents int, shrinkLeft *time.Duration) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	for i, w := range worlds(seed) {
		t.Run(fmt.Sprintf("seed %d/%s", seed, w.name), func(t *testing.T) {
			p := newPair(t, w, seed)
			p.shrinkLeft = shrinkLeft
			g := docgen.New(schema, seed*1000+uint64(i))
			picks := rand.New(rand.NewPCG(seed, uint64(i)))
			docs := make([][]job, documents)
			for i := range docs {
				d := g.Document()
				for range diffRequests {
					j := job{doc: d, req: g.Request(d), earlier: docs[i]}
					if len(p.tokens) > 0 && picks.IntN(20) > 0 { // one in twenty without a token
						j.token = p.tokens[picks.IntN(len(p.tokens))]
					}
					docs[i] = append(docs[i], j)
				}
			}
			start := time.Now()
			found := p.run(t, docs)
			t.Logf("%d requests, %d answered with data (%s), in %v", documents*diffRequests, p.executed.Load(), w.describe(), time.Since(start).Round(time.Millisecond))
			p.report(t, w, found)
		})
	}
}

// run sends the jobs of every document to both gateways, those of one
// document in order, diffWorkers documents at once, and returns the
// divergences.
func (p *pair) run(t *testing.T, docs [][]job) []divergence {
	var mu sync.Mutex
	var found []divergence
	next := make(chan []job)
	var wg sync.WaitGroup
	for range diffWorkers {
		wg.Go(func() {
			for jobs := range next {
				for _, j := range jobs {
					ds := p.compare(t, j)
					mu.Lock()
					found = append(found, ds...)
					mu.Unlock()
				}
			}
		})
	}
	for _, jobs := range docs {
		next <- jobs
	}
	close(next)
	wg.Wait()
	return found
}

// compare sends j to both gateways and returns how their answers differ.
// Only the fast path defers (gqlgen's executor delivers deferred
// fragments inline: fastpath.WithoutDefer), so to a client accepting
// incremental delivery the fast path's parts, merged into its initial
// payload, must make gqlgen's one answer; each part is also checked on its
// own (checkIncremental), against the fast path's answer to a JSON client,
// which must be gqlgen's, byte for byte.
func (p *pair) compare(t *testing.T, j job) []divergence {
	fast, gq := p.send(t, p.fast, j), p.send(t, p.gqlgen, j)
	if gq.hasData && string(gq.data) != "null" {
		p.executed.Add(1)
	}
	var out []divergence
	diverged := func(kind string, fast, gq answer, detail ...string) {
		out = append(out, divergence{kind: kind, job: j, fast: fast, gqlgen: gq, detail: detail})
	}
	if !j.req.Incremental || fast.media != "multipart/mixed" || fast.malformed != "" {
		if kinds := differences(fast.lines(), gq.lines()); len(kinds) > 0 {
			diverged("the paths differ in "+strings.Join(kinds, ", "), fast, gq)
		}
	} else if problems := sameMerged(fast, gq); len(problems) > 0 {
		diverged("the fast path's parts merged differ from gqlgen's answer in "+strings.Join(problems, ", "), fast, gq)
	}
	// Nothing is slow in these worlds: an answer that took long waited
	// for the deadline.
	for _, side := range []struct {
		name string
		a    answer
	}{{"fast path", fast}, {"gqlgen", gq}} {
		if side.a.elapsed > slow {
			diverged(side.name+": "+slowAnswer, fast, gq, fmt.Sprintf("%s answered after %v", side.name, side.a.elapsed.Round(time.Millisecond)))
		}
	}
	if !j.req.Incremental {
		return out
	}
	if gq.media == "multipart/mixed" {
		diverged("gqlgen: answered in parts", fast, gq)
	}
	plain := j
	plain.req.Incremental = false
	fastPlain, gqPlain := p.send(t, p.fast, plain), p.send(t, p.gqlgen, plain)
	if kinds := differences(fastPlain.lines(), gqPlain.lines()); len(kinds) > 0 {
		diverged("to a JSON client, the paths differ in "+strings.Join(kinds, ", "), fastPlain, gqPlain)
	}
	problems := checkIncremental(j.req, fast, fastPlain)
	kinds := map[string][]string{}
	for _, pr := range problems {
		kind, _, _ := strings.Cut(pr, ":")
		kinds[kind] = append(kinds[kind], pr)
	}
	for kind, detail := range kinds {
		diverged("fast path: "+kind, fast, gq, detail...)
	}
	return out
}

// sameMerged compares the parts of inc merged into its initial payload
// with the one answer whole: what differs (status, data, errors), or nil.
// The merged data's key order depends on the order the parts came in, so
// data compare as values.
func sameMerged(inc, whole answer) []string {
	var problems []string
	if inc.status != whole.status {
		problems = append(problems, "status")
	}
	data, errs, err := merge(inc)
	if err != nil {
		return append(problems, "parts that do not merge ("+err.Error()+")")
	}
	var want any
	if err := unmarshal(whole.data, &want); err != nil || !reflect.DeepEqual(data, want) {
		problems = append(problems, "data")
	}
	if !slices.Equal(errs, whole.errors) {
		problems = append(problems, "errors")
	}
	return problems
}

// send posts j's request to gw and reads the answer.
func (p *pair) send(t *testing.T, gw *gatewaytest.Gateway, j job) answer {
	body, err := json.Marshal(map[string]any{"query": j.req.Query, "operationName": j.req.OperationName, "variables": j.req.Variables})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, gw.URL+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", j.accept())
	if j.token.header != "" {
		req.Header.Set("Authorization", j.token.header)
	}
	start := time.Now()
	resp, err := gw.Client.Do(req)
	if err != nil {
		return answer{malformed: err.Error()}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{status: resp.StatusCode, malformed: "reading the body: " + err.Error()}
	}
	a := readAnswer(resp.StatusCode, resp.Header.Get("Content-Type"), b)
	a.elapsed = time.Since(start)
	return a
}

// report fails the test once per kind of divergence, showing how many
// requests had it and the smallest of them, shrunk, in full.
func (p *pair) report(t *testing.T, w world, found []divergence) {
	t.Helper()
	byKind := map[string][]divergence{}
	for _, d := range found {
		byKind[d.kind] = append(byKind[d.kind], d)
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, kind := range kinds {
		ds := byKind[kind]
		smallest := slices.MinFunc(ds, func(a, b divergence) int {
			return cmp.Compare(len(a.job.req.Query), len(b.job.req.Query))
		})
		t.Errorf("%s: %d requests; the smallest, shrunk:\n%s", kind, len(ds), p.shrink(t, smallest).String(w))
	}
	for _, d := range p.slowShrunk {
		t.Errorf("%s, met while shrinking another divergence:\n%s", d.kind, d.String(w))
	}
}

// String is the divergence in full: the world, the request, both answers
// and how they differ.
func (d divergence) String(w world) string {
	var b strings.Builder
	vars, _ := json.Marshal(d.job.req.Variables)
	fmt.Fprintf(&b, "world: %s\n", w.describe())
	fmt.Fprintf(&b, "Accept: %s\n", d.job.accept())
	if d.job.token.who != "" {
		fmt.Fprintf(&b, "Authorization: a token of %s\n", d.job.token.who)
	}
	fmt.Fprintf(&b, "operationName: %q\nvariables: %s\n", d.job.req.OperationName, vars)
	for _, e := range d.job.earlier {
		vars, _ := json.Marshal(e.req.Variables)
		fmt.Fprintf(&b, "sent after the same document with operationName %q, variables %s, Accept: %s\n", e.req.OperationName, vars, e.accept())
	}
	fmt.Fprintf(&b, "document:\n%s\n", d.job.req.Query)
	if d.job.doc.Invalid != "" {
		fmt.Fprintf(&b, "(invalid on purpose: %s)\n", d.job.doc.Invalid)
	}
	fmt.Fprintf(&b, "fast path:\n\t%s\ngqlgen:\n\t%s\n", strings.Join(d.fast.lines(), "\n\t"), strings.Join(d.gqlgen.lines(), "\n\t"))
	if diff := symmetricDifference(d.fast.lines(), d.gqlgen.lines()); len(diff) > 0 {
		fmt.Fprintf(&b, "diff (- fast path, + gqlgen):\n\t%s\n", strings.Join(diff, "\n\t"))
	}
	for _, l := range d.detail {
		fmt.Fprintf(&b, "%s\n", l)
	}
	return b.String()
}
