// Command vestream seals or opens stdin to stdout with package envelope alone, the way the
// virtengine CLI does, so that the report can measure the memory of streaming itself apart from the
// CLI binary's other dependencies (OpenCV, CometBFT).
//
//	vestream seal KEYFILE RECIPIENT < in > out
//	vestream open KEYFILE < in > out
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/virtengine/sdk/envelope"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "vestream:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("usage: vestream seal KEYFILE RECIPIENT | open KEYFILE")
	}
	f, err := os.Open(args[1])
	if err != nil {
		return err
	}
	kf, err := envelope.ParseKeyFile(f)
	f.Close()
	if err != nil {
		return err
	}
	in := bufio.NewReaderSize(os.Stdin, 256<<10)
	out := bufio.NewWriterSize(os.Stdout, 256<<10)
	switch args[0] {
	case "seal":
		if len(args) != 3 {
			return fmt.Errorf("seal needs KEYFILE RECIPIENT")
		}
		r, err := envelope.ParseRecipient(args[2])
		if err != nil {
			return err
		}
		w, err := envelope.NewWriter(out, kf.Signers[0], []envelope.Recipient{r}, nil)
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, in); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
	case "open":
		r, err := envelope.NewReader(in, kf.Keyring(), nil)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, r); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown command %q", args[0])
	}
	return out.Flush()
}
