package web_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

// manifest is the persisted-documents manifest the client preset writes.
const manifest = "src/gql/persisted-documents.json"

// TestWebClient runs what CI runs for the TypeScript example: install the
// locked packages when they are missing, regenerate the typed documents
// and the manifest (they must match what is committed), build (tsc
// type-checks as it builds), and run it with node against gateways in
// trusted-documents mode over that manifest: the typed client with the
// orders service failing, then healthy. Then the deferred operation, with the orders service healthy,
// then failing, through each client of deferClients: urql against those
// gateways, Apollo Client (which sends the document's text) against
// gateways in their default mode; and through Apollo Client 4's
// GraphQL17Alpha9Handler against the handler over a scripted executor that
// announces the parts, in the incrementalSpec=v0.2 format.
func TestWebClient(t *testing.T) {
	installPackages(t)
	generated := snapshot(t, "src/gql")
	npm(t, "run", "codegen")
	if now := snapshot(t, "src/gql"); !maps.Equal(now, generated) {
		t.Fatalf("src/gql is stale: run 'npm run codegen' in examples/web and commit the result")
	}
	npm(t, "run", "build") // tsc: type-checks as it builds

	failing := gatewaytest.Start(t, gatewaytest.Options{Failing: []string{simulator.Orders}, TrustedDocuments: manifest})
	t.Run("partial", func(t *testing.T) { checkPartial(t, failing) })
	healthy := gatewaytest.Start(t, gatewaytest.Options{TrustedDocuments: manifest})
	t.Run("complete", func(t *testing.T) { checkComplete(t, healthy) })
	plain := map[bool]string{
		false: gatewaytest.Start(t, gatewaytest.Options{}),
		true:  gatewaytest.Start(t, gatewaytest.Options{Failing: []string{simulator.Orders}}),
	}
	trusted := map[bool]string{false: healthy, true: failing}
	for _, c := range deferClients {
		urls := plain
		if c.trusted {
			urls = trusted
		}
		runDefer(t, "defer "+c.name, c, urls)
	}
	runDefer(t, "defer "+announcedV02.name+" parts announced", announcedV02, map[bool]string{false: scripted(t, false), true: scripted(t, true)})
	t.Run("docs/clients.md", runDocBlocks)
}

// runDocBlocks runs the blocks of docs/clients.md that use npm or node as
// a user would, from the repository root, each against the gateway its
// `go run .` line starts (package main's TestDocCommands runs the others).
// `npm ci` is installPackages's, already run.
func runDocBlocks(t *testing.T) {
	root := gatewaytest.RepoRoot(t)
	skip := func(line string) bool { return strings.HasPrefix(strings.TrimSpace(line), "npm ci") }
	n := 0
	for _, block := range gatewaytest.ShellBlocks(t, filepath.Join(root, "docs", "clients.md")) {
		text := strings.Join(block, "\n")
		if !strings.Contains(text, "npm ") && !strings.Contains(text, "node ") {
			continue
		}
		n++
		if out := gatewaytest.RunShellBlock(t, root, block, skip); !strings.Contains(out, "u1") {
			t.Errorf("the block\n%s\nprinted %q; want a report of u1's dashboard", text, out)
		}
	}
	if n < 3 {
		t.Errorf("%d blocks with npm or node in docs/clients.md; want the web client's, urql's and Apollo's", n)
	}
}

// mainReport is what dist/main.js prints: the data that arrived, the
// errors, and the code a document outside the manifest got.
type mainReport struct {
	Profile *struct {
		Name string `json:"name"`
		Tier string `json:"tier"`
	} `json:"profile"`
	Orders []struct {
		ID       string    `json:"id"`
		Status   string    `json:"status"`
		PlacedAt time.Time `json:"placedAt"`
		Total    string    `json:"total"`
		Items    []struct {
			Quantity int     `json:"quantity"`
			Product  *string `json:"product"`
		} `json:"items"`
	} `json:"orders"`
	LoyaltyPoints *int `json:"loyaltyPoints"`
	Errors        []struct {
		Path    string `json:"path"`
		Code    string `json:"code"`
		Service string `json:"service"`
	} `json:"errors"`
	OrdersError string `json:"ordersError"`
	Refused     string `json:"refused"`
}

