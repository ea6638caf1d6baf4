CREATE TABLE audit (
	id INTEGER NOT NULL AUTO_INCREMENT, 
	note TEXT, 
	PRIMARY KEY (id)
);

CREATE TABLE tags (
	id INTEGER NOT NULL AUTO_INCREMENT, 
	label VARCHAR(50) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (label)
);

CREATE TABLE users (
	id INTEGER NOT NULL AUTO_INCREMENT, 
	name VARCHAR(100) NOT NULL, 
	email VARCHAR(200), 
	created DATE, 
	PRIMARY KEY (id)
);

CREATE TABLE posts (
	id INTEGER NOT NULL AUTO_INCREMENT, 
	user_id INTEGER NOT NULL, 
	title VARCHAR(200) NOT NULL, 
	body TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(user_id) REFERENCES users (id)
);

CREATE INDEX ix_posts_title ON posts (title);

CREATE TABLE comments (
	id INTEGER NOT NULL AUTO_INCREMENT, 
	post_id INTEGER NOT NULL, 
	body TEXT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(post_id) REFERENCES posts (id)
);

CREATE TABLE post_tags (
	post_id INTEGER NOT NULL, 
	tag_id INTEGER NOT NULL, 
	PRIMARY KEY (post_id, tag_id), 
	FOREIGN KEY(post_id) REFERENCES posts (id), 
	FOREIGN KEY(tag_id) REFERENCES tags (id)
);

