package hpc

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// TemplateKind is the class of a workload template (§8.4).
type TemplateKind string

// Template kinds.
const (
	KindMPI         TemplateKind = "mpi"
	KindGPU         TemplateKind = "gpu"
	KindBatch       TemplateKind = "batch"
	KindData        TemplateKind = "data"
	KindInteractive TemplateKind = "interactive"
)

// TemplateParam is a parameter a template's body uses as ${name}.
type TemplateParam struct {
	Name     string `json:"name"`
	Default  string `json:"default,omitempty"`
	Required bool   `json:"required,omitempty"`
	// Pattern restricts values (anchored); empty means SafeParamPattern. Values never reach a shell
	// unquoted: the body must quote them, and the pattern keeps quotes and metacharacters out.
	Pattern string `json:"pattern,omitempty"`
}

// SafeParamPattern is the default parameter pattern: no whitespace, quotes or shell metacharacters.
const SafeParamPattern = `[A-Za-z0-9._/:=@+,-]{1,256}`

// Template is a workload in the library: resources by default and a job body.
type Template struct {
	Name        string          `json:"name"`
	Version     string          `json:"version"`
	Kind        TemplateKind    `json:"kind"`
	Description string          `json:"description"`
	Image       string          `json:"image"`
	Partition   string          `json:"partition"`
	Nodes       int64           `json:"nodes"`
	PerNode     Resources       `json:"per_node"`
	TimeLimit   int64           `json:"time_limit_s"`
	Params      []TemplateParam `json:"params,omitempty"`
	Body        string          `json:"body"` // shell lines after the #SBATCH header; ${param} substituted
}

const templateMagic = "virtengine/hpc/template/v1\x00"

// Digest is the SHA-256 of the template's canonical encoding: what the publisher signs and the
// approver approves.
func (t *Template) Digest() [32]byte {
	e := enc{b: []byte(templateMagic)}
	for _, s := range []string{t.Name, t.Version, string(t.Kind), t.Description, t.Image, t.Partition} {
		e.str(s)
	}
	e.i64(t.Nodes)
	e.i64(t.PerNode.Cores)
	e.i64(t.PerNode.MemoryMB)
	e.i64(t.PerNode.GPUs)
	e.i64(t.TimeLimit)
	e.u64(uint64(len(t.Params)))
	for _, p := range t.Params {
		e.str(p.Name)
		e.str(p.Default)
		if p.Required {
			e.u8(1)
		} else {
			e.u8(0)
		}
		e.str(p.Pattern)
	}
	e.str(t.Body)
	return sha256.Sum256(e.b)
}

// SignedTemplate is a template signed by its publisher and approved by a library approver.
type SignedTemplate struct {
	Template    Template          `json:"template"`
	Publisher   ed25519.PublicKey `json:"publisher"`
	Signature   []byte            `json:"signature"`    // publisher's signature over "publish" ‖ digest
	Approver    ed25519.PublicKey `json:"approver"`     // nil until approved
	ApprovalSig []byte            `json:"approval_sig"` // approver's signature over "approve" ‖ digest
}

// PublishTemplate signs t as its publisher. A key that is not a 64-byte Ed25519 private key gives
// ErrBadKey.
func PublishTemplate(t Template, publisher ed25519.PrivateKey) (SignedTemplate, error) {
	if err := checkPrivateKey("publisher", publisher); err != nil {
		return SignedTemplate{}, fmt.Errorf("template %s@%s: %w", t.Name, t.Version, err)
	}
	d := t.Digest()
	return SignedTemplate{Template: t, Publisher: publisher.Public().(ed25519.PublicKey),
		Signature: ed25519.Sign(publisher, append([]byte("publish\x00"), d[:]...))}, nil
}

// Approve adds an approver's approval (the library's governance: only approved templates run). A key
// that is not a 64-byte Ed25519 private key gives ErrBadKey and leaves s unchanged.
func (s *SignedTemplate) Approve(approver ed25519.PrivateKey) error {
	if err := checkPrivateKey("approver", approver); err != nil {
		return fmt.Errorf("template %s@%s: %w", s.Template.Name, s.Template.Version, err)
	}
	d := s.Template.Digest()
	s.Approver = approver.Public().(ed25519.PublicKey)
	s.ApprovalSig = ed25519.Sign(approver, append([]byte("approve\x00"), d[:]...))
	return nil
}