// runMain runs dist/main.js against the gateway at url and decodes its
// report; out is the report as printed, for messages.
func runMain(t *testing.T, url string) (report mainReport, out []byte) {
	t.Helper()
	out = runNode(t, url, "dist/main.js")
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("report %q: %v", out, err)
	}
	return report, out
}

// checkComplete runs dist/main.js against a healthy gateway: the first
// screen's every field, down to the orders' time, items and products.
func checkComplete(t *testing.T, url string) {
	report, out := runMain(t, url)
	if report.Profile == nil || report.LoyaltyPoints == nil || len(report.Errors) != 0 {
		t.Errorf("report %s: want the profile and the wallet, no errors", out)
	}
	if len(report.Orders) != 2 {
		t.Fatalf("report %s: want 2 orders (orders: 2)", out)
	}
	for _, o := range report.Orders {
		if o.ID == "" || o.Status == "" || o.Total == "" || o.PlacedAt.IsZero() || len(o.Items) == 0 {
			t.Errorf("order %+v; want its id, status, total, time and items", o)
		}
		for _, it := range o.Items {
			if it.Quantity < 1 || it.Product == nil || *it.Product == "" {
				t.Errorf("order %s: item %+v; want a quantity and the product's name", o.ID, it)
			}
		}
	}
}

// checkPartial runs dist/main.js against a gateway whose orders service
// fails: typed data with one partial error, and a document outside the
// manifest refused.
func checkPartial(t *testing.T, url string) {
	report, out := runMain(t, url)
	if report.Profile == nil || report.Profile.Name == "" || report.Profile.Tier == "" || report.LoyaltyPoints == nil {
		t.Errorf("report %s: want the profile and the wallet's data", out)
	}
	if report.Orders != nil || report.OrdersError != "UPSTREAM_ERROR" {
		t.Errorf("report %s: want orders null with UPSTREAM_ERROR", out)
	}
	if len(report.Errors) != 1 || report.Errors[0].Path != "dashboard.orders" || report.Errors[0].Code != "UPSTREAM_ERROR" || report.Errors[0].Service != "orders" {
		t.Errorf("errors %+v; want one, at dashboard.orders, UPSTREAM_ERROR from orders", report.Errors)
	}
	if report.Refused != "DOCUMENT_NOT_TRUSTED" {
		t.Errorf("a document outside the manifest got %q; want DOCUMENT_NOT_TRUSTED", report.Refused)
	}
}

// runNode runs a built program of this example with node for user u1,
// and args, against the gateway at url, logs and returns its standard
// output.
func runNode(tb testing.TB, url, program string, args ...string) []byte {
	tb.Helper()
	cmd := exec.CommandContext(tb.Context(), "node", append([]string{program, "u1"}, args...)...)
	cmd.Env = append(os.Environ(), "GATEWAY_URL="+url)
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("node %s: %v\n%s", program, err, stderr.Bytes())
	}
	tb.Logf("node %s: %s", program, out)
	return out
}

// installPackages runs npm ci when node_modules is missing or not newer
// than package-lock.json, as .ci/run does.
func installPackages(tb testing.TB) {
	tb.Helper()
	lock, err := os.Stat("package-lock.json")
	if err != nil {
		tb.Fatal(err)
	}
	installed, err := os.Stat("node_modules/.package-lock.json")
	if err == nil && installed.ModTime().After(lock.ModTime()) {
		return
	}
	npm(tb, "ci", "--no-audit", "--no-fund")
}

// npm runs npm with args in this directory and fails the test if it fails.
func npm(tb testing.TB, args ...string) {
	tb.Helper()
	if _, err := exec.LookPath("npm"); err != nil {
		tb.Fatalf("npm is needed (.ci/run installs Node.js): %v", err)
	}
	cmd := exec.Command("npm", append([]string{"--silent"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("npm %v: %v\n%s", args, err, out)
	}
}

// snapshot returns the contents of every file under dir, by path.
func snapshot(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		files[path] = string(b)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files
}
