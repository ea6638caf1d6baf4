package diff

import (
	"slices"
	"strings"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// tableOptions compares the options of a table both schemas hold (ok is
// its key in from, nk in to). A change of partitioning and a change of
// the options ALTER TABLE sets in place (engine, row format, the other
// CREATE_OPTIONS) and PostgreSQL's CLUSTER ON index are changes; any
// other option difference (character set, PostgreSQL and SQLite storage)
// has no change type and is reported.
func (d *differ) tableOptions(ok, nk tkey, ft, tt *schema.Table) {
	fo, to := ft.Options, tt.Options
	if !fo.Partitioning.Equal(to.Partitioning) {
		if to.Partitioning == nil {
			// Before keys change: a key that leaves out a partitioning
			// column may only come once the partitioning is gone.
			d.add(phDropFK, ok.String(), &change.AlterPartitioning{Table: ok.ref(), From: fo.Partitioning})
		} else {
			// After keys change: every unique key must hold the
			// partitioning columns by then.
			d.add(phTableComment, nk.String(), &change.AlterPartitioning{Table: nk.ref(), From: fo.Partitioning, To: to.Partitioning})
		}
	}
	if fo.Engine != to.Engine || fo.RowFormat != to.RowFormat || !slices.Equal(fo.CreateOptions, to.CreateOptions) {
		d.add(phAlterColumn, nk.String()+"\x00options", &change.SetTableOptions{Table: nk.ref(), From: fo, To: to})
	}
	if fo.ClusterOn != to.ClusterOn {
		// Once the indexes exist (a new one may be the one named), and in
		// the downgrade before the index it names is dropped.
		d.add(phTableComment, nk.String()+"\x00cluster", &change.SetClusterIndex{Table: nk.ref(), From: fo.ClusterOn, To: to.ClusterOn})
	}
	for _, o := range []*schema.TableOptions{&fo, &to} {
		o.Engine, o.RowFormat, o.CreateOptions, o.Partitioning, o.ClusterOn = "", "", nil, nil, ""
	}
	if !optionsEqual(fo, to) {
		d.unsupportedf("table %q: options differ (%s -> %s)", nk.String(), optionsString(fo), optionsString(to))
	}
}

// events compares scheduled events by name (case-insensitive, as MySQL
// names them) and definition. They are dropped with the triggers, before
// anything else changes, and created with them, once every table their
// body may name exists; a changed event is dropped and created again.
func (d *differ) events() {
	key := func(e *schema.Event) string { return normSchema(e.Schema) + "." + strings.ToLower(e.Name) }
	to := map[string]*schema.Event{}
	for _, e := range d.to.Events {
		to[key(e)] = e
	}
	from := map[string]bool{}
	for _, f := range d.from.Events {
		k := key(f)
		from[k] = true
		switch t := to[k]; {
		case t == nil:
			d.add(phDropTrigger, "event\x00"+k, &change.DropEvent{Event: f})
		case t.Definition != f.Definition:
			d.add(phAddTrigger, "event\x00"+k, &change.ReplaceEvent{From: f, To: t})
		}
	}
	for _, t := range d.to.Events {
		if k := key(t); !from[k] {
			d.add(phAddTrigger, "event\x00"+k, &change.AddEvent{Event: t})
		}
	}
}
