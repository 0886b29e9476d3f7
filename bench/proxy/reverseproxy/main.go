// Command reverseproxy is the baseline of bench/proxy/run.sh: a plain
// httputil.ReverseProxy with a Transport tuned to keep enough idle
// connections for wrk's 64 connections, and no policies.
package main

import (
	"flag"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:18081", "address to serve on")
	up := flag.String("upstream", "127.0.0.1:18080", "upstream host:port")
	flag.Parse()
	target := &url.URL{Scheme: "http", Host: *up}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        1024,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   false,
	}
	srv := &http.Server{Addr: *addr, Handler: rp, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
