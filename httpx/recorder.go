package httpx

import (
	"bufio"
	"io"
	"net"
	"net/http"
)

// recorder is the ResponseWriter the server middlewares hand to the next
// handler: it records the status written, so that guards learn the
// outcome and Recover knows whether a 500 can still be sent. It keeps the
// optional interfaces reachable: Unwrap serves http.ResponseController,
// and Flush, Hijack and ReadFrom are forwarded for code that type-asserts
// http.Flusher, http.Hijacker or io.ReaderFrom. Middlewares stacked on one
// request share one recorder.
type recorder struct {
	http.ResponseWriter
	status   int  // the final status written; 0 until then
	hijacked bool // the connection was taken over
}

// record returns w as a recorder: w itself when it already is one.
func record(w http.ResponseWriter) *recorder {
	if r, ok := w.(*recorder); ok {
		return r
	}
	return &recorder{ResponseWriter: w}
}

// wrote reports whether the response has started: its status is sent.
func (r *recorder) wrote() bool { return r.status != 0 || r.hijacked }

// Status returns the status sent, 200 when the handler wrote nothing (as
// net/http then sends), or 0 for a hijacked connection.
func (r *recorder) Status() int {
	switch {
	case r.hijacked:
		return 0
	case r.status == 0:
		return http.StatusOK
	}
	return r.status
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && (code < 100 || code > 199 || code == http.StatusSwitchingProtocols) {
		r.status = code // 1xx informational answers are not the final status
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// ReadFrom keeps the underlying writer's sendfile path for io.Copy.
func (r *recorder) ReadFrom(src io.Reader) (int64, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if rf, ok := r.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(writerOnly{r.ResponseWriter}, src)
}

// writerOnly hides a ReadFrom method, so io.Copy does not recurse.
type writerOnly struct{ io.Writer }

// Flush sends buffered data to the client, when the underlying writer can.
func (r *recorder) Flush() {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}

// Hijack takes over the connection, when the underlying writer allows it
// (HTTP/1.x); otherwise it returns an error matching http.ErrNotSupported.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(r.ResponseWriter).Hijack()
	if err == nil {
		r.hijacked = true
	}
	return conn, rw, err
}

// Unwrap returns the underlying ResponseWriter, for
// http.ResponseController.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

var (
	_ http.Flusher  = (*recorder)(nil)
	_ http.Hijacker = (*recorder)(nil)
	_ io.ReaderFrom = (*recorder)(nil)
)
