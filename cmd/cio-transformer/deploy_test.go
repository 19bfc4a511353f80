package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"go.yaml.in/yaml/v3"
)

// k8sObject is the part of a Kubernetes object the deployment checks read.
type k8sObject struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		// Deployment
		Replicas *int `yaml:"replicas"`
		// Selector is a label map in a Service, and holds matchLabels in
		// a Deployment or PodDisruptionBudget.
		Selector map[string]any `yaml:"selector"`
		Template struct {
			Metadata struct {
				Labels map[string]string `yaml:"labels"`
			} `yaml:"metadata"`
			Spec struct {
				TerminationGracePeriodSeconds *int `yaml:"terminationGracePeriodSeconds"`
				SecurityContext               struct {
					RunAsNonRoot *bool `yaml:"runAsNonRoot"`
					RunAsUser    *int  `yaml:"runAsUser"`
				} `yaml:"securityContext"`
				Containers []k8sContainer `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
		// Service
		ClusterIP string `yaml:"clusterIP"`
		Ports     []struct {
			Name       string `yaml:"name"`
			Port       int    `yaml:"port"`
			TargetPort string `yaml:"targetPort"`
		} `yaml:"ports"`
		// HorizontalPodAutoscaler
		ScaleTargetRef struct {
			Kind string `yaml:"kind"`
			Name string `yaml:"name"`
		} `yaml:"scaleTargetRef"`
		MinReplicas *int `yaml:"minReplicas"`
		MaxReplicas int  `yaml:"maxReplicas"`
		// PodDisruptionBudget
		MaxUnavailable *int `yaml:"maxUnavailable"`
		MinAvailable   *int `yaml:"minAvailable"`
	} `yaml:"spec"`
	// Kustomization
	Resources []string `yaml:"resources"`
}

// k8sContainer is the part of a container the checks read.
type k8sContainer struct {
	Name  string   `yaml:"name"`
	Image string   `yaml:"image"`
	Args  []string `yaml:"args"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	ReadinessProbe *k8sProbe `yaml:"readinessProbe"`
	LivenessProbe  *k8sProbe `yaml:"livenessProbe"`
	StartupProbe   *k8sProbe `yaml:"startupProbe"`
	Resources      struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	SecurityContext struct {
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
		ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
	} `yaml:"securityContext"`
}

// k8sProbe is a probe; only gRPC probes are expected.
type k8sProbe struct {
	GRPC *struct {
		Port    int     `yaml:"port"`
		Service *string `yaml:"service"`
	} `yaml:"grpc"`
}

// loadManifests parses every YAML document under deploy/kubernetes, keyed
// by "Kind/name", and the file each came from.
func loadManifests(t *testing.T) (map[string]k8sObject, []string) {
	t.Helper()
	dir := filepath.Join(repoRoot(), "deploy", "kubernetes")
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s: %v", dir, err)
	}
	objs := map[string]k8sObject{}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var o k8sObject
			if err := dec.Decode(&o); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", filepath.Base(f), err)
			}
			if o.APIVersion == "" || o.Kind == "" {
				t.Fatalf("%s: a document without apiVersion or kind", filepath.Base(f))
			}
			key := o.Kind + "/" + o.Metadata.Name
			if _, dup := objs[key]; dup {
				t.Fatalf("%s: %s defined twice", filepath.Base(f), key)
			}
			objs[key] = o
		}
	}
	return objs, names
}

// mustObject returns the object key, failing the test if it is missing.
func mustObject(t *testing.T, objs map[string]k8sObject, key string) k8sObject {
	t.Helper()
	o, ok := objs[key]
	if !ok {
		keys := make([]string, 0, len(objs))
		for k := range objs {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		t.Fatalf("no %s among %v", key, keys)
	}
	return o
}

// selects reports whether selector matches every label in labels it names.
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

// portOf returns the port of a listen address such as ":50051".
func portOf(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("listen address %q: %v", addr, err)
	}
	return port
}

