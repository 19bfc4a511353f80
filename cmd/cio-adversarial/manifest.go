package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// manifestContainer is what the harness reads of a Kubernetes container.
type manifestContainer struct {
	Name string `yaml:"name"`
	Env  []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			ResourceFieldRef *struct {
				Resource string `yaml:"resource"`
				Divisor  string `yaml:"divisor"`
			} `yaml:"resourceFieldRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	Resources struct {
		Limits   map[string]string `yaml:"limits"`
		Requests map[string]string `yaml:"requests"`
	} `yaml:"resources"`
}

// manifestWorkload is what the harness reads of a Kubernetes workload.
type manifestWorkload struct {
	Kind string `yaml:"kind"`
	Spec struct {
		Template struct {
			Spec struct {
				Containers []manifestContainer `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

// goMemLimitFromManifests returns the GOMEMLIMIT the manifests under path
// (a YAML file, or a folder of them) give the server's container, as the
// kubelet would set it, and the file it came from.
func goMemLimitFromManifests(path string) (value, file string, err error) {
	files := []string{path}
	if info, err := os.Stat(path); err != nil {
		return "", "", err
	} else if info.IsDir() {
		files, _ = filepath.Glob(filepath.Join(path, "*.yaml"))
		yml, _ := filepath.Glob(filepath.Join(path, "*.yml"))
		files = append(files, yml...)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return "", "", err
		}
		v, ok, err := goMemLimitFromYAML(data)
		if err != nil {
			return "", "", fmt.Errorf("%s: %w", f, err)
		}
		if ok {
			return v, f, nil
		}
	}
	return "", "", fmt.Errorf("no container sets GOMEMLIMIT in %s", path)
}

// goMemLimitFromYAML returns the GOMEMLIMIT of the first container that sets
// it in the YAML documents of data.
func goMemLimitFromYAML(data []byte) (string, bool, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var w manifestWorkload
		err := dec.Decode(&w)
		if errors.Is(err, io.EOF) {
			return "", false, nil
		}
		if err != nil {
			return "", false, err
		}
		for _, c := range w.Spec.Template.Spec.Containers {
			for _, e := range c.Env {
				if e.Name != "GOMEMLIMIT" {
					continue
				}
				if e.ValueFrom == nil {
					return e.Value, true, nil
				}
				ref := e.ValueFrom.ResourceFieldRef
				if ref == nil {
					return "", false, errors.New("GOMEMLIMIT comes from neither a value nor a resourceFieldRef")
				}
				v, err := resourceFieldValue(c, ref.Resource, ref.Divisor)
				return v, err == nil, err
			}
		}
	}
}

// resourceFieldValue is the value the kubelet gives an environment variable
// from a container's resource (limits.memory and the like): the quantity
// divided by the divisor (default 1), rounded up.
func resourceFieldValue(c manifestContainer, resource, divisor string) (string, error) {
	kind, name, ok := strings.Cut(resource, ".")
	if !ok {
		return "", fmt.Errorf("unknown resource %q", resource)
	}
	var q string
	switch kind {
	case "limits":
		q = c.Resources.Limits[name]
	case "requests":
		q = c.Resources.Requests[name]
	default:
		return "", fmt.Errorf("unknown resource %q", resource)
	}
	if q == "" {
		return "", fmt.Errorf("container %s sets no %s", c.Name, resource)
	}
	n, err := parseQuantity(q)
	if err != nil {
		return "", err
	}
	d := big.NewRat(1, 1)
	if divisor != "" {
		if d, err = parseQuantity(divisor); err != nil {
			return "", err
		}
		if d.Sign() <= 0 {
			return "", fmt.Errorf("divisor %q is not positive", divisor)
		}
	}
	v := new(big.Rat).Quo(n, d)
	i := new(big.Int).Quo(v.Num(), v.Denom())
	if new(big.Rat).SetInt(i).Cmp(v) < 0 {
		i.Add(i, big.NewInt(1))
	}
	return i.String(), nil
}

// quantitySuffixes are the suffixes of a Kubernetes quantity and their
// multipliers.
var quantitySuffixes = []struct {
	suffix string
	num    *big.Rat
}{
	{"Ki", new(big.Rat).SetInt64(1 << 10)},
	{"Mi", new(big.Rat).SetInt64(1 << 20)},
	{"Gi", new(big.Rat).SetInt64(1 << 30)},
	{"Ti", new(big.Rat).SetInt64(1 << 40)},
	{"Pi", new(big.Rat).SetInt64(1 << 50)},
	{"Ei", new(big.Rat).SetInt64(1 << 60)},
	{"n", big.NewRat(1, 1e9)},
	{"u", big.NewRat(1, 1e6)},
	{"m", big.NewRat(1, 1e3)},
	{"k", new(big.Rat).SetInt64(1e3)},
	{"M", new(big.Rat).SetInt64(1e6)},
	{"G", new(big.Rat).SetInt64(1e9)},
	{"T", new(big.Rat).SetInt64(1e12)},
	{"P", new(big.Rat).SetInt64(1e15)},
	{"E", new(big.Rat).SetInt64(1e18)},
}

// parseQuantity reads a Kubernetes resource quantity ("512Mi", "1G",
// "100m", "1e9", "1.5Gi").
func parseQuantity(s string) (*big.Rat, error) {
	num := s
	mult := big.NewRat(1, 1)
	for _, q := range quantitySuffixes {
		if strings.HasSuffix(s, q.suffix) {
			num, mult = strings.TrimSuffix(s, q.suffix), q.num
			break
		}
	}
	if num == "" || strings.ContainsAny(num, " _") {
		return nil, fmt.Errorf("bad quantity %q", s)
	}
	r, ok := new(big.Rat).SetString(num)
	if !ok || r.Sign() < 0 {
		return nil, fmt.Errorf("bad quantity %q", s)
	}
	if f, _ := r.Float64(); math.IsInf(f, 0) {
		return nil, fmt.Errorf("bad quantity %q", s)
	}
	return r.Mul(r, mult), nil
}
