package emulator

import (
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// bufPipe is net.Pipe with buffers: a Write returns once its bytes are queued (up to
// maxQueued per direction), so that both ends may write at once, as TLS does when a
// client refuses a certificate while the server is still sending its handshake. With
// net.Pipe's synchronous writes that stalls both until a deadline.
func bufPipe(a, b net.Addr) (net.Conn, net.Conn) {
	ab, ba := newQueue(), newQueue()
	return &pipeConn{in: ba, out: ab, local: a, remote: b}, &pipeConn{in: ab, out: ba, local: b, remote: a}
}

// maxQueued bounds what one direction holds unread.
const maxQueued = 1 << 20

// queue is one direction's bytes, and its state, guarded by mu. changed is closed
// and replaced at every change, waking whoever waits on it.
type queue struct {
	mu      sync.Mutex
	buf     []byte
	closed  bool // either end closed: no more bytes will come
	changed chan struct{}
}

func newQueue() *queue { return &queue{changed: make(chan struct{})} }

// notify wakes the waiters. Call with mu held.
func (q *queue) notify() {
	close(q.changed)
	q.changed = make(chan struct{})
}

func (q *queue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		q.notify()
	}
}

// pipeConn is one end: it reads in, writes out.
type pipeConn struct {
	in, out       *queue
	local, remote net.Addr

	dmu                         sync.Mutex
	readDeadline, writeDeadline time.Time
	deadlineChanged             chan struct{} // closed when a deadline is set
}

// wait blocks until ch is closed, the deadline passes (os.ErrDeadlineExceeded) or it
// is changed (nil: look again).
func (c *pipeConn) wait(ch <-chan struct{}, write bool) error {
	c.dmu.Lock()
	d := c.readDeadline
	if write {
		d = c.writeDeadline
	}
	if c.deadlineChanged == nil {
		c.deadlineChanged = make(chan struct{})
	}
	changed := c.deadlineChanged
	c.dmu.Unlock()
	var timeout <-chan time.Time
	if !d.IsZero() {
		left := time.Until(d)
		if left <= 0 {
			return os.ErrDeadlineExceeded
		}
		t := time.NewTimer(left)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-ch:
	case <-changed:
	case <-timeout:
		return os.ErrDeadlineExceeded
	}
	return nil
}

func (c *pipeConn) Read(p []byte) (int, error) {
	for {
		q := c.in
		q.mu.Lock()
		if len(q.buf) > 0 {
			n := copy(p, q.buf)
			q.buf = q.buf[n:]
			q.notify()
			q.mu.Unlock()
			return n, nil
		}
		if q.closed {
			q.mu.Unlock()
			return 0, io.EOF
		}
		ch := q.changed
		q.mu.Unlock()
		if err := c.wait(ch, false); err != nil {
			return 0, err
		}
	}
}

func (c *pipeConn) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		q := c.out
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return written, io.ErrClosedPipe
		}
		if room := maxQueued - len(q.buf); room > 0 {
			n := min(room, len(p)-written)
			q.buf = append(q.buf, p[written:written+n]...)
			written += n
			q.notify()
			q.mu.Unlock()
			continue
		}
		ch := q.changed
		q.mu.Unlock()
		if err := c.wait(ch, true); err != nil {
			return written, err
		}
	}
	return written, nil
}

// Close ends both directions: the peer reads what was queued, then EOF.
func (c *pipeConn) Close() error {
	c.out.close()
	c.in.close()
	return nil
}

func (c *pipeConn) LocalAddr() net.Addr  { return c.local }
func (c *pipeConn) RemoteAddr() net.Addr { return c.remote }

func (c *pipeConn) SetDeadline(t time.Time) error {
	c.setDeadline(&t, &t)
	return nil
}

func (c *pipeConn) SetReadDeadline(t time.Time) error {
	c.setDeadline(&t, nil)
	return nil
}

func (c *pipeConn) SetWriteDeadline(t time.Time) error {
	c.setDeadline(nil, &t)
	return nil
}

func (c *pipeConn) setDeadline(read, write *time.Time) {
	c.dmu.Lock()
	defer c.dmu.Unlock()
	if read != nil {
		c.readDeadline = *read
	}
	if write != nil {
		c.writeDeadline = *write
	}
	if c.deadlineChanged != nil {
		close(c.deadlineChanged)
	}
	c.deadlineChanged = make(chan struct{})
}
