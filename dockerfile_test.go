package main

// Checks of the deployment files (Dockerfile, .dockerignore, deploy/)
// against the code: the settings they use exist, the ports and probe paths
// are the gateway's, the shutdown fits in the grace period, the objects
// select each other. They read files only: no Docker, no cluster, no network.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"go/version"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/config"
)

func TestDockerfile(t *testing.T) {
	stages := readDockerfile(t, "Dockerfile")
	if len(stages) < 2 {
		t.Fatalf("Dockerfile: FROM stages: got %d; want at least 2 (build, then a minimal runtime)", len(stages))
	}
	final := stages[len(stages)-1]
	build := stages[:len(stages)-1]

	// The build: Go at least as new as go.mod asks, CGO off, and the binary
	// it writes copied into the final stage where ENTRYPOINT runs it.
	goImage, buildRun := "", ""
	cgoEnv := false
	for _, s := range build {
		if strings.HasPrefix(s.image, "golang:") {
			goImage = s.image
		}
		for _, in := range s.instrs {
			switch {
			case in.cmd == "RUN" && strings.Contains(in.args, "go build"):
				buildRun = in.args
			case in.cmd == "ENV" && (strings.Contains(in.args, "CGO_ENABLED=0") || strings.Join(strings.Fields(in.args), " ") == "CGO_ENABLED 0"):
				cgoEnv = true
			}
		}
	}
	built := buildOutput(buildRun)
	copied := ""
	for _, in := range final.instrs {
		if in.cmd != "COPY" {
			continue
		}
		f := strings.Fields(in.args)
		if len(f) == 3 && strings.HasPrefix(f[0], "--from=") && f[1] == built {
			copied = f[2]
			if strings.HasSuffix(copied, "/") {
				copied += path.Base(built)
			}
		}
	}
	entrypoint := final.execForm(t, "ENTRYPOINT")
	cmd := final.execForm(t, "CMD")
	user, _, _ := strings.Cut(final.last("USER"), ":")
	defaultPort := fmt.Sprint(addrPort(t, config.Default().Addr))

	tests := []struct {
		name      string
		got, want string
	}{
		{"golang image at least go.mod's go " + goModVersion(t), fmt.Sprint(goImageCovers(goImage, goModVersion(t))), "true"},
		{"CGO_ENABLED=0 for go build", fmt.Sprint(strings.Contains(buildRun, "CGO_ENABLED=0") || cgoEnv), "true"},
		{"go build -o names the binary", fmt.Sprint(built != ""), "true"},
		{"final stage base is distroless or scratch", fmt.Sprint(strings.HasPrefix(final.image, "gcr.io/distroless/") || final.image == "scratch"), "true"},
		{"final stage copies the binary " + built, fmt.Sprint(copied != ""), "true"},
		{"ENTRYPOINT runs the copied binary", firstArg(entrypoint), copied},
		{"final stage USER is not root", fmt.Sprint(user != "" && user != "root" && user != "0"), "true"},
		{"EXPOSE has the default -addr port", fmt.Sprint(slices.Contains(final.exposed(), defaultPort)), "true"},
		{"go build stamps the version (-X main.buildVersion)", fmt.Sprint(strings.Contains(buildRun, "-X main.buildVersion=")), "true"},
		{"go build keeps its cache between builds (BuildKit cache mounts)", fmt.Sprint(strings.Contains(buildRun, "--mount=type=cache,target=/root/.cache/go-build") && strings.Contains(buildRun, "--mount=type=cache,target=/go/pkg/mod")), "true"},
		{"the admin listener is reachable from outside the container (ADMIN_ADDR=:9090)", fmt.Sprint(slices.ContainsFunc(final.instrs, func(in dockerInstr) bool {
			return in.cmd == "ENV" && strings.Join(strings.Fields(in.args), " ") == "ADMIN_ADDR=:9090"
		})), "true"},
		{"the admin port is not EXPOSEd (docker run -P would publish the profiler)", fmt.Sprint(slices.Contains(final.exposed(), "9090")), "false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("Dockerfile: %s: got %s; want %s", tt.name, tt.got, tt.want)
			}
		})
	}

	t.Run("ENTRYPOINT and CMD flags exist", func(t *testing.T) {
		flags := config.FlagNames()
		for _, arg := range append(slices.Clone(entrypoint[min(1, len(entrypoint)):]), cmd...) {
			if !strings.HasPrefix(arg, "-") {
				continue
			}
			name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
			if !slices.Contains(flags, name) {
				t.Errorf("Dockerfile: argument %s: got flag %q; want one of config.FlagNames() %q", arg, name, flags)
			}
		}
	})
}

// TestDockerfileContext checks that .dockerignore keeps out the repository's
// history and keeps in everything `go build .` reads.
func TestDockerfileContext(t *testing.T) {
	patterns := readDockerignore(t, ".dockerignore")
	if !slices.Contains(patterns, ".git") {
		t.Errorf(".dockerignore: got %q; want .git excluded", patterns)
	}
	need := []string{"go.mod", "go.sum"}
	err := filepath.WalkDir(".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && (p == ".git" || e.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !e.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			need = append(need, filepath.ToSlash(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range need {
		if p := ignoredBy(patterns, file); p != "" {
			t.Errorf(".dockerignore: %s: got excluded by %q; want it in the build context", file, p)
		}
	}
}

