package agent

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/virtengine/sdk/hpc"
)

// The operator's control channel: a Unix socket next to the controller, mode 0600, so that only the
// controller's own user (or root) can drain nodes. One JSON request and one JSON reply per
// connection, each a line.

// Control operations.
const (
	OpDrain   = "drain"   // stop new work on Node; it learns it from its next ack
	OpUndrain = "undrain" // take new work on Node again
	OpStatus  = "status"  // every node's status
)

// MaxControlBytes bounds a control request.
const MaxControlBytes = 4 << 10

// ControlRequest is an operator's request.
type ControlRequest struct {
	Op   string `json:"op"`
	Node string `json:"node,omitempty"`
}

// ControlReply answers a ControlRequest: OK, or the Error; Nodes holds every node's status.
type ControlReply struct {
	OK    bool             `json:"ok"`
	Error string           `json:"error,omitempty"`
	Nodes []hpc.NodeStatus `json:"nodes,omitempty"`
}

// ControlServer serves a controller's control socket; Close stops it and removes the socket.
type ControlServer struct {
	ln   net.Listener
	path string
	wg   sync.WaitGroup
	// OnRequest, if set before requests arrive (ServeControl's argument), sees every request and its reply.
	onRequest func(ControlRequest, ControlReply)
}

// ServeControl listens on the Unix socket path for operator requests to c (drain, undrain, status).
// The socket is made mode 0600. A socket file left by a controller that is gone is replaced; one that
// still answers is not (ErrExists). onRequest, if set, sees each request and its reply.
func (c *Controller) ServeControl(path string, onRequest func(ControlRequest, ControlReply)) (*ControlServer, error) {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("%w: %s exists and is not a socket", hpc.ErrExists, path)
		}
		if conn, err := net.DialTimeout("unix", path, time.Second); err == nil {
			conn.Close()
			return nil, fmt.Errorf("%w: a controller already serves %s", hpc.ErrExists, path)
		}
		os.Remove(path) // stale: its controller is gone
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("agent: control socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("agent: control socket %s: %w", path, err)
	}
	s := &ControlServer{ln: ln, path: path, onRequest: onRequest}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(10 * time.Second))
				req, rep := s.serve(c, conn)
				b, _ := json.Marshal(rep)
				conn.Write(append(b, '\n'))
				if s.onRequest != nil {
					s.onRequest(req, rep)
				}
			}()
		}
	}()
	return s, nil
}

func (s *ControlServer) serve(c *Controller, conn net.Conn) (ControlRequest, ControlReply) {
	var req ControlRequest
	line, err := bufio.NewReader(io.LimitReader(conn, MaxControlBytes)).ReadBytes('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return req, ControlReply{Error: "read request: " + err.Error()}
	}
	if err := json.Unmarshal(line, &req); err != nil {
		return req, ControlReply{Error: fmt.Sprintf("malformed request (want {\"op\":\"drain\",\"node\":\"ID\"}): %v", err)}
	}
	switch req.Op {
	case OpDrain, OpUndrain:
		if err := c.Drain(req.Node, req.Op == OpDrain); err != nil {
			return req, ControlReply{Error: err.Error()}
		}
	case OpStatus:
	default:
		return req, ControlReply{Error: fmt.Sprintf("unknown op %q: use %s, %s or %s", req.Op, OpDrain, OpUndrain, OpStatus)}
	}
	return req, ControlReply{OK: true, Nodes: c.Status()}
}

// Close stops serving and removes the socket.
func (s *ControlServer) Close() error {
	err := s.ln.Close() // a Unix listener removes its socket file on Close
	s.wg.Wait()
	return err
}

// Control sends one request to the control socket at path and returns the reply; a refused request
// is an error carrying the controller's reason.
func Control(ctx context.Context, path string, req ControlRequest) (ControlReply, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return ControlReply{}, fmt.Errorf("agent: no controller on control socket %s: %w", path, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	b, _ := json.Marshal(req)
	if _, err := conn.Write(append(b, '\n')); err != nil {
		return ControlReply{}, fmt.Errorf("agent: control request: %w", err)
	}
	var rep ControlReply
	if err := json.NewDecoder(conn).Decode(&rep); err != nil {
		return ControlReply{}, fmt.Errorf("agent: control reply: %w", err)
	}
	if !rep.OK {
		return rep, fmt.Errorf("agent: controller refused %s %s: %s", req.Op, req.Node, rep.Error)
	}
	return rep, nil
}
