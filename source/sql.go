// Package source loads a desired schema into a database so that it can be
// inspected: the database is the parser (DESIGN.md section 1).
package source

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/sqlsplit"
)

// File is one file of a desired schema.
type File struct {
	// Path is the file's path as it is shown in messages.
	Path string
	// SQL is its content.
	SQL string
}

// ReadSQL reads a desired schema written in SQL: path is one .sql file, or
// a directory whose *.sql files are taken in name order.
func ReadSQL(path string) ([]File, error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("desired schema %s does not exist: create it (retort init writes an empty one) or point --schema at your schema file or directory", path)
		}
		return nil, fmt.Errorf("desired schema: %w", err)
	}
	var paths []string
	if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, fmt.Errorf("desired schema: %w", err)
		}
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".sql") {
				paths = append(paths, filepath.Join(path, e.Name()))
			}
		}
		sort.Strings(paths)
		if len(paths) == 0 {
			return nil, fmt.Errorf("desired schema directory %s has no .sql files", path)
		}
	} else {
		paths = []string{path}
	}
	files := make([]File, 0, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("desired schema: %w", err)
		}
		files = append(files, File{Path: p, SQL: string(b)})
	}
	return files, nil
}

// ApplyError is a statement of the desired schema that the database
// refused.
type ApplyError struct {
	Path string
	Line int
	SQL  string
	Err  error
}

// Error implements error.
func (e *ApplyError) Error() string {
	return fmt.Sprintf("%s:%d: the desired schema does not load: %v\n    %s", e.Path, e.Line, e.Err, strings.ReplaceAll(e.SQL, "\n", "\n    "))
}

// Unwrap returns the database's error.
func (e *ApplyError) Unwrap() error { return e.Err }

// Apply runs the files' statements, in order, on conn.
func Apply(ctx context.Context, conn *sql.Conn, d dialect.Dialect, files []File) error {
	for _, f := range files {
		stmts, err := sqlsplit.Split(f.SQL, d.Splitter())
		if err != nil {
			var se *sqlsplit.SyntaxError
			if errors.As(err, &se) {
				return fmt.Errorf("%s:%d: %s", f.Path, se.Line, se.Msg)
			}
			return fmt.Errorf("%s: %w", f.Path, err)
		}
		for _, st := range stmts {
			if strings.HasPrefix(st.Text, `\`) {
				return fmt.Errorf("%s:%d: psql meta-command %q is not SQL: remove it from the desired schema", f.Path, st.Line, firstLine(st.Text))
			}
			if _, err := conn.ExecContext(ctx, st.Text); err != nil {
				return &ApplyError{Path: f.Path, Line: st.Line, SQL: st.Text, Err: err}
			}
		}
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
