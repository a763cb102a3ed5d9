package main

// Checks of the deployment files (Dockerfile, .dockerignore, deploy/)
// against the code: the settings they use exist, the ports and probe paths
// are the gateway's, the shutdown fits in the grace period, the objects
// select each other. They read files only: no Docker, no cluster, no network.

import (
	"fmt"
	"io"
	"maps"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/downstream"
)

const (
	deployDir = "deploy"
	appLabel  = "app.kubernetes.io/name"
	appName   = "dashboard-gateway"
	redisName = "dashboard-gateway-redis"
)

// wantManifests is every file deploy/ must hold (besides README.md), with
// the object in it and its name (and app.kubernetes.io/name label).
var wantManifests = map[string]struct{ apiVersion, kind, name string }{
	"kustomization.yaml":    {"kustomize.config.k8s.io/v1beta1", "Kustomization", ""},
	"deployment.yaml":       {"apps/v1", "Deployment", appName},
	"service.yaml":          {"v1", "Service", appName},
	"hpa.yaml":              {"autoscaling/v2", "HorizontalPodAutoscaler", appName},
	"pdb.yaml":              {"policy/v1", "PodDisruptionBudget", appName},
	"redis-deployment.yaml": {"apps/v1", "Deployment", redisName},
	"redis-service.yaml":    {"v1", "Service", redisName},
}

func TestDeployManifests(t *testing.T) {
	files := manifestFiles(t)
	want := slices.Sorted(maps.Keys(wantManifests))
	if !slices.Equal(files, want) {
		t.Errorf("files in %s/: got %q; want %q", deployDir, files, want)
	}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			var obj object
			decodeManifest(t, name, &obj)
			w, ok := wantManifests[name]
			if !ok {
				t.Fatalf("%s: unexpected file", name)
			}
			if obj.APIVersion != w.apiVersion || obj.Kind != w.kind {
				t.Errorf("%s: got %s %s; want %s %s", name, obj.APIVersion, obj.Kind, w.apiVersion, w.kind)
			}
			if obj.Metadata.Namespace != "" {
				t.Errorf("%s: metadata.namespace: got %q; want none (the manifests are namespace-agnostic)", name, obj.Metadata.Namespace)
			}
			if obj.Kind == "Kustomization" {
				return
			}
			if got := obj.Metadata.Name; got != w.name {
				t.Errorf("%s: metadata.name: got %q; want %q", name, got, w.name)
			}
			if got := obj.Metadata.Labels[appLabel]; got != w.name {
				t.Errorf("%s: label %s: got %q; want %q", name, appLabel, got, w.name)
			}
		})
	}

	t.Run("kustomization lists every manifest", func(t *testing.T) {
		var k kustomization
		decodeManifest(t, "kustomization.yaml", &k)
		got := slices.Sorted(slices.Values(k.Resources))
		want := slices.DeleteFunc(slices.Clone(files), func(f string) bool { return f == "kustomization.yaml" })
		if !slices.Equal(got, want) {
			t.Errorf("kustomization.yaml resources: got %q; want %q", got, want)
		}
	})
}

