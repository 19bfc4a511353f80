package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDeviationsDocumented checks that every deviation a comment or message
// of the repository cites ("deviation D5", "(D3)") has its section in
// docs/DEVIATIONS.md, and that the repository cites no specification
// section ("§10") it does not hold.
func TestDeviationsDocumented(t *testing.T) {
	t.Parallel()
	root := repoRoot()
	doc, err := os.ReadFile(filepath.Join(root, "docs", "DEVIATIONS.md"))
	if err != nil {
		t.Fatal(err)
	}
	defined := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^## (D\d+):`).FindAllStringSubmatch(string(doc), -1) {
		defined[m[1]] = true
	}
	if len(defined) != 10 {
		t.Fatalf("docs/DEVIATIONS.md defines %d deviations, want D1 to D10", len(defined))
	}
	cite := regexp.MustCompile(`\b(?:deviations?|[Dd]eviation) (D\d+)|\((D\d+)\)`)
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "gen", "node_modules", "bin":
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(path); ext != ".go" && ext != ".proto" && ext != ".md" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(data)
		rel, _ := filepath.Rel(root, path)
		for _, m := range cite.FindAllStringSubmatch(text, -1) {
			if id := m[1] + m[2]; !defined[id] {
				t.Errorf("%s cites %s, which docs/DEVIATIONS.md does not define", rel, id)
			}
		}
		if rel != filepath.Join("cmd", "cio-transformer", "deviations_doc_test.go") && strings.Contains(text, "§") {
			t.Errorf("%s cites a specification section the repository does not hold", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
