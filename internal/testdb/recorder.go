package testdb

import (
	"io"
	"net"
	"slices"
	"sync"
	"testing"
)

// Recorder is a TCP proxy in front of a test server that keeps the bytes
// clients send through it, for tests that count what a driver says to
// the server (round trips, pings).
type Recorder struct {
	listener
	mu   sync.Mutex
	sent []byte
}

// NewRecorder starts a proxy to the server of the URL serverURL (a
// postgres:// or mysql:// URL), closed when t ends. Use Through to point
// a URL at it.
func NewRecorder(t testing.TB, serverURL string) *Recorder {
	t.Helper()
	r := &Recorder{}
	r.listener = listen(t, serverURL, r.serve, nil)
	return r
}

// serve forwards one client connection both ways, recording what the
// client sends.
func (r *Recorder) serve(client net.Conn, target string) {
	defer client.Close()
	server, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer server.Close()
	go func() {
		io.Copy(client, server)
		client.Close()
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			r.mu.Lock()
			r.sent = append(r.sent, buf[:n]...)
			r.mu.Unlock()
			if _, werr := server.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// Sent returns the bytes clients have sent so far.
func (r *Recorder) Sent() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sent)
}
