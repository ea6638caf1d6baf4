package schema

// Exclusion is a PostgreSQL exclusion constraint (EXCLUDE USING ...).
type Exclusion struct {
	Name string `json:"name"`
	// Definition is the constraint as pg_get_constraintdef prints it,
	// without its name: "EXCLUDE USING gist (r WITH &&)", with any WHERE
	// and DEFERRABLE clauses.
	Definition string `json:"definition"`
	Comment    string `json:"comment,omitempty"`
}

// Policy is a PostgreSQL row-level security policy (CREATE POLICY).
type Policy struct {
	Schema string `json:"schema,omitempty"`
	Table  string `json:"table"`
	Name   string `json:"name"`
	// Restrictive is AS RESTRICTIVE; a policy is permissive by default.
	Restrictive bool `json:"restrictive,omitempty"`
	// Command is ALL, SELECT, INSERT, UPDATE or DELETE.
	Command string `json:"command"`
	// Roles are the role names the policy applies to, sorted, as SQL
	// (quoted where needed); "PUBLIC" for every role.
	Roles []string `json:"roles"`
	// Using and WithCheck are the expressions as pg_get_expr prints them;
	// "" when the policy has none.
	Using     string `json:"using,omitempty"`
	WithCheck string `json:"with_check,omitempty"`
	Comment   string `json:"comment,omitempty"`
}

// Grant is one privilege held by one grantee on one object the schema
// holds (PostgreSQL GRANT), kept only when the inspection was asked for
// privileges. Only differences from the object's default privileges are
// kept, and none of its owner's.
type Grant struct {
	// Object is the object's SQL designation as GRANT spells it: "TABLE
	// public.t", "SEQUENCE public.s", "SCHEMA app", "FUNCTION
	// public.f(integer)".
	Object string `json:"object"`
	// Grantee is a role name as SQL (quoted where needed), or PUBLIC.
	Grantee string `json:"grantee"`
	// Privilege is one privilege keyword: SELECT, INSERT, USAGE, ...
	Privilege string `json:"privilege"`
	// WithGrantOption is WITH GRANT OPTION.
	WithGrantOption bool `json:"with_grant_option,omitempty"`
	// Revoked marks a privilege the grantee holds by default (PUBLIC's
	// EXECUTE on a function) that was revoked (REVOKE).
	Revoked bool `json:"revoked,omitempty"`
}
