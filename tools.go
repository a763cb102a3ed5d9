//go:build tools

// This file pins the code generators this module uses, so that
// `go run ./cmd/gqlgen` (gqlgen's generate with this module's plugin) builds
// the version in go.mod.
package main

import _ "github.com/99designs/gqlgen"
