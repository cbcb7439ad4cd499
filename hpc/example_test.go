package hpc_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"

	"github.com/virtengine/sdk/hpc"
)

func testKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte(name))
	return ed25519.NewKeyFromSeed(seed[:])
}

// A provider registers a two-node cluster; a tenant submits two jobs; the scheduler starts the first
// and explains why the second waits.
func Example() {
	provider := testKey("provider")
	s := hpc.NewScheduler(hpc.DefaultConfig())
	_ = s.AddCluster(hpc.Cluster{ID: "stockholm", Provider: "kth", Partitions: []hpc.Partition{{Name: "batch"}},
		ProviderKey: provider.Public().(ed25519.PublicKey)})
	for _, n := range []string{"n1", "n2"} {
		reg := hpc.NodeRegistration{Cluster: "stockholm", Node: n, Partition: "batch", Capacity: hpc.Resources{Cores: 32},
			NodeKey: testKey(n).Public().(ed25519.PublicKey), Operator: "op-" + n}
		sr, err := hpc.SignRegistration(reg, provider)
		if err == nil {
			err = s.AddNode(sr)
		}
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	_ = s.AddTenant(hpc.Tenant{ID: "lab", Quota: hpc.Quota{MaxCores: 64}})
	for _, id := range []string{"sim-1", "sim-2"} {
		err := s.Submit(hpc.JobSpec{ID: id, Tenant: "lab", Account: "alice", Partition: "batch", Nodes: 2,
			PerNode: hpc.Resources{Cores: 32}, RuntimeLimitSeconds: 3600, Image: "mpi:latest"}, 0)
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	for _, d := range s.Schedule(10) {
		fmt.Printf("%s %s: %s\n", d.Action, d.Job, d.Reason)
	}
	e, _ := s.Explain("sim-2")
	fmt.Println("sim-2:", e.Message)
	// Priority by hand: size 14000 × (10000 − 3600·10000/604800 = 9941) + fair share 10000 × 10000
	// + QoS normal 20000 × 2500, over 10000 = 28917 (age 10 s rounds to 0 bp).

	// Output:
	// start sim-1: rank 1, priority 28917; clusters stockholm: best fit: the cluster with the fewest idle nodes that fit
	// sim-2: tenant lab quota: 64 of 64 cores in use
}

// A node's heartbeat is accepted once; the same heartbeat again is a replay.
func ExampleRegistry() {
	provider := testKey("provider")
	r, _ := hpc.NewRegistry(hpc.Cluster{ID: "c1", Provider: "p", Partitions: []hpc.Partition{{Name: "batch"}},
		ProviderKey: provider.Public().(ed25519.PublicKey)}, hpc.Timers{})
	reg := hpc.NodeRegistration{Cluster: "c1", Node: "n1", Partition: "batch", Capacity: hpc.Resources{Cores: 8},
		NodeKey: testKey("n1").Public().(ed25519.PublicKey)}
	sr, err := hpc.SignRegistration(reg, provider)
	if err == nil {
		err = r.Register(sr, 1000)
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	hb, err := hpc.SignHeartbeat(hpc.Heartbeat{Cluster: "c1", Node: "n1", Seq: 1, At: 1030, Capacity: hpc.Resources{Cores: 8},
		Health: hpc.HealthOK}, testKey("n1"))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := r.Accept(hb, 1030)
	fmt.Println(c.To, err)
	_, err = r.Accept(hb, 1031)
	fmt.Println(err)
	for _, ch := range r.Tick(1030 + hpc.StaleAfterSeconds) {
		fmt.Println(ch.Node, ch.To, ch.Reason)
	}
	// Output:
	// alive <nil>
	// hpc: replayed or out-of-order message: node n1 seq 1: sequence already seen (replay)
	// n1 stale no heartbeat for 120 s
}

// An approved template renders a SLURM batch script.
func ExampleLibrary_Render() {
	lib := hpc.NewLibrary(testKey("approver").Public().(ed25519.PublicKey))
	t := hpc.BuiltinTemplates()[2] // batch-run
	st, err := hpc.PublishTemplate(t, testKey("publisher"))
	if err == nil {
		err = st.Approve(testKey("approver"))
	}
	if err == nil {
		err = lib.Add(st)
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	script, _, err := lib.Render(hpc.RenderRequest{Template: "batch-run@1", JobName: "hello", Params: map[string]string{"command": "/bin/date"}})
	fmt.Print(script, err, "\n")
	// Output:
	// #!/bin/bash
	// #SBATCH --job-name=hello
	// #SBATCH --partition=batch
	// #SBATCH --nodes=1
	// #SBATCH --ntasks-per-node=1
	// #SBATCH --cpus-per-task=1
	// #SBATCH --mem=1024M
	// #SBATCH --time=00:10:00
	// # template batch-run@1 (batch), image docker.io/library/busybox:1.36
	// srun "/bin/date"
	// <nil>
}