// goModVersion returns the go directive of go.mod, e.g. "1.26.8".
func goModVersion(tb testing.TB) string {
	tb.Helper()
	data, err := os.ReadFile("go.mod")
	if err != nil {
		tb.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "go "); ok {
			return strings.TrimSpace(v)
		}
	}
	tb.Fatal("go.mod: go directive: got none; want one")
	return ""
}

// goImageCovers reports whether a golang:TAG image has at least Go want:
// "golang:1.26.8-bookworm" covers "1.26.8". A tag without a full version
// (golang:1.26, golang:latest) does not: the build would depend on the day.
func goImageCovers(image, want string) bool {
	tag, ok := strings.CutPrefix(image, "golang:")
	if !ok {
		return false
	}
	v, _, _ := strings.Cut(tag, "-")
	return strings.Count(v, ".") == 2 && version.IsValid("go"+v) && version.Compare("go"+v, "go"+want) >= 0
}

// buildOutput returns the -o path of a go build command line.
func buildOutput(run string) string {
	f := strings.Fields(run)
	for i, a := range f {
		if a == "-o" && i+1 < len(f) {
			return f[i+1]
		}
		if v, ok := strings.CutPrefix(a, "-o="); ok {
			return v
		}
	}
	return ""
}

// A Dockerfile stage: its FROM image and the instructions after it.
type (
	dockerStage struct {
		image, name string
		instrs      []dockerInstr
	}
	dockerInstr struct {
		cmd, args string // cmd upper case; args with continuations joined
		line      int
	}
)

// readDockerfile splits a Dockerfile into stages. It handles comments and
// line continuations, which is all this repository's Dockerfile uses (no
// heredocs, no escape directive).
func readDockerfile(tb testing.TB, name string) []dockerStage {
	tb.Helper()
	f, err := os.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var (
		stages  []dockerStage
		pending strings.Builder
		start   int
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if pending.Len() == 0 {
			start = n
		}
		if cont, ok := strings.CutSuffix(line, `\`); ok {
			pending.WriteString(cont + " ")
			continue
		}
		pending.WriteString(line)
		cmd, args, _ := strings.Cut(pending.String(), " ")
		pending.Reset()
		in := dockerInstr{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args), line: start}
		if in.cmd == "FROM" {
			var s dockerStage
			fields := slices.DeleteFunc(strings.Fields(in.args), func(a string) bool { return strings.HasPrefix(a, "--") })
			if len(fields) > 0 {
				s.image = fields[0]
			}
			if len(fields) == 3 && strings.EqualFold(fields[1], "AS") {
				s.name = fields[2]
			}
			stages = append(stages, s)
			continue
		}
		if len(stages) == 0 {
			if in.cmd != "ARG" {
				tb.Fatalf("%s:%d: %s before the first FROM", name, in.line, in.cmd)
			}
			continue
		}
		stages[len(stages)-1].instrs = append(stages[len(stages)-1].instrs, in)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return stages
}

// last returns the arguments of the stage's last cmd instruction, or "".
func (s dockerStage) last(cmd string) string {
	for _, in := range slices.Backward(s.instrs) {
		if in.cmd == cmd {
			return in.args
		}
	}
	return ""
}

// execForm returns the stage's last cmd (ENTRYPOINT or CMD) as a list. It
// must be in exec (JSON) form: a distroless image has no shell to run the
// shell form.
func (s dockerStage) execForm(tb testing.TB, cmd string) []string {
	tb.Helper()
	v := s.last(cmd)
	if v == "" {
		return nil
	}
	var args []string
	if err := json.Unmarshal([]byte(v), &args); err != nil {
		tb.Errorf("Dockerfile: %s %s: got shell form; want exec form (a JSON list): there is no shell in the image", cmd, v)
		return strings.Fields(v)
	}
	return args
}

// exposed returns the stage's EXPOSEd ports, without /tcp.
func (s dockerStage) exposed() []string {
	var ports []string
	for _, in := range s.instrs {
		if in.cmd == "EXPOSE" {
			for _, p := range strings.Fields(in.args) {
				ports = append(ports, strings.TrimSuffix(p, "/tcp"))
			}
		}
	}
	return ports
}

// readDockerignore returns the exclusion patterns of a .dockerignore, with
// comments, blank lines and exceptions (!pattern) left out.
func readDockerignore(tb testing.TB, name string) []string {
	tb.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	var patterns []string
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "!") {
			continue
		}
		patterns = append(patterns, strings.Trim(path.Clean(line), "/"))
	}
	return patterns
}

// ignoredBy returns the pattern that excludes file (slash-separated, from
// the context root) or one of its directories, or "". Like Docker, a
// leading **/ matches at any depth; other ** are not handled.
func ignoredBy(patterns []string, file string) string {
	parts := strings.Split(file, "/")
	for _, p := range patterns {
		for i := 1; i <= len(parts); i++ {
			prefix := strings.Join(parts[:i], "/")
			if ok, _ := path.Match(p, prefix); ok {
				return p
			}
			if rest, deep := strings.CutPrefix(p, "**/"); deep {
				if ok, _ := path.Match(rest, parts[i-1]); ok {
					return p
				}
			}
		}
	}
	return ""
}
