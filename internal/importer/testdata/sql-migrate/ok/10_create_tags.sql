-- +migrate Up notransaction
CREATE TABLE tags (id INTEGER PRIMARY KEY, label VARCHAR(50));

-- +migrate Down
DROP TABLE tags;
