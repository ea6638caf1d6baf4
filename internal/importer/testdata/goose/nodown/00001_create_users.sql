-- +goose Up
CREATE TABLE users (id INTEGER PRIMARY KEY);
