package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/retortdb/retort/schema"
	"github.com/retortdb/retort/source"
)

// devKeepFormat versions the records of kept dev databases: change it
// whenever what a record holds or how its file is named changes.
const devKeepFormat = 2 // 2: source.Loaded, no SQL

// keptDev is a dev_database that keeps the desired schema loaded between
// runs (GenerateOptions.KeepDevDatabase). A record in the cache directory
// describes the load (source.Describe: no SQL, only names and checksums)
// and holds the fingerprint of the database's inspection then. A run that
// finds the database's inspection equal to the record's reloads only the
// groups of tables whose statements changed (source.PlanReload); any
// other run empties it and loads the files whole. The record is written
// when the run leaves the database holding exactly what was loaded, and
// removed when it may not.
type keptDev struct {
	path   string
	notify func(source.Notice)
	// files are what the database was loaded with in this run; loaded is
	// the fingerprint of its inspection after the load.
	files  []source.File
	loaded string
	// touched is set while something runs on the database after the
	// load (the verification) and cleared when its inspection is the
	// loaded one again.
	touched bool
}

// devRecord is a kept dev database's record file.
type devRecord struct {
	Format      int            `json:"format"`
	Loaded      *source.Loaded `json:"loaded"`
	Fingerprint string         `json:"fingerprint"`
}

// keepsDev reports whether opts ask for a kept dev database that this run
// can keep: a server's dev_database, a cache directory for the record,
// and the whole database (not a drift scoped to one schema).
func keepsDev(opts GenerateOptions) bool {
	return opts.KeepDevDatabase && opts.DevDatabase != nil && opts.DevDatabase.OnServer() && opts.CacheDir != "" && opts.Schema == ""
}

// keptDevFor names the record of opts.DevDatabase: a hash of the
// dialect, the database's URL without its password and the inspection
// settings, under the cache directory.
func (m *Migrator) keptDevFor(opts GenerateOptions) *keptDev {
	h := sha256.New()
	fmt.Fprintf(h, "retort kept dev database\nformat %d\ndialect %s\nurl %s\ninspect %s\n",
		devKeepFormat, m.dialect.Name(), opts.DevDatabase.Redacted(), m.inspectSettings(""))
	notify := opts.Notify
	if notify == nil {
		notify = func(source.Notice) {}
	}
	return &keptDev{path: filepath.Join(opts.CacheDir, "dev", hex.EncodeToString(h.Sum(nil))+".json"), notify: notify}
}

// fingerprint is a SHA-256 of an inspected schema's JSON: equal
// fingerprints, equal inspections.
func fingerprint(s *schema.Schema) (string, error) {
	data, err := json.Marshal(s)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:]), nil
}

// say tells the user, with -v, how the dev database was loaded.
func (k *keptDev) say(msg string) {
	k.notify(source.Notice{Path: "dev_database", Verbose: true, Msg: msg})
}

// read returns the record, nil when there is none or it cannot be used
// (said with -v: the database is then loaded whole, which is always
// right).
func (k *keptDev) read() *devRecord {
	data, err := os.ReadFile(k.path)
	if errors.Is(err, fs.ErrNotExist) {
		k.say("no record of what it holds: loading the desired schema whole")
		return nil
	}
	var r devRecord
	if err == nil {
		err = json.Unmarshal(data, &r)
	}
	if err == nil && (r.Format != devKeepFormat || r.Fingerprint == "") {
		err = fmt.Errorf("format %d: not this record", r.Format)
	}
	if err != nil {
		k.say(fmt.Sprintf("record %s unusable (%v): loading the desired schema whole", k.path, err))
		return nil
	}
	return &r
}

// loadKept loads the desired files into the kept dev database: by a
// reload of what changed when the database still holds what its record
// says, else whole into the emptied database. It returns the inspected
// schema, not yet located in the files.
func (m *Migrator) loadKept(ctx context.Context, sc *scratch, files []source.File, notify func(source.Notice)) (*schema.Schema, error) {
	k := sc.kept
	k.files = files
	if s, ok := m.reloadKept(ctx, sc, files); ok {
		return s, nil
	}
	// The load below may fail half-way: no record until it is done.
	k.forget()
	if err := m.empty(ctx, sc.db); err != nil {
		return nil, fmt.Errorf("dev_database: empty it before use: %w", err)
	}
	if err := m.loadFiles(ctx, sc, files, notify); err != nil {
		return nil, m.explainLoadError(err, files)
	}
	return m.inspectLoaded(ctx, sc)
}

