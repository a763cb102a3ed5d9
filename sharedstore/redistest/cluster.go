package redistest

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// slots is the number of hash slots of a Redis Cluster.
const slots = 16384

// Cluster is a Redis Cluster of masters on loopback, without replicas,
// every slot assigned.
type Cluster struct {
	// Nodes are its masters; the first holds the lowest slots.
	Nodes []*Server
}

// StartCluster starts a Redis Cluster of masters nodes (1 or more), the
// slots shared evenly between them, waits until every node says the
// cluster is ok, and stops them when the test ends. One node is a real
// cluster: it refuses a multi-key command whose keys are in different
// slots (CROSSSLOT), as a bigger one does; several also answer MOVED for
// the slots they do not hold.
func StartCluster(tb testing.TB, masters int) *Cluster {
	tb.Helper()
	if masters < 1 {
		tb.Fatalf("redistest: a cluster of %d masters: want 1 or more", masters)
	}
	c := &Cluster{}
	buses := make([]string, masters)
	for i := range masters {
		dir := tb.TempDir() // holds the node's nodes.conf
		c.Nodes = append(c.Nodes, launch(tb, func(port string) []string {
			buses[i] = freePort(tb)
			return serverArgs(port, dir, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
				"--cluster-port", buses[i], "--cluster-announce-ip", "127.0.0.1", "--cluster-node-timeout", "5000")
		}, readyLine))
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	for i, n := range c.Nodes {
		client := redis.NewClient(&redis.Options{Addr: n.Addr})
		lo, hi := i*slots/masters, (i+1)*slots/masters-1
		err := client.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", lo, hi).Err()
		if err == nil { // distinct epochs, as redis-cli --cluster create sets them
			err = client.Do(ctx, "CLUSTER", "SET-CONFIG-EPOCH", i+1).Err()
		}
		if err == nil && i > 0 {
			host, port, _ := net.SplitHostPort(c.Nodes[0].Addr)
			err = client.Do(ctx, "CLUSTER", "MEET", host, port, buses[0]).Err()
		}
		client.Close()
		if err != nil {
			tb.Fatalf("redistest: cluster node %s: %v", n.Addr, err)
		}
	}
	for _, n := range c.Nodes {
		waitUntil(tb, "cluster node "+n.Addr+" says cluster_state:ok", func(ctx context.Context) error {
			client := redis.NewClient(&redis.Options{Addr: n.Addr})
			defer client.Close()
			info, err := client.ClusterInfo(ctx).Result()
			if err != nil {
				return err
			}
			want := []string{"cluster_state:ok", fmt.Sprintf("cluster_known_nodes:%d", masters)}
			for _, w := range want {
				if !strings.Contains(info, w) {
					return fmt.Errorf("CLUSTER INFO: %q", info)
				}
			}
			return nil
		})
	}
	return c
}

// URL is the cluster's URL as a user writes it: the first node with
// cluster=true, the others as addr= seeds.
func (c *Cluster) URL() string {
	url := "redis://" + c.Nodes[0].Addr + "?cluster=true"
	for _, n := range c.Nodes[1:] {
		url += "&addr=" + n.Addr
	}
	return url
}

// waitUntil polls check, each time for a second at most, until it
// returns nil; the test fails if it has not in startTimeout.
func waitUntil(tb testing.TB, what string, check func(context.Context) error) {
	tb.Helper()
	deadline := time.Now().Add(startTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := check(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("redistest: waited %v until %s: %v", startTimeout, what, err)
		}
		<-tick.C
	}
}
