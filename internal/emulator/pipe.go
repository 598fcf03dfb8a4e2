package emulator

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"sync"
)

// PipeListener is a net.Listener whose connections come from its own DialContext, in
// process: no port is opened, and any address can be dialed. A connection's
// LocalAddr is the address dialed, so that the edge served on it sees a request to
// 1.2.3.4:80 reached on edge IP 1.2.3.4 (cf.edge.server_ip), as Cloudflare's would.
// The --sandbox routes the sandbox's edge addresses to the emulator's edge so:
//
//	l := emulator.NewPipeListener()
//	go http.Serve(l, em.Edge())
//	client := &http.Client{Transport: l.Transport()}
type PipeListener struct {
	conns     chan net.Conn
	done      chan struct{}
	closeOnce sync.Once
}

// NewPipeListener returns a listener ready to Accept.
func NewPipeListener() *PipeListener {
	return &PipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

// pipeAddr is the address of a pipe end that is not an IP address and port.
type pipeAddr string

func (a pipeAddr) Network() string { return "pipe" }
func (a pipeAddr) String() string  { return string(a) }

// Addr is the listener's own address, which no one dials.
func (l *PipeListener) Addr() net.Addr { return pipeAddr("pipe") }

// Accept waits for the next DialContext, or for Close.
func (l *PipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close makes Accept and DialContext fail; connections made stay open.
func (l *PipeListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return nil
}

// DialContext connects to the listener's server as if address ("1.2.3.4:80",
// "[2001:db8::1]:443", "example.com:443") were where it listens: the server's end has
// that LocalAddr (a *net.TCPAddr when it is an IP address and port). It waits for the
// server to Accept, until ctx ends or the listener is closed.
func (l *PipeListener) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, fmt.Errorf("emulator pipe: dial %s %s: only tcp is routed in process", network, address)
	}
	var local net.Addr = pipeAddr(address)
	if ap, err := netip.ParseAddrPort(address); err == nil {
		local = net.TCPAddrFromAddrPort(ap)
	}
	client, server := bufPipe(pipeAddr("pipe-client"), local)
	select {
	case l.conns <- server:
		return client, nil
	case <-ctx.Done():
		_ = client.Close()
		_ = server.Close()
		return nil, fmt.Errorf("emulator pipe: dial %s: %w", address, ctx.Err())
	case <-l.done:
		_ = client.Close()
		_ = server.Close()
		return nil, fmt.Errorf("emulator pipe: dial %s: %w", address, net.ErrClosed)
	}
}

// Transport is an HTTP transport whose every connection goes through the listener,
// whatever the URL's host (no proxy, no DNS).
func (l *PipeListener) Transport() *http.Transport {
	return &http.Transport{DialContext: l.DialContext, ForceAttemptHTTP2: false}
}