func TestDeployDeployment(t *testing.T) {
	var d deploymentObject
	decodeManifest(t, "deployment.yaml", &d)
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("deployment.yaml: containers: got %d; want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	env := map[string]string{} // the literal values
	set := map[string]bool{}   // literal or from a ConfigMap or Secret
	for _, e := range c.Env {
		if set[e.Name] {
			t.Errorf("deployment.yaml: env %s: got it twice; want it once", e.Name)
		}
		env[e.Name] = e.Value
		set[e.Name] = e.Value != "" || e.ValueFrom != nil
	}

	t.Run("env names gateway settings", func(t *testing.T) {
		settings := map[string]bool{}
		for _, f := range config.FlagNames() {
			settings[config.EnvName(f)] = true
		}
		for _, e := range c.Env {
			if !strings.HasPrefix(e.Name, "OTEL_") && !settings[e.Name] {
				t.Errorf("deployment.yaml: env %s: got a name the gateway ignores; want a setting (envName of config.FlagNames()) or OTEL_*", e.Name)
			}
		}
		// A service without a URL would be simulated in-process: a demo,
		// not a deployment.
		for _, s := range downstream.Services() {
			if name := config.EnvName(string(s) + "-url"); !set[name] {
				t.Errorf("deployment.yaml: env %s: got none; want every service URL set", name)
			}
		}
	})

	// The configuration the pod runs with: the Deployment's environment over
	// the defaults, checked as the gateway checks it at start-up.
	cfg, err := config.Parse(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatalf("deployment.yaml: the env is not a valid configuration: got %v; want none", err)
	}
	port := addrPort(t, cfg.Addr)
	httpPort := fmt.Sprintf("no container port %d", port)
	adminHost, adminPort, adminPortName := "(off)", 0, "(ADMIN_ADDR off)"
	if cfg.AdminAddr != "off" {
		adminHost, _, _ = net.SplitHostPort(cfg.AdminAddr)
		adminPort = addrPort(t, cfg.AdminAddr)
		adminPortName = fmt.Sprintf("no container port %d", adminPort)
	}
	for _, p := range c.Ports {
		switch p.ContainerPort {
		case port:
			httpPort = p.Name
		case adminPort:
			adminPortName = p.Name
		}
	}

	preStop := time.Duration(0)
	if ps := c.Lifecycle.PreStop; ps != nil && ps.Sleep != nil {
		preStop = time.Duration(ps.Sleep.Seconds) * time.Second
	}
	grace := time.Duration(-1)
	if g := pod.TerminationGracePeriodSeconds; g != nil {
		grace = time.Duration(*g) * time.Second
	}
	shutdown := preStop + cfg.ShutdownDelay + cfg.ShutdownGrace

	tests := []struct {
		name      string
		got, want string
	}{
		{"container port named for -addr " + cfg.Addr, httpPort, "http"},
		{"liveness probe path", probePath(c.LivenessProbe), "/healthz"},
		{"liveness probe port", probePort(c.LivenessProbe), "http"},
		{"readiness probe path", probePath(c.ReadinessProbe), "/readyz"},
		{"readiness probe port", probePort(c.ReadinessProbe), "http"},
		{"preStop sleep (or SHUTDOWN_DELAY) before SIGTERM", fmt.Sprint(preStop+cfg.ShutdownDelay > 0), "true"},
		{fmt.Sprintf("terminationGracePeriodSeconds %v > preStop %v + shutdown delay %v + shutdown grace %v", grace, preStop, cfg.ShutdownDelay, cfg.ShutdownGrace),
			fmt.Sprint(grace > shutdown), "true"},
		{"pod runAsNonRoot", fmt.Sprint(isTrue(pod.SecurityContext.RunAsNonRoot) || isTrue(c.SecurityContext.RunAsNonRoot)), "true"},
		// The image's USER nonroot is a name, which the kubelet cannot check
		// against runAsNonRoot: the pod must give the uid.
		{"runAsUser is a non-root uid", fmt.Sprint(nonRootUID(pod.SecurityContext.RunAsUser) || nonRootUID(c.SecurityContext.RunAsUser)), "true"},
		{"container readOnlyRootFilesystem", fmt.Sprint(isTrue(c.SecurityContext.ReadOnlyRootFilesystem)), "true"},
		{"container allowPrivilegeEscalation", fmt.Sprint(c.SecurityContext.AllowPrivilegeEscalation != nil && !*c.SecurityContext.AllowPrivilegeEscalation), "true"},
		{"container capabilities drop", strings.Join(c.SecurityContext.Capabilities.Drop, ","), "ALL"},
		{"seccompProfile", firstNonEmpty(c.SecurityContext.SeccompProfile.Type, pod.SecurityContext.SeccompProfile.Type), "RuntimeDefault"},
		{"prometheus.io/scrape", d.Spec.Template.Metadata.Annotations["prometheus.io/scrape"], "true"},
		// Metrics are served on the admin listener only, which must listen
		// on the pod's address for Prometheus to reach it.
		{"container port named for -admin-addr " + cfg.AdminAddr, adminPortName, "admin"},
		{"ADMIN_ADDR reachable from other pods (all interfaces)", fmt.Sprint(adminHost == "" || adminHost == "0.0.0.0" || adminHost == "::"), "true"},
		{"prometheus.io/port", d.Spec.Template.Metadata.Annotations["prometheus.io/port"], fmt.Sprint(adminPort)},
		{"prometheus.io/path", d.Spec.Template.Metadata.Annotations["prometheus.io/path"], "/metrics"},
		{"selector matches the pod labels", fmt.Sprint(selects(d.Spec.Selector.MatchLabels, d.Spec.Template.Metadata.Labels)), "true"},
		{"pod label " + appLabel, d.Spec.Template.Metadata.Labels[appLabel], appName},
		// loadtest's TestMemoryLimit runs the gateway under this limit
		// (podMemory): change both together.
		{"memory limit", c.Resources.Limits["memory"], "256Mi"},
		// The gateway derives GOMEMLIMIT from the limit (90%) unless set.
		{"no GOMEMLIMIT set", fmt.Sprint(set["GOMEMLIMIT"]), "false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("deployment.yaml: %s: got %s; want %s", tt.name, tt.got, tt.want)
			}
		})
	}
}

