package dialects

import (
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/mysql"
	"github.com/retortdb/retort/dialect/postgres"
	"github.com/retortdb/retort/dialect/sqlite"
)

// Which dialect implements which of dialect's interfaces, in one place:
// the optional ones are found by type assertion at run time, so a method
// whose signature drifts would silently stop being used; these make it a
// compile error of the tests.
var (
	_ dialect.Dialect             = (*mysql.Dialect)(nil)
	_ dialect.ErrorHinter         = (*mysql.Dialect)(nil)
	_ dialect.ForeignKeyRefuser   = (*mysql.Dialect)(nil)
	_ dialect.ImplicitCommitter   = (*mysql.Dialect)(nil)
	_ dialect.LockTimeoutDetector = (*mysql.Dialect)(nil)
	_ dialect.QueryKiller         = (*mysql.Dialect)(nil)
	_ dialect.ServerFitter        = (*mysql.Dialect)(nil)
	_ dialect.ServerLimiter       = (*mysql.Dialect)(nil)
	_ dialect.SessionUserer       = (*mysql.Dialect)(nil)
	_ dialect.SilentDropper       = (*mysql.Dialect)(nil)
	_ dialect.StatementRejecter   = (*mysql.Dialect)(nil)
	_ dialect.TableSizer          = (*mysql.Dialect)(nil)

	_ dialect.Dialect             = (*postgres.Dialect)(nil)
	_ dialect.ErrorHinter         = (*postgres.Dialect)(nil)
	_ dialect.InvalidIndexDropper = (*postgres.Dialect)(nil)
	_ dialect.LockTimeoutDetector = (*postgres.Dialect)(nil)
	_ dialect.OneTripQuerier      = (*postgres.Dialect)(nil)
	_ dialect.SessionUserer       = (*postgres.Dialect)(nil)
	_ dialect.TableLocator        = (*postgres.Dialect)(nil)
	_ dialect.TableSizer          = (*postgres.Dialect)(nil)
	_ dialect.TenantSchemaer      = (*postgres.Dialect)(nil)

	_ dialect.Dialect        = (*sqlite.Dialect)(nil)
	_ dialect.ChangeCounter  = (*sqlite.Dialect)(nil)
	_ dialect.OfflineWrapper = (*sqlite.Dialect)(nil)
	_ dialect.SQLTxBeginner  = (*sqlite.Dialect)(nil)
)
