// Package playground renders the GraphiQL page the gateway serves at GET /
// while introspection is on: GraphiQL 4 and React 18, pinned by version and
// subresource-integrity hash, loaded from a configurable base URL (jsDelivr
// by default, or a mirror or self-hosted copy of the npm packages), opening
// with the example query, and saying in words, with the fix, when its
// assets cannot load. It renders the page once; it does not serve it or
// compute its Content-Security-Policy (package gateway does both).
package playground

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// DefaultAssets is the base URL the pinned npm packages load from by
// default: jsDelivr's npm mirror, where a package's file is at
// <package>@<version>/<file> (as on unpkg.com).
const DefaultAssets = "https://cdn.jsdelivr.net/npm"

// ExampleQuery is the query the page opens with: the README's fuller
// dashboard query.
const ExampleQuery = `{
  dashboard(userId: "u1") {
    profile { name tier }
    orders(first: 3) { id status total { formatted } items { quantity product { name } } }
    recommendations(first: 3) { score product { name price { formatted } } }
    notifications(first: 3) { unreadCount items { title } }
    wallet { balance { formatted } loyaltyPoints }
  }
}`

// Asset is one pinned file of an npm package, as a CDN serves it.
type Asset struct {
	// Path is the file under the base URL: <package>@<version>/<file>.
	Path string
	// SRI is its subresource-integrity hash; a copy that differs does not
	// run.
	SRI string
}

// The pinned assets: the versions and hashes gqlgen's playground pins. A
// mirror must serve these exact files (the npm packages' own).
var (
	react    = Asset{"react@18.2.0/umd/react.production.min.js", "sha256-S0lp+k7zWUMk2ixteM6HZvu8L9Eh//OVrt+ZfbCpmgY="}
	reactDOM = Asset{"react-dom@18.2.0/umd/react-dom.production.min.js", "sha256-IXWO0ITNDjfnNXIu5POVfqlgYoop36bDzhodR6LW5Pc="}
	js       = Asset{"graphiql@4.1.2/graphiql.min.js", "sha256-hnImuor1znlJkD/FOTL3jayfS/xsyNoP04abi8bFJWs="}
	css      = Asset{"graphiql@4.1.2/graphiql.min.css", "sha256-MEh+B2NdMSpj9kexQNN3QKc8UzMrCXW/Sx/phcpuyIU="}
)

// Assets returns every pinned file, scripts in load order, then the
// stylesheet.
func Assets() []Asset { return []Asset{react, reactDOM, js, css} }

// Packages returns the pinned npm packages as <package>@<version>, what a
// mirror must hold.
func Packages() []string { return []string{"graphiql@4.1.2", "react@18.2.0", "react-dom@18.2.0"} }

// Options configure the page.
type Options struct {
	// Title is the page's title. Default "GraphiQL".
	Title string
	// Endpoint is the GraphQL endpoint's path on the page's origin.
	// Default "/query".
	Endpoint string
	// Assets is the base URL the pinned files load from (CheckAssets).
	// Default DefaultAssets.
	Assets string
}

//go:embed page.html
var pageHTML string

var page = template.Must(template.New("page").Parse(pageHTML))

// loadedLink is one asset as the page links it.
type loadedLink struct {
	URL string
	SRI string
}

// Page renders the page. It fails only when opts.Assets fails CheckAssets.
func Page(opts Options) ([]byte, error) {
	if opts.Assets == "" {
		opts.Assets = DefaultAssets
	}
	if err := CheckAssets(opts.Assets); err != nil {
		return nil, err
	}
	base := strings.TrimSuffix(opts.Assets, "/")
	link := func(a Asset) loadedLink { return loadedLink{URL: base + "/" + a.Path, SRI: a.SRI} }
	data := struct {
		Title, Endpoint, Query, Assets, Packages, Install string
		Scripts                                           []loadedLink
		CSS                                               loadedLink
	}{
		Title:    cmp.Or(opts.Title, "GraphiQL"),
		Endpoint: cmp.Or(opts.Endpoint, "/query"),
		Query:    ExampleQuery,
		Assets:   base,
		Packages: strings.Join(Packages(), ", "),
		Install:  strings.Join(Packages(), " "),
		Scripts:  []loadedLink{link(react), link(reactDOM), link(js)},
		CSS:      link(css),
	}
	var b bytes.Buffer
	if err := page.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("playground: render: %w", err)
	}
	return b.Bytes(), nil
}

// LocalPath is where the gateway serves the assets of a local directory
// (LocalAssets), on its own origin: the page's base then.
const LocalPath = "/playground-assets"

// IsLocal reports whether the -playground-assets setting names a local
// directory rather than a base URL (scheme://...).
func IsLocal(setting string) bool { return !strings.Contains(setting, "://") }

// LocalAssets reads the pinned files from dir, where npm installed the
// packages (dir/node_modules/<package>/, or dir/<package>/ when dir is a
// node_modules), and returns them by their path under the base URL
// (<package>@<version>/<file>). Each package must be the pinned version and
// each file match its pinned hash, or the page would not run it: the error
// says which and how to install them.
func LocalAssets(dir string) (map[string][]byte, error) {
	install := "npm install " + strings.Join(Packages(), " ")
	root := dir
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err == nil {
		root = filepath.Join(dir, "node_modules")
	}
	files := make(map[string][]byte, len(Assets()))
	for _, a := range Assets() {
		spec, file, _ := strings.Cut(a.Path, "/")
		at := strings.LastIndex(spec, "@")
		name, version := spec[:at], spec[at+1:]
		var pkg struct{ Version string }
		b, err := os.ReadFile(filepath.Join(root, name, "package.json"))
		if err != nil || json.Unmarshal(b, &pkg) != nil {
			return nil, fmt.Errorf("%s: no npm package %s in it (run %s there)", dir, name, install)
		}
		if pkg.Version != version {
			return nil, fmt.Errorf("%s: %s is version %s; want %s (run %s there)", dir, name, pkg.Version, version, install)
		}
		data, err := os.ReadFile(filepath.Join(root, name, filepath.FromSlash(file)))
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", dir, a.Path, err)
		}
		sum := sha256.Sum256(data)
		if got := "sha256-" + base64.StdEncoding.EncodeToString(sum[:]); got != a.SRI {
			return nil, fmt.Errorf("%s: %s does not match its pinned hash (%s, not %s): not npm's own file", dir, a.Path, got, a.SRI)
		}
		files[a.Path] = data
	}
	return files, nil
}

// CheckAssets reports whether raw can be the base URL of the assets: an
// absolute https URL, or http on a loopback host (a local copy), or
// LocalPath (the gateway's own copy); no credentials, query or fragment,
// and nothing a Content-Security-Policy source cannot hold.
func CheckAssets(raw string) error {
	if raw == LocalPath {
		return nil
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return errors.New("want an absolute URL")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return errors.New("want a base URL with no credentials, query or fragment")
	case u.Host == "":
		return errors.New("want an absolute URL (https://host/path)")
	case u.Scheme == "http" && !loopback(u.Hostname()):
		return errors.New("want https (http only on a loopback host)")
	case u.Scheme != "https" && u.Scheme != "http":
		return errors.New("want https (http only on a loopback host)")
	case strings.ContainsAny(u.Host+u.EscapedPath(), ";,'\" "):
		return errors.New("want a URL without ; , ' \" or spaces")
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
