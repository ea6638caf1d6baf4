package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	script := filepath.Join(dir, "s.sql")
	body := "BEGIN;\nCREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\nINSERT INTO t VALUES (1, 'a;b');\nCOMMIT;\n"
	if err := os.WriteFile(script, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), db, script); err != nil {
		t.Fatal(err)
	}
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var name string
	if err := conn.QueryRow("SELECT name FROM t WHERE id = 1").Scan(&name); err != nil || name != "a;b" {
		t.Fatalf("row: %q, %v", name, err)
	}

	bad := filepath.Join(dir, "bad.sql")
	if err := os.WriteFile(bad, []byte("CREATE TABLE u (a);\nINSERT INTO nowhere VALUES (1);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), db, bad)
	if err == nil || !strings.Contains(err.Error(), "bad.sql:2: statement 2") || !strings.Contains(err.Error(), "nowhere") {
		t.Fatalf("error %v: want line and statement 2 and the missing table named", err)
	}
}