// TestDeploySelectors checks that the Service, HPA and PDB point at the
// Deployment's pods.
func TestDeploySelectors(t *testing.T) {
	var (
		d   deploymentObject
		svc serviceObject
		hpa hpaObject
		pdb pdbObject
	)
	decodeManifest(t, "deployment.yaml", &d)
	decodeManifest(t, "service.yaml", &svc)
	decodeManifest(t, "hpa.yaml", &hpa)
	decodeManifest(t, "pdb.yaml", &pdb)
	podLabels := d.Spec.Template.Metadata.Labels
	portNames := map[string]bool{}
	for _, c := range d.Spec.Template.Spec.Containers {
		for _, p := range c.Ports {
			portNames[p.Name] = true
		}
	}
	if len(svc.Spec.Ports) == 0 {
		t.Fatal("service.yaml: ports: got none; want one")
	}
	ref := hpa.Spec.ScaleTargetRef
	var svcTargets []string
	for _, p := range svc.Spec.Ports {
		svcTargets = append(svcTargets, fmt.Sprint(p.TargetPort))
	}

	tests := []struct {
		name      string
		got, want string
	}{
		{"service.yaml: selector matches the pod labels", fmt.Sprint(selects(svc.Spec.Selector, podLabels)), "true"},
		{"service.yaml: targetPort is a container port name", fmt.Sprint(portNames[fmt.Sprint(svc.Spec.Ports[0].TargetPort)]), "true"},
		{"service.yaml: exposes the public port only (never admin)", fmt.Sprint(svcTargets), "[http]"},
		{"service.yaml: port", fmt.Sprint(svc.Spec.Ports[0].Port), "80"},
		{"hpa.yaml: scaleTargetRef", ref.APIVersion + " " + ref.Kind + " " + ref.Name, "apps/v1 Deployment " + d.Metadata.Name},
		{"hpa.yaml: minReplicas <= maxReplicas", fmt.Sprint(hpa.Spec.MinReplicas >= 1 && hpa.Spec.MinReplicas <= hpa.Spec.MaxReplicas), "true"},
		{"hpa.yaml: minReplicas equals the Deployment's replicas", fmt.Sprint(hpa.Spec.MinReplicas), fmt.Sprint(d.Spec.Replicas)},
		{"pdb.yaml: selector matches the pod labels", fmt.Sprint(selects(pdb.Spec.Selector.MatchLabels, podLabels)), "true"},
		{"pdb.yaml: one of minAvailable, maxUnavailable", fmt.Sprint((pdb.Spec.MinAvailable == nil) != (pdb.Spec.MaxUnavailable == nil)), "true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("%s: got %s; want %s", tt.name, tt.got, tt.want)
			}
		})
	}
}

// addrPort returns the port of a listen address such as ":8080".
func addrPort(tb testing.TB, addr string) int {
	tb.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		tb.Fatalf("-addr %q: got %v; want host:port", addr, err)
	}
	p, err := net.LookupPort("tcp", port)
	if err != nil {
		tb.Fatalf("-addr %q: got %v; want a numeric port", addr, err)
	}
	return p
}

func isTrue(b *bool) bool { return b != nil && *b }

func nonRootUID(uid *int64) bool { return uid != nil && *uid > 0 }

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func firstArg(args []string) string {
	if len(args) == 0 {
		return "(none)"
	}
	return args[0]
}
