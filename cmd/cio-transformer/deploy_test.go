package main

import (
	"bufio"
	"fmt"
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
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// podMonitor is the part of the Prometheus operator's PodMonitor
// (monitoring.coreos.com/v1) the manifests use; decoding is strict, so a
// field it does not list fails the test rather than being ignored.
type podMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Selector            metav1.LabelSelector `json:"selector"`
		PodMetricsEndpoints []struct {
			Port     string `json:"port"`
			Path     string `json:"path"`
			Interval string `json:"interval"`
		} `json:"podMetricsEndpoints"`
	} `json:"spec"`
}

// kustomization is the part of a kustomize Kustomization the manifests use.
type kustomization struct {
	metav1.TypeMeta `json:",inline"`
	Labels          []struct {
		Pairs map[string]string `json:"pairs"`
	} `json:"labels"`
	Resources []string `json:"resources"`
	Images    []struct {
		Name   string `json:"name"`
		NewTag string `json:"newTag"`
	} `json:"images"`
}

// manifests are the objects of deploy/kubernetes, decoded strictly into
// their Kubernetes API types.
type manifests struct {
	files          []string
	kustomization  *kustomization
	deployment     *appsv1.Deployment
	services       []*corev1.Service
	hpa            *autoscalingv2.HorizontalPodAutoscaler
	pdb            *policyv1.PodDisruptionBudget
	secrets        map[string]*corev1.Secret
	podMonitor     *podMonitor
	documentsCount int
}

// decodeManifest decodes one YAML document strictly (unknown or duplicate
// fields are errors, as with kubectl's server-side field validation) into
// the API type of its kind, and adds it to m.
func (m *manifests) decodeManifest(doc []byte) error {
	var meta metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		return err
	}
	var obj any
	switch meta.APIVersion + " " + meta.Kind {
	case "kustomize.config.k8s.io/v1beta1 Kustomization":
		m.kustomization = &kustomization{}
		obj = m.kustomization
	case "apps/v1 Deployment":
		m.deployment = &appsv1.Deployment{}
		obj = m.deployment
	case "v1 Service":
		s := &corev1.Service{}
		m.services = append(m.services, s)
		obj = s
	case "autoscaling/v2 HorizontalPodAutoscaler":
		m.hpa = &autoscalingv2.HorizontalPodAutoscaler{}
		obj = m.hpa
	case "policy/v1 PodDisruptionBudget":
		m.pdb = &policyv1.PodDisruptionBudget{}
		obj = m.pdb
	case "v1 Secret":
		s := &corev1.Secret{}
		if err := yaml.UnmarshalStrict(doc, s); err != nil {
			return err
		}
		m.secrets[s.Name] = s
		m.documentsCount++
		return nil
	case "monitoring.coreos.com/v1 PodMonitor":
		m.podMonitor = &podMonitor{}
		obj = m.podMonitor
	default:
		return fmt.Errorf("unexpected kind %q of apiVersion %q", meta.Kind, meta.APIVersion)
	}
	m.documentsCount++
	return yaml.UnmarshalStrict(doc, obj)
}

// decodeManifests decodes the YAML files in files (name to content).
func decodeManifests(files map[string][]byte) (*manifests, error) {
	m := &manifests{secrets: map[string]*corev1.Secret{}}
	for name, data := range files {
		m.files = append(m.files, name)
		for i, doc := range strings.Split("\n"+string(data), "\n---\n") {
			if strings.TrimSpace(stripComments(doc)) == "" {
				continue
			}
			if err := m.decodeManifest([]byte(doc)); err != nil {
				return nil, fmt.Errorf("%s, document %d: %w", name, i+1, err)
			}
		}
	}
	slices.Sort(m.files)
	return m, nil
}

// stripComments drops the comment lines of a YAML document.
func stripComments(doc string) string {
	var b strings.Builder
	for line := range strings.Lines(doc) {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// readManifests reads every YAML file of deploy/kubernetes.
func readManifests(t *testing.T) map[string][]byte {
	t.Helper()
	dir := filepath.Join(repoRoot(), "deploy", "kubernetes")
	names, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no manifests in %s: %v", dir, err)
	}
	files := map[string][]byte{}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(n)] = data
	}
	return files
}

