package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	flag "github.com/spf13/pflag"
)

// envPrefix starts the name of every environment variable the commands
// read.
const envPrefix = "CIO_"

// envName returns the environment variable of a flag: CIO_ and its name in
// upper case with underscores.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// applyEnv sets every flag of fs not given on the command line from its
// environment variable in environ ("NAME=value" entries), if set. A CIO_
// variable that names no flag is an error, so that a misspelling is not
// silently ignored; so is a value the flag rejects, shown with the value.
func applyEnv(fs *flag.FlagSet, environ []string) error {
	known := map[string]*flag.Flag{}
	fs.VisitAll(func(f *flag.Flag) { known[envName(f.Name)] = f })
	var errs []error
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, envPrefix) {
			continue
		}
		f, ok := known[name]
		if !ok {
			errs = append(errs, unknownEnvError(name, known))
			continue
		}
		if f.Changed {
			continue
		}
		if err := f.Value.Set(value); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: invalid value for --%s: %w", name, value, f.Name, err))
			continue
		}
		f.Changed = true
	}
	return errors.Join(errs...)
}

// unknownEnvError reports the CIO_ variable name that no flag reads, with
// the closest known name when one is close enough to be a misspelling.
func unknownEnvError(name string, known map[string]*flag.Flag) error {
	best, bestDist := "", len(name)/3+1
	names := make([]string, 0, len(known))
	for k := range known {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if d := editDistance(name, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best != "" {
		return fmt.Errorf("unknown environment variable %s (did you mean %s?)", name, best)
	}
	return fmt.Errorf("unknown environment variable %s: no flag reads it; unset it or see --help", name)
}

// editDistance is the Levenshtein distance of a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
