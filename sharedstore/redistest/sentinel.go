package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// MasterName is the name under which a Sentinel monitors its master.
const MasterName = "main"

// Sentinel is one sentinel (redis-server --sentinel) on loopback watching
// a master, with quorum 1: alone, it declares the master down and fails
// over to a replica.
type Sentinel struct {
	// Addr is the sentinel's host:port.
	Addr string
	// Master is the master it was started with (after a failover, one of
	// Replicas is the master).
	Master *Server
	// Replicas replicate Master.
	Replicas []*Server
}

// StartSentinel starts a master, replicas replicas of it (in sync), and a
// sentinel monitoring them; it waits until the sentinel knows them, and
// stops them all when the test ends. The sentinel deems the master down
// after it has not answered for 500ms.
func StartSentinel(tb testing.TB, replicas int) *Sentinel {
	tb.Helper()
	s := &Sentinel{Master: Start(tb)}
	host, mport, _ := net.SplitHostPort(s.Master.Addr)
	if replicas > 0 { // by default a master waits 5s for more replicas before a full sync
		master := redis.NewClient(&redis.Options{Addr: s.Master.Addr})
		err := master.ConfigSet(context.Background(), "repl-diskless-sync-delay", "0").Err()
		master.Close()
		if err != nil {
			tb.Fatalf("redistest: master %s: %v", s.Master.Addr, err)
		}
	}
	for range replicas {
		dir := tb.TempDir()
		s.Replicas = append(s.Replicas, launch(tb, func(port string) []string {
			return serverArgs(port, dir, "--replicaof", host, mport)
		}, readyLine))
	}
	for _, r := range s.Replicas {
		waitUntil(tb, "replica "+r.Addr+" is in sync", func(ctx context.Context) error {
			return infoSays(ctx, r.Addr, "replication", "master_link_status:up")
		})
	}
	// The sentinel rewrites its configuration file: it is its own.
	conf := filepath.Join(tb.TempDir(), "sentinel.conf")
	config := fmt.Sprintf("sentinel monitor %s %s %s 1\n"+
		"sentinel down-after-milliseconds %[1]s 500\n"+
		"sentinel failover-timeout %[1]s 10000\n", MasterName, host, mport)
	if err := os.WriteFile(conf, []byte(config), 0o600); err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	dir := tb.TempDir()
	sentinel := launch(tb, func(port string) []string {
		return []string{conf, "--sentinel", "--bind", "127.0.0.1", "--port", port, "--dir", dir}
	}, "+monitor master "+MasterName)
	s.Addr = sentinel.Addr
	waitUntil(tb, "the sentinel knows the master and its replicas", func(ctx context.Context) error {
		client := redis.NewSentinelClient(&redis.Options{Addr: s.Addr})
		defer client.Close()
		m, err := client.Master(ctx, MasterName).Result()
		if err != nil {
			return err
		}
		if m["flags"] != "master" || m["role-reported"] != "master" || m["num-slaves"] != fmt.Sprint(replicas) {
			return fmt.Errorf("SENTINEL MASTER: %v", m)
		}
		rs, err := client.Replicas(ctx, MasterName).Result()
		if err != nil {
			return err
		}
		for _, r := range rs {
			if r["flags"] != "slave" || r["master-link-status"] != "ok" {
				return fmt.Errorf("SENTINEL REPLICAS: %v", r)
			}
		}
		return nil
	})
	return s
}

// URL is the URL a user writes for the sentinel: its address and the
// master's name.
func (s *Sentinel) URL() string {
	return "redis://" + s.Addr + "?master_name=" + MasterName
}

// MasterAddr is the master's address as the sentinel names it now.
func (s *Sentinel) MasterAddr(ctx context.Context) (string, error) {
	client := redis.NewSentinelClient(&redis.Options{Addr: s.Addr})
	defer client.Close()
	hostPort, err := client.GetMasterAddrByName(ctx, MasterName).Result()
	if err != nil {
		return "", err
	}
	return net.JoinHostPort(hostPort[0], hostPort[1]), nil
}

// infoSays returns nil when the INFO section of the redis at addr has
// line.
func infoSays(ctx context.Context, addr, section, line string) error {
	client := redis.NewClient(&redis.Options{Addr: addr})
	defer client.Close()
	info, err := client.Info(ctx, section).Result()
	if err != nil {
		return err
	}
	for l := range strings.Lines(info) {
		if strings.TrimSpace(l) == line {
			return nil
		}
	}
	return fmt.Errorf("INFO %s has no %q: %q", section, line, info)
}
