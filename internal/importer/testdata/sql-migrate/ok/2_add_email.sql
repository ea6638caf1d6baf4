-- +migrate Up
ALTER TABLE users ADD COLUMN email VARCHAR(200);
-- +migrate StatementBegin
INSERT INTO users (id, name, email) VALUES (1, 'semi;colon', 'a@example.com');
-- +migrate StatementEnd

-- +migrate Down
DELETE FROM users WHERE id = 1;
ALTER TABLE users DROP COLUMN email;