// TestKubernetesManifests parses deploy/kubernetes and checks that the
// pieces fit: the container's args are valid serve flags, the probes use
// gRPC health on the serving port, the pod outlives --shutdown-grace, and
// the Service, autoscaler and disruption budget point at the Deployment.
func TestKubernetesManifests(t *testing.T) {
	t.Parallel()
	objs, files := loadManifests(t)

	kust := mustObject(t, objs, "Kustomization/")
	want := slices.DeleteFunc(slices.Clone(files), func(f string) bool { return f == "kustomization.yaml" })
	got := slices.Clone(kust.Resources)
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		t.Errorf("kustomization resources %v, want every manifest %v", got, want)
	}

	dep := mustObject(t, objs, "Deployment/cio-transformer")
	pod := dep.Spec.Template.Spec
	podLabels := dep.Spec.Template.Metadata.Labels
	if sel, _ := dep.Spec.Selector["matchLabels"].(map[string]any); !selects(labels(sel), podLabels) {
		t.Errorf("Deployment selector %v does not select its pods %v", dep.Spec.Selector, podLabels)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	var f serveFlags
	fs := newServeFlagSet(&f, io.Discard)
	if err := fs.Parse(c.Args); err != nil || fs.NArg() != 0 {
		t.Fatalf("container args %q are not valid serve flags: %v %v", c.Args, err, fs.Args())
	}
	if _, _, err := f.config(io.Discard); err != nil {
		t.Errorf("container args %q: %v", c.Args, err)
	}
	ports := map[string]int{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	grpcPort := portOf(t, f.listen)
	if strconv.Itoa(ports["grpc"]) != grpcPort {
		t.Errorf("container port grpc %d, want the --listen port %s", ports["grpc"], grpcPort)
	}
	if f.metricsListen == "" || strconv.Itoa(ports["metrics"]) != portOf(t, f.metricsListen) {
		t.Errorf("container port metrics %d, want the --metrics-listen port of %q", ports["metrics"], f.metricsListen)
	}
	for name, p := range map[string]*k8sProbe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe, "startup": c.StartupProbe} {
		if p == nil || p.GRPC == nil {
			t.Errorf("%s probe is not a gRPC probe", name)
			continue
		}
		if strconv.Itoa(p.GRPC.Port) != grpcPort {
			t.Errorf("%s probe port %d, want %s", name, p.GRPC.Port, grpcPort)
		}
	}
	if p := c.ReadinessProbe; p != nil && p.GRPC != nil {
		if p.GRPC.Service == nil || *p.GRPC.Service != ciotransformerv1.TransformerService_ServiceDesc.ServiceName {
			t.Errorf("readiness probe service %v, want %s", p.GRPC.Service, ciotransformerv1.TransformerService_ServiceDesc.ServiceName)
		}
	}
	grace := 30 // Kubernetes' default
	if g := pod.TerminationGracePeriodSeconds; g != nil {
		grace = *g
	}
	if time.Duration(grace)*time.Second <= f.shutdownGrace {
		t.Errorf("terminationGracePeriodSeconds %d, want more than --shutdown-grace %s", grace, f.shutdownGrace)
	}
	if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["memory"] == "" || c.Resources.Limits["memory"] == "" {
		t.Errorf("resources %+v: want cpu and memory requests and a memory limit", c.Resources)
	}
	if sc := pod.SecurityContext; sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser == 0 {
		t.Error("the pod may run as root")
	}
	if sc := c.SecurityContext; sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Error("the container may escalate privileges or write its root filesystem")
	}

	svc := mustObject(t, objs, "Service/cio-transformer-headless")
	if svc.Spec.ClusterIP != "None" {
		t.Errorf("Service clusterIP %q, want None (headless, for client-side balancing)", svc.Spec.ClusterIP)
	}
	if !selects(labels(svc.Spec.Selector), podLabels) {
		t.Errorf("Service selector %v does not select the pods %v", svc.Spec.Selector, podLabels)
	}
	var grpcServed bool
	for _, p := range svc.Spec.Ports {
		if p.Name == "grpc" && strconv.Itoa(p.Port) == grpcPort && p.TargetPort == "grpc" {
			grpcServed = true
		}
	}
	if !grpcServed {
		t.Errorf("Service ports %+v lack grpc %s -> grpc", svc.Spec.Ports, grpcPort)
	}

	hpa := mustObject(t, objs, "HorizontalPodAutoscaler/cio-transformer")
	if hpa.Spec.ScaleTargetRef.Kind != "Deployment" || hpa.Spec.ScaleTargetRef.Name != dep.Metadata.Name {
		t.Errorf("autoscaler targets %+v, want the Deployment", hpa.Spec.ScaleTargetRef)
	}
	if hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 2 || hpa.Spec.MaxReplicas < *hpa.Spec.MinReplicas {
		t.Errorf("autoscaler replicas %v..%d, want at least 2", hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas)
	}

	pdb := mustObject(t, objs, "PodDisruptionBudget/cio-transformer")
	if sel, _ := pdb.Spec.Selector["matchLabels"].(map[string]any); !selects(labels(sel), podLabels) {
		t.Errorf("PodDisruptionBudget selector %v does not select the pods %v", pdb.Spec.Selector, podLabels)
	}
	if pdb.Spec.MaxUnavailable == nil && pdb.Spec.MinAvailable == nil {
		t.Error("PodDisruptionBudget sets neither maxUnavailable nor minAvailable")
	}
}

// labels returns the string values of a YAML mapping.
func labels(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// TestDockerfile reviews the Dockerfile mechanically: a separate build
// stage, a static (cgo-free) binary, a non-root user in the final stage,
// and an entrypoint running serve on the ports the manifests use.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	f, err := os.Open(filepath.Join(repoRoot(), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var froms, users []string
	var all, entrypoint, expose string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		all += line + "\n"
		switch word, rest, _ := strings.Cut(line, " "); strings.ToUpper(word) {
		case "FROM":
			froms = append(froms, rest)
			users = nil
		case "USER":
			users = append(users, rest)
		case "ENTRYPOINT":
			entrypoint = rest
		case "EXPOSE":
			expose = rest
		}
	}
	if len(froms) < 2 {
		t.Errorf("%d stages, want a build stage and a run stage", len(froms))
	}
	if !strings.Contains(all, "CGO_ENABLED=0") {
		t.Error("the binary is not built with CGO_ENABLED=0 (static)")
	}
	if len(users) == 0 || strings.HasPrefix(users[len(users)-1], "0") || strings.HasPrefix(users[len(users)-1], "root") {
		t.Errorf("the final stage runs as %v, want a non-root user", users)
	}
	if base := froms[len(froms)-1]; !strings.Contains(base, "distroless/static") && base != "scratch" {
		t.Errorf("final base %q, want a minimal static base", base)
	}
	if !strings.Contains(entrypoint, `"serve"`) {
		t.Errorf("ENTRYPOINT %s does not run serve", entrypoint)
	}
	for _, port := range []string{"50051", "9464"} {
		if !strings.Contains(expose, port) {
			t.Errorf("EXPOSE %q lacks %s", expose, port)
		}
	}
}
