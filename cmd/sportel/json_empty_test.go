package main

import (
	"context"
	"strings"
	"testing"

	"sportel/app"
	"sportel/internal/testutil"
)

// An empty result in --json is an empty array, never null: a script
// iterating over it (jq '.[]') must not fail because nothing matched.
func TestTicketsListJSONEmptyIsArray(t *testing.T) {
	path, vars, cfg := openTicketsConfig(t)
	a, err := app.Open(context.Background(), cfg, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	for _, args := range [][]string{
		{"tickets", "list", "--json"},
		{"tickets", "list", "--json", "--failed-jobs"},
		{"tickets", "list", "--json", "--automated"},
	} {
		code, out, errOut := runCmd(t, "", vars, append(args, "--config", path)...)
		if code != 0 || strings.TrimSpace(out) != "[]" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 0 and []", args, code, out, errOut)
		}
	}
}
