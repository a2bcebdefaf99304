package mailauthtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Script writes an executable shell script with body and returns its path;
// the token command runs it directly, without a shell of Sportel's.
func Script(t testing.TB, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "token.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	return p
}

// Command writes a token command whose n-th run prints outputs[n-1] (the
// last one from then on), and returns its path and a count of its runs so
// far. Outputs must not contain a single quote.
func Command(t testing.TB, outputs ...string) (path string, runs func() int) {
	t.Helper()
	counter := filepath.Join(t.TempDir(), "runs")
	var b strings.Builder
	fmt.Fprintf(&b, "n=$(cat %s 2>/dev/null || echo 0); n=$((n+1)); echo $n > %s\ncase $n in\n", counter, counter)
	for i, o := range outputs {
		fmt.Fprintf(&b, "%d) printf '%%s' '%s' ;;\n", i+1, o)
	}
	fmt.Fprintf(&b, "*) printf '%%s' '%s' ;;\nesac", outputs[len(outputs)-1])
	return Script(t, b.String()), func() int {
		data, err := os.ReadFile(counter)
		if err != nil {
			return 0
		}
		n, _ := strconv.Atoi(strings.TrimSpace(string(data)))
		return n
	}
}
