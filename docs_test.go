package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/playground"
)

// configRow is one row of a settings table in docs/configuration.md:
// | `-name` / `ENV` | default | what |
var configRow = regexp.MustCompile("^\\| `-([a-z0-9-]+)` / `([A-Z0-9_]+)` \\| ([^|]*) \\|")

// Every flag is in docs/configuration.md with its variable and its default,
// and every flag there exists.
func TestConfigurationDocMatchesFlags(t *testing.T) {
	doc, err := os.ReadFile("docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	fset := config.Flags()

	rows := map[string]int{}
	for _, line := range strings.Split(string(doc), "\n") {
		m := configRow.FindStringSubmatch(line)
		if m == nil {
			if strings.HasPrefix(line, "| `-") {
				t.Errorf("docs/configuration.md: row %q: want | `-flag` / `ENV` | default | what |", line)
			}
			continue
		}
		name, env, def := m[1], m[2], strings.TrimSpace(m[3])
		rows[name]++
		f := fset.Lookup(name)
		if f == nil {
			t.Errorf("docs/configuration.md lists -%s: no such flag", name)
			continue
		}
		if want := config.EnvName(name); env != want {
			t.Errorf("docs/configuration.md: -%s: variable %s, want %s", name, env, want)
		}
		want := "`" + f.DefValue + "`"
		if f.DefValue == "" {
			want = "empty"
		}
		if def != want && !strings.HasPrefix(def, want+" ") {
			t.Errorf("docs/configuration.md: -%s: default %q, want it to start with %s", name, def, want)
		}
	}
	fset.VisitAll(func(f *flag.Flag) {
		switch rows[f.Name] {
		case 0:
			t.Errorf("docs/configuration.md has no row for -%s", f.Name)
		case 1:
		default:
			t.Errorf("docs/configuration.md has %d rows for -%s", rows[f.Name], f.Name)
		}
	})
}

// markdownFiles returns every Markdown file of the repository.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") { // node_modules: npm's, not ours
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".md") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no Markdown files found")
	}
	return files
}

// The documentation and what the gateway serves are the project's own: they
// point at nothing outside the repository.
func TestDocsStayInsideTheRepository(t *testing.T) {
	for _, path := range append(markdownFiles(t), "schema.graphqls") {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"../shared", "shared/contract"} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s mentions %q: the contract lives in docs/ and schema.graphqls", path, bad)
			}
		}
	}
}

// mdLink is an inline Markdown link's target.
var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// mdHeading is a Markdown heading.
var mdHeading = regexp.MustCompile(`(?m)^#{1,6} +(.+?) *$`)

// anchors returns the GitHub anchors of a Markdown file's headings.
func anchors(doc string) map[string]bool {
	out := map[string]bool{}
	for _, m := range mdHeading.FindAllStringSubmatch(doc, -1) {
		var b strings.Builder
		for _, r := range strings.ToLower(m[1]) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
				b.WriteRune(r)
			}
		}
		out[b.String()] = true
	}
	return out
}

// Relative links in README.md and docs/ lead to a file of the repository,
// and to a heading of it when they name one.
func TestDocsLinksResolve(t *testing.T) {
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("docs/*.md")
	for _, path := range append([]string{"README.md"}, files...) {
		doc, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mdLink.FindAllStringSubmatch(string(doc), -1) {
			target := m[1]
			if strings.HasPrefix(target, "https://") || strings.HasPrefix(target, "http://") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			full := path
			if file != "" {
				full = filepath.Join(filepath.Dir(path), file)
			}
			abs, err := filepath.Abs(full)
			if err != nil || !strings.HasPrefix(abs, root+string(filepath.Separator)) {
				t.Errorf("%s: link %s leaves the repository", path, target)
				continue
			}
			b, err := os.ReadFile(full)
			if err != nil {
				if info, statErr := os.Stat(full); statErr == nil && info.IsDir() && anchor == "" {
					continue
				}
				t.Errorf("%s: link %s: %v", path, target, err)
				continue
			}
			if anchor != "" && !anchors(string(b))[anchor] {
				t.Errorf("%s: link %s: %s has no heading #%s", path, target, full, anchor)
			}
		}
	}
}