// TestManifestsDecodeStrictly plants an unknown field into a copy of each
// kind of manifest and expects the strict decoding the other checks rely on
// to reject it: a misspelt field must fail, not vanish.
func TestManifestsDecodeStrictly(t *testing.T) {
	t.Parallel()
	files := readManifests(t)
	if _, err := decodeManifests(files); err != nil {
		t.Fatalf("the manifests as shipped: %v", err)
	}
	for _, tc := range []struct{ file, after, plant string }{
		{"deployment.yaml", "  revisionHistoryLimit: 5\n", "  replicaz: 3\n"},
		{"deployment.yaml", "          image: cio-transformer\n", "          imagePullPolicyy: Always\n"},
		{"service.yaml", "  clusterIP: None\n", "  clusterIPP: None\n"},
		{"hpa.yaml", "  maxReplicas: 30\n", "  maxReplica: 30\n"},
		{"pdb.yaml", "  maxUnavailable: 1\n", "  maxUnavailabel: 1\n"},
		{"podmonitor.yaml", "      path: /metrics\n", "      pathh: /metrics\n"},
		{"secret.yaml", "type: Opaque\n", "typo: Opaque\n"},
		{"kustomization.yaml", "kind: Kustomization\n", "resourcez: []\n"},
	} {
		t.Run(tc.file+" "+strings.TrimSpace(tc.plant), func(t *testing.T) {
			t.Parallel()
			planted := cloneFiles(files)
			text := string(planted[tc.file])
			if !strings.Contains(text, tc.after) {
				t.Fatalf("%s lacks %q to plant after", tc.file, tc.after)
			}
			planted[tc.file] = []byte(strings.Replace(text, tc.after, tc.after+tc.plant, 1))
			_, err := decodeManifests(planted)
			if err == nil || !strings.Contains(err.Error(), "unknown field") {
				t.Errorf("planted %q: error %v, want an unknown field", tc.plant, err)
			}
		})
	}
}

// cloneFiles returns a copy of files.
func cloneFiles(files map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(files))
	for k, v := range files {
		out[k] = slices.Clone(v)
	}
	return out
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

