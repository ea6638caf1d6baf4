package testdb

import (
	"net"
	"net/url"
	"sync"
	"testing"
)

// listener is the part HoldProxy and Recorder share: a local TCP listener
// that hands each client connection, with the server's host:port, to
// serve, and stops accepting when t ends. Connections already served end
// when their client or server closes them (a test's handle is closed by
// its own cleanup, which may run after this one).
type listener struct {
	// Addr is the proxy's host:port.
	Addr string
}

// listen starts the listener for the server of serverURL (a postgres://
// or mysql:// URL). stop, when set, runs at cleanup after the listener is
// closed (HoldProxy releases what it holds there).
func listen(t testing.TB, serverURL string, serve func(client net.Conn, server string), stop func()) listener {
	t.Helper()
	u, err := url.Parse(serverURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepting sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		accepting.Wait()
		if stop != nil {
			stop()
		}
	})
	accepting.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c, u.Host)
		}
	})
	return listener{Addr: ln.Addr().String()}
}

// Through returns rawURL with its host and port replaced by the proxy's.
func (l listener) Through(t testing.TB, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = l.Addr
	return u.String()
}
