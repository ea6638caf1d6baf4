-- migrate:up transaction:false
CREATE TABLE tags (id INTEGER PRIMARY KEY, label VARCHAR(50));

-- migrate:down transaction:false
DROP TABLE tags;