// selects reports whether selector matches labels.
func selects(selector *metav1.LabelSelector, labels map[string]string) bool {
	if selector == nil || len(selector.MatchLabels) == 0 {
		return false
	}
	for k, v := range selector.MatchLabels {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// TestKubernetesManifests decodes deploy/kubernetes into the Kubernetes API
// types and checks that the pieces fit: the container's args are valid
// serve flags, TLS and the token come from Secrets that exist, the probes
// check gRPC health on the serving port, the runtime is sized to the
// container's limits, the pod outlives --shutdown-grace, and the Service,
// autoscaler, disruption budget and PodMonitor point at the pods.
func TestKubernetesManifests(t *testing.T) {
	t.Parallel()
	m, err := decodeManifests(readManifests(t))
	if err != nil {
		t.Fatal(err)
	}
	if m.kustomization == nil || m.deployment == nil || m.hpa == nil || m.pdb == nil || m.podMonitor == nil || len(m.services) != 1 {
		t.Fatalf("want a Kustomization, a Deployment, a Service, an autoscaler, a disruption budget and a PodMonitor in %v", m.files)
	}
	want := slices.DeleteFunc(slices.Clone(m.files), func(f string) bool { return f == "kustomization.yaml" })
	got := slices.Clone(m.kustomization.Resources)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		t.Errorf("kustomization resources %v, want every manifest %v", got, want)
	}

	dep := m.deployment
	pod := dep.Spec.Template.Spec
	podLabels := dep.Spec.Template.Labels
	if !selects(dep.Spec.Selector, podLabels) {
		t.Errorf("Deployment selector %v does not select its pods %v", dep.Spec.Selector, podLabels)
	}
	if dep.Spec.Replicas != nil {
		t.Errorf("Deployment sets replicas %d, which the autoscaler owns", *dep.Spec.Replicas)
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
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	grpcPort := portOf(t, f.listen)
	if strconv.Itoa(int(ports["grpc"])) != grpcPort {
		t.Errorf("container port grpc %d, want the --listen port %s", ports["grpc"], grpcPort)
	}
	if f.metricsListen == "" || strconv.Itoa(int(ports["metrics"])) != portOf(t, f.metricsListen) {
		t.Errorf("container port metrics %d, want the --metrics-listen port of %q", ports["metrics"], f.metricsListen)
	}

	// TLS and the token are on, from mounted Secrets holding the keys the
	// flags name.
	tr := f.transport
	if tr.tlsCert == "" || tr.tlsKey == "" || tr.authTokenFile == "" {
		t.Errorf("container args %q do not turn on TLS and the bearer token", c.Args)
	}
	for _, file := range []string{tr.tlsCert, tr.tlsKey, tr.authTokenFile} {
		if file != "" {
			checkSecretFile(t, m, pod, c, file)
		}
	}

	// Probes: the binary's health command on the serving port.
	for name, p := range map[string]*corev1.Probe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe, "startup": c.StartupProbe} {
		if p == nil || p.Exec == nil {
			t.Errorf("%s probe is not the health command", name)
			continue
		}
		cmd := p.Exec.Command
		if len(cmd) < 2 || cmd[0] != "/cio-transformer" || cmd[1] != "health" || !slices.Contains(cmd, "--addr=127.0.0.1:"+grpcPort) {
			t.Errorf("%s probe %q, want /cio-transformer health --addr=127.0.0.1:%s", name, cmd, grpcPort)
		}
		if tr.tlsCert != "" && !slices.Contains(cmd, "--tls-no-verify") && !slices.Contains(cmd, "--tls") {
			t.Errorf("%s probe %q dials a TLS server without TLS", name, cmd)
		}
	}
	if p := c.ReadinessProbe; p != nil && p.Exec != nil {
		if svc := "--service=" + ciotransformerv1.TransformerService_ServiceDesc.ServiceName; !slices.Contains(p.Exec.Command, svc) {
			t.Errorf("readiness probe %q lacks %s", p.Exec.Command, svc)
		}
	}
	grace := int64(30) // Kubernetes' default
	if g := pod.TerminationGracePeriodSeconds; g != nil {
		grace = *g
	}
	if time.Duration(grace)*time.Second <= f.shutdownGrace {
		t.Errorf("terminationGracePeriodSeconds %d, want more than --shutdown-grace %s", grace, f.shutdownGrace)
	}

	// Resources and the Go runtime sized to them.
	req, lim := c.Resources.Requests, c.Resources.Limits
	if req.Cpu().IsZero() || req.Memory().IsZero() || lim.Cpu().IsZero() || lim.Memory().IsZero() {
		t.Errorf("resources %+v: want cpu and memory requests and limits", c.Resources)
	}
	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
	}
	memLimit, err := parseGoMemLimit(env["GOMEMLIMIT"].Value)
	if err != nil {
		t.Errorf("GOMEMLIMIT: %v", err)
	} else if ratio := float64(memLimit) / float64(lim.Memory().Value()); ratio < 0.75 || ratio > 0.9 {
		t.Errorf("GOMEMLIMIT %s is %.0f%% of the memory limit %s, want 75-90%% (headroom for memory outside the heap)",
			env["GOMEMLIMIT"].Value, 100*ratio, lim.Memory())
	}
	if ref := env["GOMAXPROCS"].ValueFrom; ref == nil || ref.ResourceFieldRef == nil || ref.ResourceFieldRef.Resource != "limits.cpu" ||
		ref.ResourceFieldRef.Divisor.Cmp(resource.MustParse("1")) != 0 {
		t.Errorf("GOMAXPROCS %+v, want the CPU limit in whole cores (resourceFieldRef limits.cpu, divisor 1)", env["GOMAXPROCS"])
	}

	if sc := pod.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser == 0 {
		t.Error("the pod may run as root")
	}
	if sc := c.SecurityContext; sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Error("the container may escalate privileges or write its root filesystem")
	}

	svc := m.services[0]
	if svc.Spec.ClusterIP != corev1.ClusterIPNone {
		t.Errorf("Service clusterIP %q, want None (headless, for client-side balancing)", svc.Spec.ClusterIP)
	}
	if !selects(&metav1.LabelSelector{MatchLabels: svc.Spec.Selector}, podLabels) {
		t.Errorf("Service selector %v does not select the pods %v", svc.Spec.Selector, podLabels)
	}
	var grpcServed bool
	for _, p := range svc.Spec.Ports {
		if p.Name == "grpc" && strconv.Itoa(int(p.Port)) == grpcPort && p.TargetPort.String() == "grpc" {
			grpcServed = true
		}
	}
	if !grpcServed {
		t.Errorf("Service ports %+v lack grpc %s -> grpc", svc.Spec.Ports, grpcPort)
	}

	hpa := m.hpa
	if hpa.Spec.ScaleTargetRef.Kind != "Deployment" || hpa.Spec.ScaleTargetRef.Name != dep.Name {
		t.Errorf("autoscaler targets %+v, want the Deployment", hpa.Spec.ScaleTargetRef)
	}
	if hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 2 || hpa.Spec.MaxReplicas < *hpa.Spec.MinReplicas {
		t.Errorf("autoscaler replicas %v..%d, want at least 2", hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas)
	}

	if !selects(m.pdb.Spec.Selector, podLabels) {
		t.Errorf("PodDisruptionBudget selector %v does not select the pods %v", m.pdb.Spec.Selector, podLabels)
	}
	if m.pdb.Spec.MaxUnavailable == nil && m.pdb.Spec.MinAvailable == nil {
		t.Error("PodDisruptionBudget sets neither maxUnavailable nor minAvailable")
	}

	pm := m.podMonitor
	if !selects(&pm.Spec.Selector, podLabels) {
		t.Errorf("PodMonitor selector %v does not select the pods %v", pm.Spec.Selector, podLabels)
	}
	if len(pm.Spec.PodMetricsEndpoints) != 1 || pm.Spec.PodMetricsEndpoints[0].Port != "metrics" || pm.Spec.PodMetricsEndpoints[0].Path != "/metrics" {
		t.Errorf("PodMonitor endpoints %+v, want /metrics on the metrics port", pm.Spec.PodMetricsEndpoints)
	}
}

