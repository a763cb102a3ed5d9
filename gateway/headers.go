package gateway

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"github.com/acme/dashboard-gateway/playground"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// strictCSP is the Content-Security-Policy of every response but the
// GraphiQL page: JSON and error bodies need nothing, so a browser that
// renders one anyway may run, load or frame nothing.
const strictCSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// securityHeaders sets on every response the headers that keep browsers
// from sniffing a body into another type, framing a page, or sending the
// URL (which may hold a query) to other sites. GraphiQL replaces the
// Content-Security-Policy with its page's own.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", strictCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// graphiQL returns the GraphiQL page (package playground, rendered once)
// with a Content-Security-Policy computed from the page (pageCSP).
func graphiQL(page []byte) http.Handler {
	csp := pageCSP(page)
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", csp)
		_, _ = w.Write(page)
	})
}

// assetFiles serves GraphiQL's pinned files from a local copy
// (playground.LocalAssets) at playground.LocalPath/<package>@<version>/<file>,
// on the gateway's own origin, so the browser needs no CORS; they never
// change under a name, so caches may keep them.
func assetFiles(files map[string][]byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, playground.LocalPath+"/")
		data, ok := files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		ct := "text/javascript; charset=utf-8"
		if strings.HasSuffix(name, ".css") {
			ct = "text/css; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		_, _ = w.Write(data)
	}
}

// pageCSP returns the Content-Security-Policy that lets page run and
// nothing else: its inline scripts by their SHA-256 hashes, its external
// scripts and stylesheets by their exact URLs (so where the assets come
// from is decided only by the page; a later asset origin follows by
// itself), inline styles (GraphiQL's components inject <style> elements at
// run time), data: images and fonts (its stylesheet embeds them), and
// requests to the page's own origin (the GraphQL endpoint). No eval:
// GraphiQL 4 and React 18 do not use it. A URL that cannot be written as a
// source expression is left out, so its asset fails to load rather than
// widening the policy.
func pageCSP(page []byte) string {
	scripts, styles := []string{}, []string{"'unsafe-inline'"}
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.Join([]string{
				"default-src 'none'",
				"script-src " + strings.Join(scripts, " "),
				"style-src " + strings.Join(styles, " "),
				"img-src 'self' data:",
				"font-src 'self' data:",
				"connect-src 'self'",
				"base-uri 'none'",
				"form-action 'none'",
				"frame-ancestors 'none'",
			}, "; ")
		case html.StartTagToken, html.SelfClosingTagToken:
			t := z.Token()
			switch {
			case t.Data == "script" && attr(t, "src") != "":
				scripts = addSource(scripts, attr(t, "src"))
			case t.Data == "script":
				if z.Next() == html.TextToken { // a script's text is raw: hashed as written
					sum := sha256.Sum256(z.Raw())
					scripts = append(scripts, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
				}
			case t.Data == "link" && strings.EqualFold(attr(t, "rel"), "stylesheet"):
				styles = addSource(styles, attr(t, "href"))
			}
		}
	}
}

// addSource adds the source expression of an asset's URL to list: 'self'
// for a URL on the page's origin, else scheme://host/path exactly.
func addSource(list []string, raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.User != nil {
		return list
	}
	src := "'self'"
	if u.Host != "" {
		if u.Scheme != "https" && u.Scheme != "http" {
			return list
		}
		src = u.Scheme + "://" + u.Host + u.EscapedPath()
		if strings.ContainsAny(src, "; ,'\"") {
			return list
		}
	}
	if slices.Contains(list, src) {
		return list
	}
	return append(list, src)
}

func attr(t html.Token, name string) string {
	for _, a := range t.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}
