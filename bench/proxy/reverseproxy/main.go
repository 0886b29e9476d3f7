// Command reverseproxy is the baseline of bench/proxy/run.sh: a plain
// httputil.ReverseProxy with a Transport tuned to keep enough idle
// connections for wrk's 64 connections (-idle, default 256 per host), and
// no policies. -idle 0 keeps http.Transport's default of 2 idle
// connections per host, the untuned baseline. -bufpool gives the
// ReverseProxy a sync.Pool of copy buffers of -bufsize bytes (by default it
// allocates a 32 KiB one per request) and -maxconns caps the connections
// per upstream host, to measure what they save. -pprof serves
// net/http/pprof on a second address, for run.sh's PROFILE=1.
package main

import (
	"flag"
	"log"
	"net/http"
	"net/http/httputil"
	_ "net/http/pprof" // on http.DefaultServeMux, served only with -pprof
	"net/url"
	"sync"
	"time"
)

// bufferPool is an httputil.BufferPool of buffers of size bytes.
type bufferPool struct {
	size int
	p    sync.Pool
}

func (b *bufferPool) Get() []byte {
	if v, ok := b.p.Get().(*[]byte); ok {
		return *v
	}
	return make([]byte, b.size)
}

func (b *bufferPool) Put(buf []byte) { b.p.Put(&buf) }

func main() {
	addr := flag.String("listen", "127.0.0.1:18081", "address to serve on")
	up := flag.String("upstream", "127.0.0.1:18080", "upstream host:port")
	idle := flag.Int("idle", 256, "idle connections kept per upstream host; 0 means http.Transport's default (2)")
	pool := flag.Bool("bufpool", false, "reuse the copy buffers through a sync.Pool")
	bufSize := flag.Int("bufsize", 32<<10, "size of the pooled copy buffers (with -bufpool)")
	maxConns := flag.Int("maxconns", 0, "connections per upstream host; 0 means no limit")
	pprofAddr := flag.String("pprof", "", "address to serve /debug/pprof/ on; empty means none")
	flag.Parse()
	if *pprofAddr != "" {
		go func() { log.Println(http.ListenAndServe(*pprofAddr, nil)) }()
	}
	target := &url.URL{Scheme: "http", Host: *up}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        1024,
		MaxIdleConnsPerHost: *idle,
		MaxConnsPerHost:     *maxConns,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   false,
	}
	if *pool {
		rp.BufferPool = &bufferPool{size: max(*bufSize, 512)}
	}
	srv := &http.Server{Addr: *addr, Handler: rp, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
