-- +goose Up
-- +goose ENVSUB ON
CREATE TABLE ${TABLE_NAME:-settings} (id INTEGER PRIMARY KEY, owner VARCHAR(50) DEFAULT '$OWNER');
-- +goose ENVSUB OFF

-- +goose Down
-- +goose ENVSUB ON
DROP TABLE ${TABLE_NAME:-settings};
-- +goose ENVSUB OFF
