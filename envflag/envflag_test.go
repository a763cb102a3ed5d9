package envflag_test

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/envflag"
)

func TestApply(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		args      []string
		wantN     int
		wantAddr  string
		wantError string // the variable the error names; "" for none
	}{
		{"defaults", nil, nil, 1, ":80", ""},
		{"environment over the default", map[string]string{"X_N": "2", "X_ADDR": ":81"}, nil, 2, ":81", ""},
		{"flag over the environment", map[string]string{"X_N": "2"}, []string{"-n", "3"}, 3, ":80", ""},
		{"empty is unset", map[string]string{"X_N": ""}, nil, 1, ":80", ""},
		{"bad value", map[string]string{"X_N": "many"}, nil, 1, ":80", "X_N"},
	}
	name := func(f string) string { return "X_" + strings.ToUpper(f) }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			n := fs.Int("n", 1, "")
			addr := fs.String("addr", ":80", "")
			err := envflag.Apply(fs, func(k string) string { return tt.env[k] }, name)
			if tt.wantError != "" {
				e, ok := errors.AsType[*envflag.Error](err)
				if !ok || e.Var != tt.wantError || !strings.Contains(err.Error(), tt.wantError) {
					t.Errorf("Apply: got %v; want an *envflag.Error naming %s", err, tt.wantError)
				}
				return
			}
			if err == nil {
				err = fs.Parse(tt.args)
			}
			if err != nil || *n != tt.wantN || *addr != tt.wantAddr {
				t.Errorf("got n=%d addr=%q err %v; want n=%d addr=%q", *n, *addr, err, tt.wantN, tt.wantAddr)
			}
		})
	}
}
