package drivers_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every driver marks a busy database's errors store.ErrBusy (the store
// contract), by a deferred markBusy in each exported method of its Store
// that returns an error. A method added without it would answer a busy
// database as a real failure (the workspace's 500 instead of 503), and no
// other test would notice: this one reads the drivers' source.
func TestEveryStoreMethodMarksBusy(t *testing.T) {
	// Methods that never meet a busy database.
	exempt := map[string]bool{
		"Close":        true, // closing the pool waits on nothing
		"LockInstance": true, // a lock file beside the database, not SQL
	}
	for _, dir := range []string{"../sqlite", "../postgres"} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			files, err := filepath.Glob(filepath.Join(dir, "*.go"))
			if err != nil {
				t.Fatal(err)
			}
			fset := token.NewFileSet()
			checked := 0
			for _, name := range files {
				if strings.HasSuffix(name, "_test.go") {
					continue
				}
				src, err := os.ReadFile(name)
				if err != nil {
					t.Fatal(err)
				}
				f, err := parser.ParseFile(fset, name, src, 0)
				if err != nil {
					t.Fatal(err)
				}
				for _, decl := range f.Decls {
					fn, ok := decl.(*ast.FuncDecl)
					if !ok || !onStore(fn) || !fn.Name.IsExported() || exempt[fn.Name.Name] || !returnsError(fn) {
						continue
					}
					checked++
					if !defersMarkBusy(fn) {
						t.Errorf("%s: (*Store).%s returns an error but does not begin with `defer markBusy(&err)`", fset.Position(fn.Pos()), fn.Name.Name)
					}
				}
			}
			if checked < 30 {
				t.Errorf("only %d methods checked in %s: the test no longer reads the driver", checked, dir)
			}
		})
	}
}

// onStore reports whether fn is a method of *Store.
func onStore(fn *ast.FuncDecl) bool {
	if fn.Recv == nil || len(fn.Recv.List) != 1 {
		return false
	}
	star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	id, ok := star.X.(*ast.Ident)
	return ok && id.Name == "Store"
}

func returnsError(fn *ast.FuncDecl) bool {
	if fn.Type.Results == nil {
		return false
	}
	last := fn.Type.Results.List[len(fn.Type.Results.List)-1]
	id, ok := last.Type.(*ast.Ident)
	return ok && id.Name == "error"
}

// defersMarkBusy reports whether fn's first statement is
// `defer markBusy(&err)`.
func defersMarkBusy(fn *ast.FuncDecl) bool {
	if fn.Body == nil || len(fn.Body.List) == 0 {
		return false
	}
	d, ok := fn.Body.List[0].(*ast.DeferStmt)
	if !ok {
		return false
	}
	callee, ok := d.Call.Fun.(*ast.Ident)
	if !ok || callee.Name != "markBusy" || len(d.Call.Args) != 1 {
		return false
	}
	u, ok := d.Call.Args[0].(*ast.UnaryExpr)
	if !ok || u.Op != token.AND {
		return false
	}
	arg, ok := u.X.(*ast.Ident)
	return ok && arg.Name == "err"
}
