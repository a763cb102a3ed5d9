package gatewaytest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// ShellBlocks returns the ```sh blocks of the Markdown file at path, each
// as its lines: the commands the document tells a user to run.
func ShellBlocks(tb testing.TB, path string) [][]string {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var blocks [][]string
	var cur []string
	in := false
	for line := range strings.Lines(string(data)) {
		line = strings.TrimRight(line, "\n")
		switch {
		case !in && line == "```sh":
			in, cur = true, nil
		case in && line == "```":
			in = false
			blocks = append(blocks, cur)
		case in:
			cur = append(cur, line)
		}
	}
	return blocks
}

// DocGateway reports whether line starts the gateway as the documents
// tell a user to (`go run .`, with flags and a comment maybe), and returns
// its flags.
func DocGateway(line string) ([]string, bool) {
	cmd, _, _ := strings.Cut(line, "#")
	f := strings.Fields(cmd)
	if len(f) < 3 || f[0] != "go" || f[1] != "run" || f[2] != "." {
		return nil, false
	}
	return f[3:], true
}

// RunShellBlock runs a documented block as a user would, from root (the
// repository's root), line by line in order: a `go run .` line starts the
// gateway with its flags (the user's other terminal), listening on a free
// loopback port until the test ends, once the lines before it have run;
// the other lines, but those skip says not to run, go to bash (set -euo
// pipefail) in root, with localhost:8080 pointing at that gateway (a block
// without one that calls localhost:8080 gets the gateway of a plain
// `go run .`, as the text around such a block says). It returns what bash
// printed, and fails the test if a line fails. Each stretch of lines has
// 4 minutes.
func RunShellBlock(tb testing.TB, root string, block []string, skip func(line string) bool) string {
	tb.Helper()
	var out strings.Builder
	base := ""
	var pending []string
	run := func() {
		if len(pending) == 0 {
			return
		}
		script := strings.Join(pending, "\n")
		pending = nil
		if strings.Contains(script, "localhost:8080") {
			if base == "" {
				base = startDocGateway(tb, root, nil)
			}
			script = strings.ReplaceAll(script, "localhost:8080", base)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", "-c", "set -euo pipefail\n"+script)
		cmd.Dir = root
		b, err := cmd.CombinedOutput()
		out.Write(b)
		if err != nil {
			tb.Fatalf("the block\n%s\nfailed: %v\n%s", strings.Join(block, "\n"), err, b)
		}
	}
	for _, line := range block {
		if flags, ok := DocGateway(line); ok {
			run()
			base = startDocGateway(tb, root, flags)
			continue
		}
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") || skip(line) {
			continue
		}
		pending = append(pending, line)
	}
	run()
	return out.String()
}

// startDocGateway runs the gateway as `go run . flags` would, in root, on
// a free loopback port, and returns its host:port once it listens; the
// test's cleanup stops it (SIGINT: it drains and exits). It runs the
// binary `go build` made of root rather than `go run`, which would leave
// the binary running when it is itself interrupted.
func startDocGateway(tb testing.TB, root string, flags []string) string {
	tb.Helper()
	bin := gatewayBinary(tb, root)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, append(flags, "-addr", "127.0.0.1:0", "-admin-addr", "off")...)
	cmd.Dir = root
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	stderr, err := cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("go run . %s: %v", strings.Join(flags, " "), err)
	}
	tb.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			var l struct{ Msg, Addr string }
			if !sent && json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "listening" && l.Addr != "" {
				addr <- l.Addr
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			tb.Fatalf("go run . %s: exited before listening", strings.Join(flags, " "))
		}
		return a
	case <-time.After(time.Minute):
		tb.Fatalf("go run . %s: not listening after a minute", strings.Join(flags, " "))
	}
	return ""
}

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// gatewayBinary builds the gateway in root once per test binary.
func gatewayBinary(tb testing.TB, root string) string {
	tb.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "doc-gateway")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "dashboard-gateway")
		cmd := exec.Command("go", "build", "-o", binary, ".")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binary
}

// RepoRoot is the repository's root, from a test's working directory
// (its package's directory) inside it.
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "schema.graphqls")); err == nil {
				return dir
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no repository root above the working directory")
		}
		dir = parent
	}
}
