package playground_test

import (
	"cmp"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/acme/dashboard-gateway/playground"
)

func TestCheckAssets(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{playground.DefaultAssets, true},
		{"https://unpkg.com", true},
		{"https://mirror.example/npm/", true},
		{"http://127.0.0.1:8081/npm", true},
		{"http://localhost:8081", true},
		{"http://[::1]:8081", true},
		{"http://mirror.example/npm", false}, // plain http off loopback
		{"cdn.jsdelivr.net/npm", false},      // not absolute
		{"/assets", false},
		{"ftp://mirror.example", false},
		{"https://user:pw@mirror.example", false},
		{"https://mirror.example/npm?v=1", false},
		{"https://mirror.example/npm#x", false},
		{"https://mirror.example/a;b", false},
		{"https://mirror.example/a,b", false},
		{"", false},
	}
	for _, tt := range tests {
		if err := playground.CheckAssets(tt.url); (err == nil) != tt.ok {
			t.Errorf("CheckAssets(%q) = %v; want ok %v", tt.url, err, tt.ok)
		}
	}
}

// The page opens with the example query, loads every pinned file from the
// base URL with its integrity hash, and holds the offline message.
func TestPage(t *testing.T) {
	for _, base := range []string{"", "https://mirror.example/npm/"} {
		page, err := playground.Page(playground.Options{Assets: base})
		if err != nil {
			t.Fatalf("Page(%q): %v", base, err)
		}
		want := strings.TrimSuffix(cmp.Or(base, playground.DefaultAssets), "/")
		links := map[string]string{} // URL: integrity
		var query string
		var offline bool
		z := html.NewTokenizer(strings.NewReader(string(page)))
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			tok := z.Token()
			a := map[string]string{}
			for _, at := range tok.Attr {
				a[at.Key] = at.Val
			}
			if u := a["src"] + a["href"]; a["integrity"] != "" {
				links[u] = a["integrity"]
			}
			if a["id"] == "graphiql" {
				query = a["data-query"]
			}
			offline = offline || a["id"] == "playground-offline"
		}
		for _, asset := range playground.Assets() {
			if got := links[want+"/"+asset.Path]; got != asset.SRI {
				t.Errorf("assets %q: %s has integrity %q; want %q (links %v)", base, asset.Path, got, asset.SRI, links)
			}
		}
		if query != playground.ExampleQuery || !offline {
			t.Errorf("assets %q: example query %q, offline message %v; want the example and the message", base, query, offline)
		}
	}
	if _, err := playground.Page(playground.Options{Assets: "http://mirror.example"}); err == nil {
		t.Error("Page with plain http off loopback: got no error")
	}
}

// A local copy must hold each pinned package at its pinned version, each
// file matching its pinned hash; the error says what to install.
func TestLocalAssets(t *testing.T) {
	write := func(t *testing.T, dir, name, version string, files ...string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, name, "umd"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "package.json"), []byte(`{"version":"`+version+`"}`), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(dir, name, f), []byte("not npm's"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tt := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"empty", func(*testing.T, string) {}, "no npm package react in it (run npm install graphiql@4.1.2 react@18.2.0 react-dom@18.2.0 there)"},
		{"another version", func(t *testing.T, dir string) { write(t, filepath.Join(dir, "node_modules"), "react", "18.3.1") },
			"react is version 18.3.1; want 18.2.0"},
		{"a file not npm's", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "node_modules"), "react", "18.2.0", "umd/react.production.min.js")
		}, "react@18.2.0/umd/react.production.min.js does not match its pinned hash"},
	} {
		dir := t.TempDir()
		tt.setup(t, dir)
		if _, err := playground.LocalAssets(dir); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v; want an error with %q", tt.name, err, tt.want)
		}
	}
	for setting, local := range map[string]bool{"./node_modules": true, "/srv/graphiql": true, "https://unpkg.com": false, "http://localhost:8000": false, "ftp://x": false} {
		if playground.IsLocal(setting) != local {
			t.Errorf("IsLocal(%q) = %v; want %v", setting, !local, local)
		}
	}
}
