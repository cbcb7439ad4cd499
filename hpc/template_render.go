package hpc

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// RenderRequest asks for a job script from an approved template; zero resources take the template's.
type RenderRequest struct {
	Template  string            `json:"template"` // "name@version"
	JobName   string            `json:"job_name"`
	Nodes     int64             `json:"nodes,omitempty"`
	PerNode   Resources         `json:"per_node,omitempty"`
	TimeLimit int64             `json:"time_limit_s,omitempty"`
	QoS       string            `json:"qos,omitempty"`
	Params    map[string]string `json:"params,omitempty"`
}

// Render returns the SLURM batch script (sbatch(1) #SBATCH directives, then the body) for an
// approved template, and the resources it asks for.
func (l *Library) Render(r RenderRequest) (string, JobSpec, error) {
	s, ok := l.templates[r.Template]
	if !ok {
		return "", JobSpec{}, fmt.Errorf("%w: template %q is not in the library (approved: %v)", ErrNotApproved, r.Template, l.Names())
	}
	t := s.Template
	if !paramName.MatchString(strings.ReplaceAll(r.JobName, "-", "_")) {
		return "", JobSpec{}, invalidf("job name %q: lower-case letters, digits, '_' and '-'", r.JobName)
	}
	spec := JobSpec{ID: r.JobName, Partition: t.Partition, Nodes: t.Nodes, PerNode: t.PerNode, RuntimeLimitSeconds: t.TimeLimit,
		QoS: r.QoS, Template: r.Template, Image: t.Image}
	if r.Nodes > 0 {
		spec.Nodes = r.Nodes
	}
	if r.PerNode.Cores > 0 {
		spec.PerNode = r.PerNode
	}
	if r.TimeLimit > 0 {
		spec.RuntimeLimitSeconds = r.TimeLimit
	}
	if spec.RuntimeLimitSeconds < MinRuntimeSeconds || spec.RuntimeLimitSeconds > MaxRuntimeSeconds || spec.Nodes > MaxNodesPerJob || !spec.PerNode.valid() {
		return "", JobSpec{}, invalidf("job %s: runtime limit %d..%d s, nodes ≤ %d", r.JobName, MinRuntimeSeconds, MaxRuntimeSeconds, MaxNodesPerJob)
	}
	if r.QoS != "" && !paramName.MatchString(r.QoS) {
		return "", JobSpec{}, invalidf("qos %q", r.QoS)
	}
	body := t.Body
	for _, name := range slices.Sorted(maps.Keys(r.Params)) { // sorted: the error names the same parameter every time
		found := false
		for _, p := range t.Params {
			found = found || p.Name == name
		}
		if !found {
			return "", JobSpec{}, invalidf("template %s has no parameter %q", r.Template, name)
		}
	}
	for _, p := range t.Params {
		v, ok := r.Params[p.Name]
		if !ok {
			if p.Required {
				return "", JobSpec{}, invalidf("template %s needs parameter %s", r.Template, p.Name)
			}
			v = p.Default
		}
		if !regexp.MustCompile("^(?:" + p.pattern() + ")$").MatchString(v) {
			return "", JobSpec{}, invalidf("parameter %s=%q does not match %s", p.Name, v, p.pattern())
		}
		body = strings.ReplaceAll(body, "${"+p.Name+"}", v)
	}
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	fmt.Fprintf(&b, "#SBATCH --job-name=%s\n", r.JobName)
	fmt.Fprintf(&b, "#SBATCH --partition=%s\n", spec.Partition)
	fmt.Fprintf(&b, "#SBATCH --nodes=%d\n", spec.Nodes)
	if t.Kind == KindMPI {
		fmt.Fprintf(&b, "#SBATCH --ntasks-per-node=%d\n", spec.PerNode.Cores)
	} else {
		fmt.Fprintf(&b, "#SBATCH --ntasks-per-node=1\n#SBATCH --cpus-per-task=%d\n", spec.PerNode.Cores)
	}
	if spec.PerNode.MemoryMB > 0 {
		fmt.Fprintf(&b, "#SBATCH --mem=%dM\n", spec.PerNode.MemoryMB)
	}
	if spec.PerNode.GPUs > 0 {
		fmt.Fprintf(&b, "#SBATCH --gres=gpu:%d\n", spec.PerNode.GPUs)
	}
	fmt.Fprintf(&b, "#SBATCH --time=%s\n", slurmTime(spec.RuntimeLimitSeconds))
	if spec.QoS != "" {
		fmt.Fprintf(&b, "#SBATCH --qos=%s\n", spec.QoS)
	}
	if t.Kind == KindInteractive {
		b.WriteString("#SBATCH --signal=B:TERM@60\n")
	}
	fmt.Fprintf(&b, "# template %s (%s), image %s\n", r.Template, t.Kind, t.Image)
	b.WriteString(strings.TrimRight(body, "\n"))
	b.WriteString("\n")
	return b.String(), spec, nil
}

// slurmTime formats seconds as sbatch's --time: "days-hours:minutes:seconds".
func slurmTime(s int64) string {
	d, h, m, sec := s/86400, s/3600%24, s/60%60, s%60
	if d > 0 {
		return fmt.Sprintf("%d-%02d:%02d:%02d", d, h, m, sec)
	}
	return fmt.Sprintf("%02d:%02d:%02d", h, m, sec)
}
