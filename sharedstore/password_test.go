package sharedstore_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/acme/dashboard-gateway/sharedstore"
	"github.com/acme/dashboard-gateway/sharedstore/redistest"
)

// A password given apart from the URL (from a file, by the command) is the
// one the store authenticates with; one the URL has as well is refused.
func TestStorePasswordGivenApart(t *testing.T) {
	srv := redistest.Start(t)
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr})
	if err := admin.ConfigSet(context.Background(), "requirepass", "pw-apart").Err(); err != nil {
		t.Fatalf("CONFIG SET requirepass: %v", err)
	}
	admin.Close()

	tests := []struct {
		name     string
		opts     sharedstore.Options
		wantPing bool
	}{
		{"password apart", sharedstore.Options{URL: srv.URL(), Password: "pw-apart"}, true},
		{"no password", sharedstore.Options{URL: srv.URL()}, false},
		{"wrong password apart", sharedstore.Options{URL: srv.URL(), Password: "other"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Timeout = 500 * time.Millisecond
			s, err := sharedstore.New(tt.opts)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			defer s.Close()
			if err := s.Ping(context.Background()); (err == nil) != tt.wantPing {
				t.Errorf("Ping: got %v; want success %v", err, tt.wantPing)
			}
		})
	}

	refused := []struct {
		name string
		opts sharedstore.Options
	}{
		{"password in the URL and apart", sharedstore.Options{URL: "redis://:pw-url@" + srv.Addr, Password: "pw-apart"}},
		{"master password in a Sentinel URL and apart", sharedstore.Options{URL: "redis://" + srv.Addr + "?master_name=m&password=pw-url", Password: "pw-apart"}},
		{"sentinels' password in the URL and apart", sharedstore.Options{URL: "redis://:pw-url@" + srv.Addr + "?master_name=m", SentinelPassword: "pw-apart"}},
		{"sentinels' password without sentinels", sharedstore.Options{URL: srv.URL(), SentinelPassword: "pw-apart"}},
	}
	for _, tt := range refused {
		if s, err := sharedstore.New(tt.opts); err == nil {
			s.Close()
			t.Errorf("%s: New succeeded; want an error", tt.name)
		} else if strings.Contains(err.Error(), "pw-") {
			t.Errorf("%s: error %q shows a password", tt.name, err)
		}
	}
}

// The sentinels' password given apart is what the store sends a sentinel
// when it connects: a listener in the sentinel's place reads it.
func TestStoreSentinelPasswordGivenApart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	received := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			received <- ""
			return
		}
		defer conn.Close()
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 4096)
		n, _ := conn.Read(buf)
		received <- string(buf[:n])
	}()
	s, err := sharedstore.New(sharedstore.Options{URL: "redis://" + ln.Addr().String() + "?master_name=m", SentinelPassword: "sentinel-pw-apart"})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer s.Close()
	_ = s.Ping(context.Background()) // fails: nothing answers; the first command is what counts
	select {
	case got := <-received:
		if !strings.Contains(got, "sentinel-pw-apart") {
			t.Errorf("the sentinel got %q first; want the password given apart in it", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no connection to the sentinel in 10s")
	}
}
