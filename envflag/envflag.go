// Package envflag lets environment variables set a command's flags: each
// flag of a FlagSet has a variable, and the variables are applied before
// the arguments are parsed, so a flag given on the command line wins over
// its variable, which wins over the flag's default. It does not name the
// variables (the caller's name func does) nor parse the arguments.
package envflag

import (
	"flag"
	"fmt"
)

// Error is a variable whose value its flag refused.
type Error struct {
	// Flag is the flag's name, without the dash.
	Flag string
	// Var is the variable's name, and Value what it held.
	Var, Value string
	// Err is the flag's error.
	Err error
}

func (e *Error) Error() string {
	return fmt.Sprintf("environment variable %s=%q: %v", e.Var, e.Value, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Apply sets every flag of fs whose variable (name of the flag's name) is
// set and not empty in getenv, in the order of fs.VisitAll. Call it before
// fs.Parse. It stops at the first value a flag refuses, with an *Error.
func Apply(fs *flag.FlagSet, getenv func(string) string, name func(flag string) string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil {
			return
		}
		v := getenv(name(f.Name))
		if v == "" {
			return
		}
		if setErr := fs.Set(f.Name, v); setErr != nil {
			err = &Error{Flag: f.Name, Var: name(f.Name), Value: v, Err: setErr}
		}
	})
	return err
}
