-- +goose NO TRANSACTION
-- +goose Up
CREATE TABLE tags (id INTEGER PRIMARY KEY, label VARCHAR(50));

-- +goose Down
DROP TABLE tags;