var paramName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// Validate checks the template's fields.
func (t *Template) Validate() error {
	switch {
	case !validID(t.Name) || !validID(t.Version) || strings.ContainsAny(t.Name+t.Version, "@ \n"):
		return invalidf("template name and version are required, without spaces or '@'")
	case t.Kind != KindMPI && t.Kind != KindGPU && t.Kind != KindBatch && t.Kind != KindData && t.Kind != KindInteractive:
		return invalidf("template %s: kind %q", t.Name, t.Kind)
	case !validID(t.Partition) || t.Nodes < 1 || t.PerNode.Cores < 1 || !t.PerNode.valid():
		return invalidf("template %s: partition, nodes ≥ 1 and cores ≥ 1 are required", t.Name)
	case t.TimeLimit < MinRuntimeSeconds || t.TimeLimit > MaxRuntimeSeconds:
		return invalidf("template %s: time limit %d s, want %d..%d", t.Name, t.TimeLimit, MinRuntimeSeconds, MaxRuntimeSeconds)
	}
	for i, p := range t.Params {
		if !paramName.MatchString(p.Name) {
			return invalidf("template %s: parameter name %q", t.Name, p.Name)
		}
		for _, q := range t.Params[:i] {
			if q.Name == p.Name {
				return invalidf("template %s: parameter %s twice", t.Name, p.Name)
			}
		}
		if _, err := regexp.Compile("^(?:" + p.pattern() + ")$"); err != nil {
			return invalidf("template %s: parameter %s pattern: %v", t.Name, p.Name, err)
		}
	}
	return nil
}

func (p TemplateParam) pattern() string {
	if p.Pattern == "" {
		return SafeParamPattern
	}
	return p.Pattern
}

// Library holds the approved templates (§8.4). It trusts a fixed set of approver keys.
type Library struct {
	approvers [][]byte
	templates map[string]SignedTemplate // "name@version"
}

// NewLibrary returns a library whose templates must be approved by one of approvers.
func NewLibrary(approvers ...ed25519.PublicKey) *Library {
	l := &Library{templates: map[string]SignedTemplate{}}
	for _, a := range approvers {
		l.approvers = append(l.approvers, append([]byte(nil), a...))
	}
	return l
}

// Add verifies and stores a template. It refuses an unsigned template or a bad publisher signature
// (ErrBadSignature) and a template no trusted approver approved (ErrNotApproved).
func (l *Library) Add(s SignedTemplate) error {
	if err := s.Template.Validate(); err != nil {
		return err
	}
	d := s.Template.Digest()
	if len(s.Publisher) != ed25519.PublicKeySize || !ed25519.Verify(s.Publisher, append([]byte("publish\x00"), d[:]...), s.Signature) {
		return fmt.Errorf("%w: template %s@%s is not signed by its publisher", ErrBadSignature, s.Template.Name, s.Template.Version)
	}
	trusted := false
	for _, a := range l.approvers {
		if string(a) == string(s.Approver) {
			trusted = true
		}
	}
	// the length check first: ed25519.Verify panics on a key of another size (say a nil approver
	// in NewLibrary matching an unapproved template's empty Approver)
	if !trusted || len(s.Approver) != ed25519.PublicKeySize || !ed25519.Verify(s.Approver, append([]byte("approve\x00"), d[:]...), s.ApprovalSig) {
		return fmt.Errorf("%w: template %s@%s has no valid approval from a library approver", ErrNotApproved, s.Template.Name, s.Template.Version)
	}
	l.templates[s.Template.Name+"@"+s.Template.Version] = s
	return nil
}

// Names lists the approved templates as name@version, sorted.
func (l *Library) Names() []string {
	out := make([]string, 0, len(l.templates))
	for k := range l.templates {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
