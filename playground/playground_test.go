package playground_test

import (
	"cmp"
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
