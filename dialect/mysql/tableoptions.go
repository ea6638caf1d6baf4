package mysql

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// createOptions fills t's options from information_schema.TABLES
// CREATE_OPTIONS: ROW_FORMAT on its own, "partitioned" for
// inspectPartitions, every other option (KEY_BLOCK_SIZE, STATS_PERSISTENT,
// PAGE_COMPRESSED, ...) as NAME=value. AUTO_INCREMENT is never listed
// there: a table's next value is data, not schema.
func (i *inspector) createOptions(t *schema.Table, opts string) {
	for _, o := range strings.Fields(opts) {
		k, v, _ := strings.Cut(o, "=")
		// MariaDB prints engine-defined options quoted: `page_compressed`='1'.
		k = strings.ToUpper(strings.Trim(k, "`"))
		switch k {
		case "ROW_FORMAT":
			t.Options.RowFormat = strings.ToUpper(v)
		case "PARTITIONED":
			i.partitioned = append(i.partitioned, t.Name)
		default:
			t.Options.CreateOptions = append(t.Options.CreateOptions, k+"="+v)
		}
	}
	slices.Sort(t.Options.CreateOptions)
}

// optionResets are the values that put a table option back to what a
// table created without it has. An option missing here cannot be reset
// in place (Aria's TRANSACTIONAL and PAGE_CHECKSUM keep their value on
// =DEFAULT), and a change that removes it is refused.
var optionResets = map[string]string{
	"MIN_ROWS": "0", "MAX_ROWS": "0", "AVG_ROW_LENGTH": "0", "CHECKSUM": "0",
	"DELAY_KEY_WRITE": "0", "KEY_BLOCK_SIZE": "0",
	"PACK_KEYS": "DEFAULT", "STATS_PERSISTENT": "DEFAULT", "STATS_AUTO_RECALC": "DEFAULT",
	"STATS_SAMPLE_PAGES": "DEFAULT",
}

// formatTableOptions prints the options of formatTable after ROW_FORMAT.
func formatTableOptions(b *strings.Builder, o schema.TableOptions) {
	for _, opt := range o.CreateOptions {
		b.WriteString(" " + opt)
	}
}

// SetTableOptions renders c as one ALTER TABLE: ENGINE, ROW_FORMAT and
// each option To sets or changes, and each option only From has put back
// to its default; nothing when no clause remains.
func (r *renderer) SetTableOptions(c *change.SetTableOptions) error {
	var clauses []string
	if c.From.Engine != c.To.Engine {
		e := c.To.Engine
		if e == "" {
			// The inspector leaves out the server's default engine, so
			// its name is not known here.
			return fmt.Errorf("table %s: the engine goes back to the server's default, whose name the schema does not hold (write this step by hand, naming the engine, e.g. ENGINE=InnoDB): %w", c.Table, errors.ErrUnsupported)
		}
		clauses = append(clauses, "ENGINE="+e)
	}
	if c.From.RowFormat != c.To.RowFormat {
		rf := c.To.RowFormat
		if rf == "" {
			rf = "DEFAULT"
		}
		clauses = append(clauses, "ROW_FORMAT="+rf)
	}
	to := map[string]bool{}
	for _, o := range c.To.CreateOptions {
		to[optionName(o)] = true
		if !slices.Contains(c.From.CreateOptions, o) {
			clauses = append(clauses, o)
		}
	}
	for _, o := range c.From.CreateOptions {
		k := optionName(o)
		if to[k] {
			continue
		}
		reset, ok := optionResets[k]
		if !ok && strings.HasPrefix(strings.TrimPrefix(o, k+"="), "'") {
			reset, ok = "DEFAULT", true // an engine-defined option
		}
		if !ok {
			return fmt.Errorf("table %s: option %s cannot be put back to its default in place (write this step by hand, e.g. recreate the table): %w", c.Table, o, errors.ErrUnsupported)
		}
		clauses = append(clauses, k+"="+reset)
	}
	if len(clauses) > 0 {
		r.emit(r.alter(c.Table, strings.Join(clauses, ", ")))
	}
	return nil
}

func optionName(o string) string {
	k, _, _ := strings.Cut(o, "=")
	return k
}
