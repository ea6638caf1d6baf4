package diff

import (
	"errors"
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

func withOptions(t *schema.Table, o schema.TableOptions) *schema.Table { t.Options = o; return t }

func byRange(parts ...string) *schema.Partitioning {
	p := &schema.Partitioning{Method: "RANGE", Expr: "`y`"}
	for k := 0; k+1 < len(parts); k += 2 {
		p.Partitions = append(p.Partitions, &schema.Partition{Name: parts[k], Values: parts[k+1]})
	}
	return p
}

func describeChanges(cs []change.Change) string {
	d := make([]string, len(cs))
	for i, c := range cs {
		d[i] = c.Describe()
	}
	return strings.Join(d, "\n")
}

// Options ALTER TABLE sets in place are a change; the others stay
// differences no change expresses, named.
func TestTableOptionsChange(t *testing.T) {
	from := sch(withOptions(table("t", col("id", "int")), schema.TableOptions{CreateOptions: []string{"KEY_BLOCK_SIZE=8"}}))
	to := sch(withOptions(table("t", col("id", "int")), schema.TableOptions{RowFormat: "COMPRESSED", CreateOptions: []string{"KEY_BLOCK_SIZE=4"}}))
	cs, err := Compare(from, to, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 {
		t.Fatalf("changes:\n%s", describeChanges(cs))
	}
	if c, ok := cs[0].(*change.SetTableOptions); !ok || c.To.CreateOptions[0] != "KEY_BLOCK_SIZE=4" || c.From.CreateOptions[0] != "KEY_BLOCK_SIZE=8" {
		t.Errorf("got %#v", cs[0])
	}

	to.Tables[0].Options.Charset = "latin1"
	_, err = Compare(from, to, Options{})
	var ue *UnsupportedError
	if !errors.As(err, &ue) || len(ue.Differences) != 1 || !strings.Contains(ue.Differences[0], `table "t": options differ (defaults -> charset=latin1)`) {
		t.Errorf("a charset change: got %v, want one unsupported difference naming the charset only", err)
	}
}

// Partitioning comes after the keys change and goes before them: every
// unique key of a partitioned table must hold the partitioning columns.
func TestPartitioningOrder(t *testing.T) {
	plain := sch(pk(table("t", col("id", "int"), notNull(col("y", "int"))), "id"))
	parted := sch(withOptions(pk(table("t", col("id", "int"), notNull(col("y", "int"))), "id", "y"),
		schema.TableOptions{Partitioning: byRange("p0", "2000", "p1", "3000")}))
	cs, err := Compare(plain, parted, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "removed primary key on 't'\nadded primary key [id y] on 't'\npartitioned table 't' by RANGE"
	if got := describeChanges(cs); got != want {
		t.Errorf("partitioning added:\n%s\nwant\n%s", got, want)
	}
	cs, err = Compare(parted, plain, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want = "removed partitioning of table 't'\nremoved primary key on 't'\nadded primary key [id] on 't'"
	if got := describeChanges(cs); got != want {
		t.Errorf("partitioning removed:\n%s\nwant\n%s", got, want)
	}

	more := sch(withOptions(pk(table("t", col("id", "int"), notNull(col("y", "int"))), "id", "y"),
		schema.TableOptions{Partitioning: byRange("p1", "3000", "p2", "4000")}))
	cs, err = Compare(parted, more, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := describeChanges(cs), "changed partitions of table 't' (added p2; removed p0)"; got != want {
		t.Errorf("partitions changed: %q, want %q", got, want)
	}
}

// Events are matched by name whatever its case, and compared by
// definition.
func TestEvents(t *testing.T) {
	ev := func(name, def string) *schema.Event { return &schema.Event{Name: name, Definition: def} }
	from := &schema.Schema{Events: []*schema.Event{ev("Keep", "CREATE EVENT Keep 1"), ev("gone", "CREATE EVENT gone"), ev("moved", "CREATE EVENT moved 1")}}
	to := &schema.Schema{Events: []*schema.Event{ev("keep", "CREATE EVENT Keep 1"), ev("moved", "CREATE EVENT moved 2"), ev("new", "CREATE EVENT new")}}
	cs, err := Compare(from, to, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "removed event 'gone'\nchanged event 'moved'\nadded event 'new'"
	if got := describeChanges(cs); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if !Equal(from, from) || Equal(from, to) {
		t.Error("Equal ignores events")
	}
}
