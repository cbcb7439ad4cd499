package agent

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virtengine/sdk/hpc"
)

// TestControlSocketDrains: an operator drains a node of a running controller through its control
// socket; the node learns it from its next ack over DTLS, and undrain reverses it.
func TestControlSocketDrains(t *testing.T) {
	e := newEnv(t)
	path := filepath.Join(t.TempDir(), "ctl.sock")
	srv, err := e.ctrl.ServeControl(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("control socket mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	a := e.agent("n1", key("node/n1"), e.ctrl.PublicKey())
	if err := a.Connect(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if ack, err := a.Beat(ctx(t)); err != nil || ack.Drain {
		t.Fatalf("before drain: %+v %v", ack, err)
	}
	rep, err := Control(ctx(t), path, ControlRequest{Op: OpDrain, Node: "n1"})
	if err != nil || !rep.OK {
		t.Fatalf("drain: %+v %v", rep, err)
	}
	if len(rep.Nodes) != 2 || !rep.Nodes[0].Draining || rep.Nodes[1].Draining {
		t.Fatalf("status after drain: %+v", rep.Nodes)
	}
	if ack, err := a.Beat(ctx(t)); err != nil || !ack.Drain {
		t.Fatalf("drain not in the ack: %+v %v", ack, err)
	}
	if _, err := Control(ctx(t), path, ControlRequest{Op: OpUndrain, Node: "n1"}); err != nil {
		t.Fatal(err)
	}
	if ack, err := a.Beat(ctx(t)); err != nil || ack.Drain {
		t.Fatalf("undrain not in the ack: %+v %v", ack, err)
	}

	// reject twins: an unknown node, an unknown op, a malformed request change nothing
	if _, err := Control(ctx(t), path, ControlRequest{Op: OpDrain, Node: "ghost"}); err == nil || !strings.Contains(err.Error(), "ghost") {
		t.Fatalf("drain of an unknown node: %v", err)
	}
	if _, err := Control(ctx(t), path, ControlRequest{Op: "reboot", Node: "n1"}); err == nil || !strings.Contains(err.Error(), "unknown op") {
		t.Fatalf("unknown op: %v", err)
	}
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	conn.Write([]byte("drain n1\n"))
	buf := make([]byte, 512)
	n, _ := conn.Read(buf)
	conn.Close()
	if !strings.Contains(string(buf[:n]), `"ok":false`) || !strings.Contains(string(buf[:n]), "malformed") {
		t.Fatalf("malformed request answered %q", buf[:n])
	}
	for _, st := range e.ctrl.Status() {
		if st.Draining {
			t.Fatalf("%s draining after refused requests", st.Registration.Node)
		}
	}
	// a second controller cannot take over a live socket; a stale one is replaced
	if _, err := e.ctrl.ServeControl(path, nil); !errors.Is(err, hpc.ErrExists) {
		t.Fatalf("second server on a live socket: %v", err)
	}
	srv.Close()
	if _, err := Control(ctx(t), path, ControlRequest{Op: OpStatus}); err == nil {
		t.Fatal("control request answered after Close")
	}
}