// checkSecretFile checks that file lies in a read-only mount of a Secret
// volume whose Secret is among the manifests and holds the file's key.
func checkSecretFile(t *testing.T, m *manifests, pod corev1.PodSpec, c corev1.Container, file string) {
	t.Helper()
	for _, vm := range c.VolumeMounts {
		if filepath.Dir(file) != filepath.Clean(vm.MountPath) {
			continue
		}
		if !vm.ReadOnly {
			t.Errorf("%s: mount %s is writable", file, vm.MountPath)
		}
		for _, v := range pod.Volumes {
			if v.Name != vm.Name || v.Secret == nil {
				continue
			}
			s, ok := m.secrets[v.Secret.SecretName]
			if !ok {
				t.Errorf("%s: Secret %s is not among the manifests", file, v.Secret.SecretName)
				return
			}
			key := filepath.Base(file)
			if _, ok := s.StringData[key]; !ok {
				if _, ok := s.Data[key]; !ok {
					t.Errorf("%s: Secret %s has no key %s", file, s.Name, key)
				}
			}
			return
		}
	}
	t.Errorf("%s is not in a mounted Secret volume", file)
}

// parseGoMemLimit parses a GOMEMLIMIT value: bytes with an optional B,
// KiB, MiB, GiB or TiB suffix, as the Go runtime reads it.
func parseGoMemLimit(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseInt(n, 10, 64)
			return v * u.mult, err
		}
	}
	return strconv.ParseInt(s, 10, 64)
}

// TestDockerfile reviews the Dockerfile mechanically: a separate build
// stage, a static (cgo-free) binary for the platform buildx asks for, the
// version stamped in, a non-root user in the final stage, and an entrypoint
// running serve on the ports the manifests use.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	f, err := os.Open(filepath.Join(repoRoot(), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var froms, users, args []string
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
		case "ARG":
			args = append(args, strings.Fields(rest)...)
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
	// A default on ARG TARGETOS or TARGETARCH would replace the value
	// buildx passes for each platform: an arm64 image with an amd64 binary.
	for _, a := range args {
		if strings.HasPrefix(a, "TARGETOS=") || strings.HasPrefix(a, "TARGETARCH=") {
			t.Errorf("ARG %s shadows the platform buildx sets", a)
		}
	}
	for _, want := range []string{"TARGETOS", "TARGETARCH", "GOOS=${TARGETOS:-linux}", "GOARCH=${TARGETARCH:-amd64}", "-X main.version=", "-X main.revision="} {
		if !slices.Contains(args, want) && !strings.Contains(all, want) {
			t.Errorf("the Dockerfile lacks %s", want)
		}
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
