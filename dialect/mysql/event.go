package mysql

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// inspectEvents reads the scheduled events from information_schema.EVENTS
// and prints each as the CREATE EVENT statement SHOW CREATE EVENT would,
// without DEFINER. A STARTS equal to CREATED is the server's default (the
// moment of creation) and is left out, so that an event created without
// STARTS compares equal wherever and whenever it is created again.
func (i *inspector) inspectEvents(ctx context.Context) error {
	const q = `SELECT EVENT_NAME, EVENT_DEFINITION, EVENT_TYPE, COALESCE(EXECUTE_AT, ''),
	COALESCE(INTERVAL_VALUE, ''), COALESCE(INTERVAL_FIELD, ''),
	CASE WHEN STARTS = CREATED THEN '' ELSE COALESCE(STARTS, '') END, COALESCE(ENDS, ''),
	STATUS, ON_COMPLETION, COALESCE(EVENT_COMMENT, '')
FROM information_schema.EVENTS
WHERE EVENT_SCHEMA = ?
ORDER BY EVENT_NAME`
	return i.scanAll(ctx, "events", q, func(rows *sql.Rows) error {
		var name, typ, at, every, field, starts, ends, status, completion, comment string
		var body sql.NullString
		if err := rows.Scan(&name, &body, &typ, &at, &every, &field, &starts, &ends, &status, &completion, &comment); err != nil {
			return err
		}
		if !body.Valid {
			return &PrivilegeError{Kind: "event", Name: name, Need: "EVENT"}
		}
		var b strings.Builder
		b.WriteString("CREATE EVENT " + quoteIdentIfNeeded(name) + " ON SCHEDULE ")
		if strings.EqualFold(typ, "ONE TIME") {
			b.WriteString("AT " + formatLiteral(at))
		} else {
			b.WriteString("EVERY " + every + " " + field)
			if starts != "" {
				b.WriteString(" STARTS " + formatLiteral(starts))
			}
			if ends != "" {
				b.WriteString(" ENDS " + formatLiteral(ends))
			}
		}
		b.WriteString(" ON COMPLETION " + strings.ToUpper(completion))
		switch strings.ToUpper(status) {
		case "DISABLED":
			b.WriteString(" DISABLE")
		case "SLAVESIDE_DISABLED":
			b.WriteString(" DISABLE ON SLAVE")
		default:
			b.WriteString(" ENABLE")
		}
		if comment != "" {
			b.WriteString(" COMMENT " + formatLiteral(comment))
		}
		b.WriteString(" DO " + body.String)
		i.s.Events = append(i.s.Events, &schema.Event{Name: name, Definition: b.String()})
		return nil
	})
}

// AddEvent creates c's event as the inspector printed it.
func (r *renderer) AddEvent(c *change.AddEvent) error {
	r.emit(strings.TrimSpace(c.Event.Definition))
	return nil
}

// DropEvent drops c's event.
func (r *renderer) DropEvent(c *change.DropEvent) error {
	r.emit(r.dropEvent(c.Event))
	return nil
}

// ReplaceEvent drops c's old event and creates the new one.
func (r *renderer) ReplaceEvent(c *change.ReplaceEvent) error {
	r.emit(r.dropEvent(c.From), strings.TrimSpace(c.To.Definition))
	return nil
}

func (r *renderer) dropEvent(e *schema.Event) string {
	return "DROP EVENT " + r.table(change.Ref{Schema: e.Schema, Name: e.Name})
}

// formatEvents prints the events after the triggers, by name, in a
// DELIMITER block (a body may be BEGIN ... END).
func formatEvents(b *strings.Builder, events []*schema.Event) {
	sorted := slices.Clone(events)
	slices.SortFunc(sorted, func(a, c *schema.Event) int { return strings.Compare(a.Name, c.Name) })
	defs := make([]string, 0, len(sorted))
	for _, e := range sorted {
		defs = append(defs, e.Definition)
	}
	writeDelimited(b, defs)
}
