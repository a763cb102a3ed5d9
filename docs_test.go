package main

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/config"
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
// the seed simulation's faults, on purpose; -simulation healthy answers in
// full; the first build takes a while.
func TestREADMEFirstScreen(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(b), "\n", 31)
	first := strings.Join(lines[:min(30, len(lines))], "\n")
	for _, want := range []string{"partial", "null", "-simulation healthy", "The first `go run .`", "orders fails 30%"} {
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
