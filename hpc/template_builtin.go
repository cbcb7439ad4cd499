package hpc

// BuiltinTemplates are the starter workloads of each kind (unsigned: a publisher signs them and the
// library's approvers approve them before they run).
func BuiltinTemplates() []Template {
	return []Template{
		{Name: "mpi-hello", Version: "1", Kind: KindMPI, Description: "MPI program over all tasks", Image: "docker.io/mpioperator/openmpi:0.5.0",
			Partition: "batch", Nodes: 2, PerNode: Resources{Cores: 4, MemoryMB: 4096}, TimeLimit: 3600,
			Params: []TemplateParam{{Name: "program", Default: "/opt/hello"}},
			Body:   `srun --mpi=pmix "${program}"`},
		{Name: "gpu-train", Version: "1", Kind: KindGPU, Description: "one training script on GPUs", Image: "docker.io/pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime",
			Partition: "gpu", Nodes: 1, PerNode: Resources{Cores: 8, MemoryMB: 32768, GPUs: 1}, TimeLimit: 4 * 3600,
			Params: []TemplateParam{{Name: "script", Required: true}, {Name: "epochs", Default: "10", Pattern: `[0-9]{1,5}`}},
			Body:   `srun python "${script}" --epochs "${epochs}"`},
		{Name: "batch-run", Version: "1", Kind: KindBatch, Description: "a command in a container", Image: "docker.io/library/busybox:1.36",
			Partition: "batch", Nodes: 1, PerNode: Resources{Cores: 1, MemoryMB: 1024}, TimeLimit: 600,
			Params: []TemplateParam{{Name: "command", Default: "true"}},
			Body:   `srun "${command}"`},
		{Name: "data-copy", Version: "1", Kind: KindData, Description: "copy a dataset between object stores", Image: "docker.io/rclone/rclone:1.66",
			Partition: "batch", Nodes: 1, PerNode: Resources{Cores: 2, MemoryMB: 2048}, TimeLimit: 3600,
			Params: []TemplateParam{{Name: "src", Required: true}, {Name: "dst", Required: true}},
			Body:   `srun rclone copy "${src}" "${dst}"`},
		{Name: "notebook", Version: "1", Kind: KindInteractive, Description: "a Jupyter server for the session", Image: "quay.io/jupyter/base-notebook:2024-05-27",
			Partition: "batch", Nodes: 1, PerNode: Resources{Cores: 2, MemoryMB: 4096}, TimeLimit: 2 * 3600,
			Params: []TemplateParam{{Name: "port", Default: "8888", Pattern: `[0-9]{4,5}`}},
			Body:   `srun jupyter lab --no-browser --ip=0.0.0.0 --port="${port}"`},
	}
}
