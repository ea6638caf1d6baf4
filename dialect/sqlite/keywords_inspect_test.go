package sqlite

import (
	"testing"

	"modernc.org/libc"
	sqlitelib "modernc.org/sqlite/lib"
)

// TestKeywordsComplete asks the SQLite library linked into retort for its
// keyword list (sqlite3_keyword_name) and requires quoteIdentIfNeeded to
// quote every one of them.
func TestKeywordsComplete(t *testing.T) {
	tls := libc.NewTLS()
	defer tls.Close()
	out := tls.Alloc(16)
	defer tls.Free(16)
	n := int(sqlitelib.Xsqlite3_keyword_count(tls))
	if n < 140 {
		t.Fatalf("sqlite3_keyword_count = %d, expected about 147", n)
	}
	for i := range n {
		if rc := sqlitelib.Xsqlite3_keyword_name(tls, int32(i), out, out+8); rc != sqlitelib.SQLITE_OK {
			t.Fatalf("sqlite3_keyword_name(%d) = %d", i, rc)
		}
		kw := string(libc.GoBytes(libc.AtomicLoadPUintptr(out), int(libc.AtomicLoadPInt32(out+8))))
		if got := quoteIdentIfNeeded(kw); got == kw {
			t.Errorf("keyword %s is not quoted", kw)
		}
	}
}
