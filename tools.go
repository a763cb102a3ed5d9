//go:build tools

// This file pins the code generators this module uses, so that
// `go run github.com/99designs/gqlgen generate` runs the version in go.mod.
package main

import _ "github.com/99designs/gqlgen"
