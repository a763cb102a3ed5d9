package main

// The Kubernetes objects of deploy/ as the deployment checks read them.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/goccy/go-yaml"
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
	kustomization struct {
		Resources []string `yaml:"resources"`
	}
)

// manifestFiles returns the sorted names of the files in deploy/, README.md
// aside.
func manifestFiles(tb testing.TB) []string {
	tb.Helper()
	entries, err := os.ReadDir(deployDir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && e.Name() != "README.md" {
			names = append(names, e.Name())
		}
	}
	return names // os.ReadDir sorts by name
}

// decodeManifest decodes deploy/name, which must hold exactly one YAML
// document, into v.
func decodeManifest(tb testing.TB, name string, v any) {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(deployDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		tb.Fatalf("%s: decode: got %v; want a YAML object", name, err)
	}
	var extra any
	switch err := dec.Decode(&extra); {
	case err == nil:
		tb.Fatalf("%s: got a second YAML document; want one object per file", name)
	case !errors.Is(err, io.EOF):
		tb.Fatalf("%s: after the first document: got %v; want the end of the file", name, err)
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
