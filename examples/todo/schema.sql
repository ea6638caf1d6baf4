-- The desired schema of the todo app (the "models").
CREATE TABLE todos (
    id INTEGER PRIMARY KEY,
    description VARCHAR(200) NOT NULL,
    completed BOOLEAN
);
