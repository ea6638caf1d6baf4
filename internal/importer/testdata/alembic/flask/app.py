"""A Flask-Migrate project for retort's Alembic import test.

The models are the schema that the migrations build; retort check compares
the imported revisions with them.
"""
import os

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

url = os.environ.get("FLASK_DATABASE_URL", "sqlite:///app.db")
if url.startswith("postgres://"):
    url = "postgresql://" + url[len("postgres://"):]
elif url.startswith("mysql://"):
    url = "mysql+pymysql://" + url[len("mysql://"):]
app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = url
db = SQLAlchemy(app)
migrate = Migrate(app, db, directory=os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrations"))

post_tags = db.Table(
    "post_tags",
    db.Column("post_id", db.Integer, db.ForeignKey("posts.id"), primary_key=True),
    db.Column("tag_id", db.Integer, db.ForeignKey("tags.id"), primary_key=True),
)


class User(db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(100), nullable=False)
    email = db.Column(db.String(200))
    created = db.Column(db.Date)


class Post(db.Model):
    __tablename__ = "posts"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    title = db.Column(db.String(200), nullable=False, index=True)
    body = db.Column(db.Text)


class Tag(db.Model):
    __tablename__ = "tags"
    id = db.Column(db.Integer, primary_key=True)
    label = db.Column(db.String(50), nullable=False, unique=True)


class Comment(db.Model):
    __tablename__ = "comments"
    id = db.Column(db.Integer, primary_key=True)
    post_id = db.Column(db.Integer, db.ForeignKey("posts.id"), nullable=False)
    body = db.Column(db.Text, nullable=False)


class Audit(db.Model):
    __tablename__ = "audit"
    id = db.Column(db.Integer, primary_key=True)
    note = db.Column(db.Text)


if __name__ == "__main__":
    # python3 app.py DIALECT prints the models' schema for retort check.
    import sys

    from sqlalchemy.dialects import mysql, postgresql, sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable

    dialect = {"sqlite": sqlite.dialect(), "postgres": postgresql.dialect(), "mysql": mysql.dialect()}[sys.argv[1]]
    for table in db.metadata.sorted_tables:
        print(str(CreateTable(table).compile(dialect=dialect)).strip() + ";\n")
        for index in sorted(table.indexes, key=lambda i: i.name):
            print(str(CreateIndex(index).compile(dialect=dialect)).strip() + ";\n")
