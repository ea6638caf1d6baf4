-- migrate:up
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name VARCHAR(100) NOT NULL
);

-- migrate:down
DROP TABLE users;
