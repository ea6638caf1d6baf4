-- +migrate Up
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name VARCHAR(100) NOT NULL
);

-- +migrate Down
DROP TABLE users;
