// Command upstream is the origin server of bench/proxy/run.sh: it answers
// every request with a small fixed body, as fast as net/http allows.
//
// GET /_accepts answers the number of connections accepted so far, so that
// run.sh can count how many connections a proxy opened to it during a run.
package main

import (
	"flag"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
)

// countingListener counts the connections it accepts.
type countingListener struct {
	net.Listener
	n atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

func main() {
	addr := flag.String("listen", "127.0.0.1:18080", "address to serve on")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	cl := &countingListener{Listener: ln}
	body := []byte("hello from upstream\n")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		if r.URL.Path == "/_accepts" {
			_, _ = w.Write(strconv.AppendInt(nil, cl.n.Load(), 10))
			return
		}
		_, _ = w.Write(body)
	})
	log.Fatal(http.Serve(cl, h))
}