// README.md is read in five minutes: at most 200 lines, opening with the two
// commands that work on a fresh machine with only Go.
func TestREADMEOpensWithTheTwoCommands(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	if n := strings.Count(readme, "\n"); n > 200 {
		t.Errorf("README.md has %d lines, want at most 200: move the details to docs/", n)
	}
	_, rest, ok := strings.Cut(readme, "```sh\n")
	block, _, closed := strings.Cut(rest, "```")
	if !ok || !closed || strings.Contains(readme[:strings.Index(readme, "```sh\n")], "\n## ") {
		t.Fatal("README.md: want a sh block with the commands before any section")
	}
	for _, cmd := range []string{"go run .", "go test ./..."} {
		if !strings.Contains(block, cmd+" ") {
			t.Errorf("README.md's first commands %q: no %q", block, cmd)
		}
	}
}

// The README's fuller query is the one GraphiQL opens with.
func TestREADMEShowsThePlaygroundQuery(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```graphql\n"+playground.ExampleQuery+"\n```") {
		t.Errorf("README.md lacks playground.ExampleQuery as a graphql block:\n%s", playground.ExampleQuery)
	}
}

// README's first screen says what a first run shows: partial answers are
// the seed simulation's faults, on purpose, and how many; -simulation
// healthy answers in full; the first build takes a while; the logs read
// better as text; metrics are on the admin port.
func TestREADMEFirstScreen(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(b), "\n", 31)
	first := strings.Join(lines[:min(30, len(lines))], "\n")
	for _, want := range []string{"partial", "null", "-simulation healthy", "The first `go run .`", "orders fails 30%",
		"-log-format text", "127.0.0.1:9090/metrics", "60% of answers"} {
		if !strings.Contains(first, want) {
			t.Errorf("README.md's first 30 lines lack %q", want)
		}
	}
}

// Every package has its line in the README's package map.
func TestREADMEMapsEveryPackage(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	dirs := map[string]bool{}
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			dirs[filepath.ToSlash(filepath.Dir(path))] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir := range dirs {
		if !strings.Contains(string(readme), "\n| `"+dir+"` |") {
			t.Errorf("README.md's package map has no line | `%s` |", dir)
		}
	}
}

// docCovered are documented commands this test does not run, and what
// runs or checks them instead.
var docCovered = map[string]string{
	"go test ./...": ".ci/run runs it, with -race",
	"go get -tool github.com/Khan/genqlient@v0.8.1": "go.mod pins that tool at that version (checked below); running it would edit go.mod",
	"(cd examples/goclient && go tool genqlient)":   "examples/goclient's TestGenerated runs it and fails on any difference",
}

// Every command block of README.md, docs/clients.md and
// docs/configuration.md runs as written, from the repository root, against
// the gateway its `go run .` line starts: the README's curl gets a
// dashboard, the Go client its report, the GraphiQL recipe's npm install
// a directory the gateway starts with.
// The blocks with npm or node are run by examples/web's TestWebClient,
// after it has installed and built the packages; the few lines that cannot
// run inside a test are in docCovered, each checked another way.
func TestDocCommands(t *testing.T) {
	ci, err := os.ReadFile(".ci/run")
	if err != nil || !strings.Contains(string(ci), "go test -race ./...") {
		t.Errorf(".ci/run: %v; want it to run go test -race ./...", err)
	}
	mod, err := os.ReadFile("go.mod")
	if err != nil || !strings.Contains(string(mod), "tool github.com/Khan/genqlient") || !strings.Contains(string(mod), "github.com/Khan/genqlient v0.8.1") {
		t.Errorf("go.mod: %v; want the genqlient tool pinned at v0.8.1, as docs/clients.md says", err)
	}
	skip := func(line string) bool {
		cmd, _, _ := strings.Cut(line, "#")
		_, ok := docCovered[strings.TrimSpace(cmd)]
		return ok
	}
	for _, doc := range []string{"README.md", "docs/clients.md", "docs/configuration.md"} {
		for i, block := range gatewaytest.ShellBlocks(t, doc) {
			text := strings.Join(block, "\n")
			if doc == "docs/clients.md" && (strings.Contains(text, "npm ") || strings.Contains(text, "node ")) {
				continue // examples/web's TestWebClient
			}
			t.Run(fmt.Sprintf("%s block %d", doc, i+1), func(t *testing.T) {
				out := gatewaytest.RunShellBlock(t, ".", block, skip)
				switch {
				case strings.Contains(text, "curl"):
					var r struct {
						Data struct {
							Dashboard struct{ Profile struct{ Name string } }
						}
					}
					if json.Unmarshal([]byte(out), &r) != nil || r.Data.Dashboard.Profile.Name == "" {
						t.Errorf("%s: printed %q; want a dashboard", text, out)
					}
				case strings.Contains(text, "examples/goclient"):
					if !strings.Contains(out, "u1") {
						t.Errorf("%s: printed %q; want the report of u1's dashboard", text, out)
					}
				}
			})
		}
	}
}
