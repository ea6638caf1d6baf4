package schema

// Event is a MySQL/MariaDB scheduled event (CREATE EVENT).
type Event struct {
	Schema string `json:"schema,omitempty"`
	Name   string `json:"name"`
	// Definition is the complete CREATE EVENT statement, schedule, status,
	// comment and body, without DEFINER or a terminator.
	Definition string `json:"definition"`
}

// Event returns the event with the given schema and name, or nil.
func (s *Schema) Event(schemaName, name string) *Event {
	for _, e := range s.Events {
		if e.Schema == schemaName && e.Name == name {
			return e
		}
	}
	return nil
}
