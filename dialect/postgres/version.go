package postgres

import (
	"fmt"
	"strconv"

	"github.com/retortdb/retort/dialect/internal/sqlx"
)

// version reads ServerVersion: the server's major version ("15").
var version = sqlx.Version{Query: "SHOW server_version_num", Name: majorVersion}

// majorVersion names the major version of server_version_num s: from 10
// on, s is major*10000 + minor; before, major*10000 + minor*100 + patch
// with a two-part major ("9.6").
func majorVersion(s string) (string, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return "", fmt.Errorf("read the server version: server_version_num %q: %w", s, err)
	}
	if n < 100000 {
		return fmt.Sprintf("%d.%d", n/10000, n/100%100), nil
	}
	return strconv.Itoa(n / 10000), nil
}
