package main

import (
	"encoding/json"
	"io"

	"github.com/spf13/cobra"
)

// writeJSON writes v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// emit prints v as JSON when --json is set, otherwise calls human to print it for people.
func emit(cmd *cobra.Command, v any, human func(w io.Writer)) error {
	if jsonOut {
		return writeJSON(cmd.OutOrStdout(), v)
	}
	human(cmd.OutOrStdout())
	return nil
}
