package main

// The Kubernetes objects of deploy/ as the deployment checks read them.

import (
	"fmt"
	"sync"
	"testing"

	"github.com/goccy/go-yaml"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// The subset of the Kubernetes objects the tests look at.
type (
	objectMeta struct {
		Name        string            `yaml:"name"`
		Namespace   string            `yaml:"namespace"`
		Labels      map[string]string `yaml:"labels"`
		Annotations map[string]string `yaml:"annotations"`
	}
	object struct {
		APIVersion string     `yaml:"apiVersion"`
		Kind       string     `yaml:"kind"`
		Metadata   objectMeta `yaml:"metadata"`
	}
	labelSelector struct {
		MatchLabels map[string]string `yaml:"matchLabels"`
	}
	securityContext struct {
		RunAsNonRoot             *bool  `yaml:"runAsNonRoot"`
		RunAsUser                *int64 `yaml:"runAsUser"`
		ReadOnlyRootFilesystem   *bool  `yaml:"readOnlyRootFilesystem"`
		AllowPrivilegeEscalation *bool  `yaml:"allowPrivilegeEscalation"`
		Capabilities             struct {
			Drop []string `yaml:"drop"`
		} `yaml:"capabilities"`
		SeccompProfile struct {
			Type string `yaml:"type"`
		} `yaml:"seccompProfile"`
	}
	probe struct {
		HTTPGet *struct {
			Path string `yaml:"path"`
			Port any    `yaml:"port"` // a number or a port name
		} `yaml:"httpGet"`
	}
	container struct {
		Name  string `yaml:"name"`
		Image string `yaml:"image"`
		Ports []struct {
			Name          string `yaml:"name"`
			ContainerPort int    `yaml:"containerPort"`
		} `yaml:"ports"`
		Env []struct {
			Name      string `yaml:"name"`
			Value     string `yaml:"value"`
			ValueFrom any    `yaml:"valueFrom"` // a ConfigMap or Secret key
		} `yaml:"env"`
		LivenessProbe  *probe `yaml:"livenessProbe"`
		ReadinessProbe *probe `yaml:"readinessProbe"`
		Lifecycle      struct {
			PreStop *struct {
				Sleep *struct {
					Seconds int64 `yaml:"seconds"`
				} `yaml:"sleep"`
			} `yaml:"preStop"`
		} `yaml:"lifecycle"`
		SecurityContext securityContext `yaml:"securityContext"`
		Resources       struct {
			Requests map[string]string `yaml:"requests"`
			Limits   map[string]string `yaml:"limits"`
		} `yaml:"resources"`
	}
	deploymentObject struct {
		Metadata objectMeta `yaml:"metadata"`
		Spec     struct {
			Replicas int           `yaml:"replicas"`
			Selector labelSelector `yaml:"selector"`
			Template struct {
				Metadata objectMeta `yaml:"metadata"`
				Spec     struct {
					TerminationGracePeriodSeconds *int64          `yaml:"terminationGracePeriodSeconds"`
					SecurityContext               securityContext `yaml:"securityContext"`
					Containers                    []container     `yaml:"containers"`
					TopologySpreadConstraints     []struct {
						TopologyKey string `yaml:"topologyKey"`
					} `yaml:"topologySpreadConstraints"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	serviceObject struct {
		Spec struct {
			Selector map[string]string `yaml:"selector"`
			Ports    []struct {
				Name       string `yaml:"name"`
				Port       int    `yaml:"port"`
				TargetPort any    `yaml:"targetPort"`
			} `yaml:"ports"`
		} `yaml:"spec"`
	}
	hpaObject struct {
		Spec struct {
			ScaleTargetRef struct {
				APIVersion string `yaml:"apiVersion"`
				Kind       string `yaml:"kind"`
				Name       string `yaml:"name"`
			} `yaml:"scaleTargetRef"`
			MinReplicas int `yaml:"minReplicas"`
			MaxReplicas int `yaml:"maxReplicas"`
		} `yaml:"spec"`
	}
	pdbObject struct {
		Spec struct {
			Selector       labelSelector `yaml:"selector"`
			MinAvailable   any           `yaml:"minAvailable"`
			MaxUnavailable any           `yaml:"maxUnavailable"`
		} `yaml:"spec"`
	}
)

// The overlays the deployment is applied from (deploy/README.md).
const (
	devOverlay  = "deploy/overlays/dev"
	prodOverlay = "deploy/overlays/prod"
)

// built holds each overlay's objects as kustomize builds them, by
// "Kind/name", once per test binary.
var built sync.Map // overlay dir -> map[string][]byte

// buildOverlay builds the overlay in dir as `kubectl apply -k dir` would
// (kustomize's own Go API, the code kubectl embeds) and returns its objects'
// YAML by "Kind/name".
func buildOverlay(tb testing.TB, dir string) map[string][]byte {
	tb.Helper()
	if objs, ok := built.Load(dir); ok {
		return objs.(map[string][]byte)
	}
	resMap, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		tb.Fatalf("kustomize build %s: %v", dir, err)
	}
	objs := map[string][]byte{}
	for _, r := range resMap.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			tb.Fatalf("kustomize build %s: %s: %v", dir, r.CurId(), err)
		}
		objs[r.GetKind()+"/"+r.GetName()] = y
	}
	built.Store(dir, objs)
	return objs
}

// decodeManifest decodes the object the production overlay builds under
// key ("Deployment/dashboard-gateway"), which must exist, into v.
func decodeManifest(tb testing.TB, key string, v any) {
	tb.Helper()
	decodeBuilt(tb, prodOverlay, key, v)
}

// decodeBuilt decodes the object overlay builds under key into v.
func decodeBuilt(tb testing.TB, overlay, key string, v any) {
	tb.Helper()
	data, ok := buildOverlay(tb, overlay)[key]
	if !ok {
		tb.Fatalf("%s builds no %s", overlay, key)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		tb.Fatalf("%s: %s: decode: %v", overlay, key, err)
	}
}

func probePath(p *probe) string {
	if p == nil || p.HTTPGet == nil {
		return "(no httpGet probe)"
	}
	return p.HTTPGet.Path
}

func probePort(p *probe) string {
	if p == nil || p.HTTPGet == nil {
		return "(no httpGet probe)"
	}
	return fmt.Sprint(p.HTTPGet.Port)
}

// selects reports whether a non-empty selector matches labels.
func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}
