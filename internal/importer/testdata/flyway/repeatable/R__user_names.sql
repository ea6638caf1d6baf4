CREATE VIEW user_names AS SELECT name FROM users;