// reloadKept runs the reload of the files that changed since the
// record's, when the database's inspection is the record's. ok is false
// when it did not (the caller loads whole); every reason is said with -v.
func (m *Migrator) reloadKept(ctx context.Context, sc *scratch, files []source.File) (*schema.Schema, bool) {
	k := sc.kept
	rec := k.read()
	if rec == nil {
		return nil, false
	}
	cur, err := m.inspect(ctx, sc.db)
	var fp string
	if err == nil {
		fp, err = fingerprint(cur)
	}
	switch {
	case err != nil:
		k.say(fmt.Sprintf("inspecting it failed (%v): loading the desired schema whole", err))
		return nil, false
	case fp != rec.Fingerprint:
		k.say("it changed since the last run: loading the desired schema whole")
		return nil, false
	}
	plan, err := source.PlanReload(rec.Loaded, files, m.dialect.Splitter())
	if err != nil {
		k.say(fmt.Sprintf("%v", err))
		return nil, false
	}
	if len(plan.Drop)+len(plan.DropViews) == 0 && plan.Tables == 0 {
		k.loaded = fp
		k.say("holds the desired schema already: nothing reloaded")
		return cur, true
	}
	if err := m.runReload(ctx, sc, plan); err != nil {
		k.say(fmt.Sprintf("reload failed (%v): loading the desired schema whole", err))
		return nil, false
	}
	s, err := m.inspectLoaded(ctx, sc)
	if err != nil {
		return nil, false
	}
	dropped := fmt.Sprintf("%d table(s)", len(plan.Drop))
	if len(plan.DropViews) > 0 {
		dropped += fmt.Sprintf(" and %d view(s)", len(plan.DropViews))
	}
	k.say(fmt.Sprintf("reloaded %d of %d statements, after dropping %s", plan.Ran, plan.Of, dropped))
	return s, true
}

// runReload runs plan on one connection of the dev database, closed
// afterwards since the files may have changed its session.
func (m *Migrator) runReload(ctx context.Context, sc *scratch, plan *source.Reload) error {
	conn, err := sc.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return plan.Run(ctx, conn)
}

// inspectLoaded inspects the dev database after a load and notes the
// fingerprint of what it holds.
func (m *Migrator) inspectLoaded(ctx context.Context, sc *scratch) (*schema.Schema, error) {
	s, err := m.inspect(ctx, sc.db)
	if err != nil {
		return nil, fmt.Errorf("inspect the desired schema: %w", err)
	}
	if sc.kept.loaded, err = fingerprint(s); err != nil {
		return nil, err
	}
	return s, nil
}

// settled is called with the inspection of the database after something
// ran on it: when it is the loaded one, the database may be kept.
func (k *keptDev) settled(s *schema.Schema) {
	if fp, err := fingerprint(s); err == nil && fp == k.loaded {
		k.touched = false
	}
}

// keep ends a run: the database holds what was loaded, so the record says
// so; retort's own tables, which the verification made, are dropped. When
// that cannot be said, or the next run could not reload over this load
// anyway (source.Describe refuses it), the database is emptied and the
// record removed, as without KeepDevDatabase.
func (m *Migrator) keep(ctx context.Context, sc *scratch) error {
	k := sc.kept
	loaded, err := source.Describe(k.files, m.dialect.Splitter())
	if k.loaded == "" || k.touched || err != nil {
		k.forget()
		return m.empty(ctx, sc.db)
	}
	for _, t := range []string{m.o.tables.Revisions, m.o.tables.Log} {
		if _, err := sc.db.ExecContext(ctx, "DROP TABLE IF EXISTS "+m.dialect.QuoteIdent(t)); err != nil {
			k.forget()
			return err
		}
	}
	if err := k.write(loaded); err != nil {
		k.say(fmt.Sprintf("record not stored (%v): the next run loads the desired schema whole", err))
	}
	return nil
}

// forget removes the record.
func (k *keptDev) forget() {
	if err := os.Remove(k.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		k.say(fmt.Sprintf("record %s not removed: %v", k.path, err))
	}
}

// write stores the record through a temporary file renamed into place.
func (k *keptDev) write(loaded *source.Loaded) error {
	data, err := json.Marshal(devRecord{Format: devKeepFormat, Loaded: loaded, Fingerprint: k.loaded})
	if err != nil {
		return err
	}
	return writeAtomic(k.path, data)
}
