package testdb

import (
	"bytes"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// HoldProxy is a TCP proxy in front of a test server that, on a
// connection whose client has sent a marker (a statement's text), holds
// back what the server answers until Release: a test can so cancel a
// client after the server ran the statement but before the client heard
// of it.
type HoldProxy struct {
	listener
	// Seen is closed when a client first sends the marker.
	Seen    chan struct{}
	marker  []byte
	release chan struct{}
	seen    sync.Once
	freed   sync.Once
	mu      sync.Mutex
	packet  []byte
}

// NewHoldProxy starts a proxy to the server of the URL serverURL (a
// postgres:// or mysql:// URL) that holds answers back once a client has
// sent marker; it is released and closed when t ends. Use Through to point
// a URL at it.
func NewHoldProxy(t testing.TB, serverURL, marker string) *HoldProxy {
	t.Helper()
	p := &HoldProxy{Seen: make(chan struct{}), marker: []byte(marker), release: make(chan struct{})}
	p.listener = listen(t, serverURL, p.serve, p.Release)
	return p
}

// Release lets the held answers through; a second call does nothing.
func (p *HoldProxy) Release() { p.freed.Do(func() { close(p.release) }) }

// Packet returns the bytes the client sent in the read that held the
// marker (nil before Seen is closed).
func (p *HoldProxy) Packet() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.packet)
}

// serve forwards one client connection both ways.
func (p *HoldProxy) serve(client net.Conn, target string) {
	defer client.Close()
	server, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer server.Close()
	var held atomic.Bool
	go p.answer(client, server, &held)
	buf := make([]byte, 32<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			if bytes.Contains(buf[:n], p.marker) {
				held.Store(true)
				p.seen.Do(func() {
					p.mu.Lock()
					p.packet = slices.Clone(buf[:n])
					p.mu.Unlock()
					close(p.Seen)
				})
			}
			if _, werr := server.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// answer copies the server's answers to the client, waiting for Release
// once held is set.
func (p *HoldProxy) answer(client, server net.Conn, held *atomic.Bool) {
	defer client.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := server.Read(buf)
		if n > 0 {
			if held.Load() {
				<-p.release
			}
			if _, werr := client.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
