-- atlas:txmode none
CREATE TABLE tags (id INTEGER PRIMARY KEY, label VARCHAR(50));
