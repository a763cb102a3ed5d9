package main

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"testing"

	"github.com/acme/dashboard-gateway/sharedstore"
)

// redisDeploymentObject is the subset of the Redis Deployment the checks
// read.
type redisDeploymentObject struct {
	Spec struct {
		Replicas int           `yaml:"replicas"`
		Selector labelSelector `yaml:"selector"`
		Strategy struct {
			Type string `yaml:"type"`
		} `yaml:"strategy"`
		Template struct {
			Metadata objectMeta `yaml:"metadata"`
			Spec     struct {
				SecurityContext securityContext `yaml:"securityContext"`
				Containers      []struct {
					Name            string          `yaml:"name"`
					Args            []string        `yaml:"args"`
					SecurityContext securityContext `yaml:"securityContext"`
					Ports           []struct {
						Name          string `yaml:"name"`
						ContainerPort int    `yaml:"containerPort"`
					} `yaml:"ports"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

// TestDeployRedis checks the optional Redis against the gateway's
// REDIS_URL: the URL parses as the gateway parses it, names the Redis
// Service and its port, and the Service reaches the Redis pod.
func TestDeployRedis(t *testing.T) {
	var (
		d     deploymentObject
		redis redisDeploymentObject
		svc   serviceObject
	)
	decodeManifest(t, "Deployment/"+appName, &d)
	decodeManifest(t, "Deployment/"+redisName, &redis)
	decodeManifest(t, "Service/"+redisName, &svc)
	var redisURL string
	for _, c := range d.Spec.Template.Spec.Containers {
		for _, e := range c.Env {
			if e.Name == "REDIS_URL" {
				redisURL = e.Value
			}
		}
	}
	if _, err := sharedstore.ParseURL(redisURL); err != nil {
		t.Fatalf("deployment.yaml: REDIS_URL %q: %v", redisURL, err)
	}
	u, _ := url.Parse(redisURL)
	if len(svc.Spec.Ports) != 1 || len(redis.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("redis manifests: got %d Service ports, %d containers; want one each", len(svc.Spec.Ports), len(redis.Spec.Template.Spec.Containers))
	}
	c := redis.Spec.Template.Spec.Containers[0]
	containerPorts := map[string]int{}
	for _, p := range c.Ports {
		containerPorts[p.Name] = p.ContainerPort
	}
	tests := []struct {
		name      string
		got, want string
	}{
		{"REDIS_URL names the Redis Service", u.Hostname(), redisName},
		{"REDIS_URL's port is the Service's", u.Port(), fmt.Sprint(svc.Spec.Ports[0].Port)},
		{"the Service targets the container's port", fmt.Sprint(containerPorts[fmt.Sprint(svc.Spec.Ports[0].TargetPort)]), "6379"},
		{"the Service selects the Redis pod", fmt.Sprint(selects(svc.Spec.Selector, redis.Spec.Template.Metadata.Labels)), "true"},
		{"the Deployment selects its pod", fmt.Sprint(selects(redis.Spec.Selector.MatchLabels, redis.Spec.Template.Metadata.Labels)), "true"},
		{"one instance", fmt.Sprint(redis.Spec.Replicas, " ", redis.Spec.Strategy.Type), "1 Recreate"},
		{"no persistence", fmt.Sprint(argAfter(c.Args, "--save"), " ", argAfter(c.Args, "--appendonly")), " no"},
		// Only keys with a TTL: never a response cache generation, whose
		// loss would bring invalidated answers back.
		{"evicts only keys that expire", argAfter(c.Args, "--maxmemory-policy"), "volatile-lru"},
		{"non-root, read-only root", fmt.Sprint(isTrue(redis.Spec.Template.Spec.SecurityContext.RunAsNonRoot), nonRootUID(redis.Spec.Template.Spec.SecurityContext.RunAsUser),
			isTrue(c.SecurityContext.ReadOnlyRootFilesystem), !isTrue(c.SecurityContext.AllowPrivilegeEscalation) && c.SecurityContext.AllowPrivilegeEscalation != nil), "true true true true"},
		{"the gateway's selectors miss the Redis pod", fmt.Sprint(selects(d.Spec.Selector.MatchLabels, redis.Spec.Template.Metadata.Labels)), "false"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q; want %q", tt.name, tt.got, tt.want)
		}
	}
	if _, _, err := net.SplitHostPort(u.Host); err != nil {
		t.Errorf("REDIS_URL %q: want an explicit host:port", redisURL)
	}
}

// argAfter returns the argument after flag in args, or "(none)".
func argAfter(args []string, flag string) string {
	if i := slices.Index(args, flag); i >= 0 && i+1 < len(args) {
		return args[i+1]
	}
	return "(none)"
}
