package demo

import (
	"io"
	"os"
)

// isTerminal reports whether w is a character device, such as a terminal,
// and colour is not disabled by NO_COLOR.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
