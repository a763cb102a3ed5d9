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

// gatewayObjects are the objects every overlay builds for the gateway, and
// redisObjects those of the shared Redis, which only production has; each
// named, and labelled app.kubernetes.io/name, as its key says.
var (
	gatewayObjects = []string{"Deployment/" + appName, "Service/" + appName, "HorizontalPodAutoscaler/" + appName, "PodDisruptionBudget/" + appName}
	redisObjects   = []string{"Deployment/" + redisName, "Service/" + redisName}
	apiVersions    = map[string]string{"Deployment": "apps/v1", "Service": "v1", "HorizontalPodAutoscaler": "autoscaling/v2", "PodDisruptionBudget": "policy/v1"}
)

// Both overlays build (as `kubectl apply -k` would): dev with the gateway
// alone, every service simulated in-process and one replica; prod with real
// services, the shared Redis and the HPA's three. Neither sets a namespace.
func TestDeployOverlays(t *testing.T) {
	for _, tt := range []struct {
		overlay  string
		objects  []string
		replicas int
		urls     bool // every service URL and REDIS_URL set; none otherwise
	}{
		{devOverlay, gatewayObjects, 1, false},
		{prodOverlay, append(slices.Clone(gatewayObjects), redisObjects...), 3, true},
	} {
		objs := buildOverlay(t, tt.overlay)
		if got, want := slices.Sorted(maps.Keys(objs)), slices.Sorted(slices.Values(tt.objects)); !slices.Equal(got, want) {
			t.Errorf("%s builds %q; want %q", tt.overlay, got, want)
		}
		for key := range objs {
			var obj object
			decodeBuilt(t, tt.overlay, key, &obj)
			kind, name, _ := strings.Cut(key, "/")
			if obj.APIVersion != apiVersions[kind] || obj.Metadata.Namespace != "" || obj.Metadata.Labels[appLabel] != name {
				t.Errorf("%s: %s: %s, namespace %q, label %s %q; want %s, no namespace (the manifests are namespace-agnostic), label %s",
					tt.overlay, key, obj.APIVersion, obj.Metadata.Namespace, appLabel, obj.Metadata.Labels[appLabel], apiVersions[kind], name)
			}
		}
		var d deploymentObject
		decodeBuilt(t, tt.overlay, "Deployment/"+appName, &d)
		if d.Spec.Replicas != tt.replicas {
			t.Errorf("%s: replicas %d; want %d", tt.overlay, d.Spec.Replicas, tt.replicas)
		}
		set := map[string]bool{}
		for _, e := range d.Spec.Template.Spec.Containers[0].Env {
			set[e.Name] = true
		}
		for _, s := range append(downstream.Services(), "redis") {
			if name := config.EnvName(string(s) + "-url"); set[name] != tt.urls {
				t.Errorf("%s: env %s set %v; want %v", tt.overlay, name, set[name], tt.urls)
			}
		}
	}
}

func TestDeployDeployment(t *testing.T) {
	var d deploymentObject
	decodeManifest(t, "Deployment/"+appName, &d)
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

	t.Run("the pod's identity and zone spread", func(t *testing.T) {
		for _, want := range []string{"k8s.pod.name=$(K8S_POD_NAME)", "k8s.namespace.name=$(K8S_NAMESPACE)"} {
			if !strings.Contains(env["OTEL_RESOURCE_ATTRIBUTES"], want) {
				t.Errorf("OTEL_RESOURCE_ATTRIBUTES %q; want %s", env["OTEL_RESOURCE_ATTRIBUTES"], want)
			}
		}
		keys := map[string]bool{}
		for _, c := range pod.TopologySpreadConstraints {
			keys[c.TopologyKey] = true
		}
		if !keys["topology.kubernetes.io/zone"] || !keys["kubernetes.io/hostname"] {
			t.Errorf("topology spread over %v; want zones and nodes", keys)
		}
	})

	t.Run("env names gateway settings", func(t *testing.T) {
		settings := map[string]bool{}
		for _, f := range config.FlagNames() {
			settings[config.EnvName(f)] = true
		}
		for _, e := range c.Env {
			if strings.HasPrefix(e.Name, "K8S_") && strings.Contains(env["OTEL_RESOURCE_ATTRIBUTES"], "$("+e.Name+")") {
				continue // the pod's identity, for the trace resource
			}
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
	decodeManifest(t, "Deployment/"+appName, &d)
	decodeManifest(t, "Service/"+appName, &svc)
	decodeManifest(t, "HorizontalPodAutoscaler/"+appName, &hpa)
	decodeManifest(t, "PodDisruptionBudget/"+appName, &pdb)
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
