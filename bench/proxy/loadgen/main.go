// Command loadgen is the fixed-rate load generator of bench/proxy/run.sh.
//
// It sends GET requests at a constant rate over a fixed number of HTTP/1.1
// keep-alive connections, and prints the latency percentiles of the
// requests. It is an open model, as wrk2: each connection has its own
// schedule (one request every conns/rate, the connections' schedules
// staggered evenly), and a request is due at its scheduled time whatever
// happened to the previous ones. Two latencies are recorded per request:
//
//   - latency: from the moment the request was due to the end of its
//     response when it was sent late because the previous answer on its
//     connection came after that moment (so the wait a slow server causes
//     is counted: no coordinated omission), else from the moment it was
//     written (so the load generator's own timer lateness is not);
//   - service: from the write of the request to the end of its response.
//
// With -rate 0 it is a closed loop: every connection sends its next
// request as soon as the previous answer is read (as wrk does).
//
// Usage:
//
//	loadgen -url http://127.0.0.1:18082/ -rate 2000 -conns 64 -duration 10s
//
// Output, one line of key=value pairs (durations in milliseconds):
//
//	requests=20000 sent=22000 errors=0 rate=2000.1 conns=64 p50=0.21 p90=0.30 p99=0.55 p999=1.20 max=3.10 service_p50=0.20 service_p99=0.52
//
// Requests due in the warm-up (-warmup, default 1s) are sent (sent counts
// them) but not recorded (requests and rate do not). Errors (a failed connection, a status other than 2xx) are
// counted and the connection is re-dialled.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	target := flag.String("url", "http://127.0.0.1:18080/", "URL to GET")
	rate := flag.Float64("rate", 2000, "requests per second over all connections; 0 means a closed loop")
	conns := flag.Int("conns", 64, "keep-alive connections")
	duration := flag.Duration("duration", 10*time.Second, "how long to send requests, warm-up included")
	warmup := flag.Duration("warmup", time.Second, "requests due in this first part of the run are not recorded")
	flag.Parse()
	if err := run(*target, *rate, *conns, *duration, *warmup); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// sample is one recorded request.
type sample struct{ latency, service time.Duration }

func run(target string, rate float64, conns int, duration, warmup time.Duration) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	if u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("-url %q: want http://host:port/path", target)
	}
	if conns < 1 || rate < 0 || duration <= warmup {
		return errors.New("want -conns >= 1, -rate >= 0 and -duration > -warmup")
	}
	path := u.RequestURI()
	req := []byte("GET " + path + " HTTP/1.1\r\nHost: " + u.Host + "\r\nUser-Agent: loadgen\r\n\r\n")

	start := time.Now()
	end := start.Add(duration)
	var (
		errs    atomic.Int64
		sentN   atomic.Int64
		mu      sync.Mutex
		samples []sample
		wg      sync.WaitGroup
	)
	// period is the time between two requests of one connection.
	period := time.Duration(0)
	if rate > 0 {
		period = time.Duration(float64(conns) / rate * float64(time.Second))
	}
	for k := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &client{addr: u.Host, req: req}
			defer c.close()
			var mine []sample
			next := start.Add(time.Duration(k) * period / time.Duration(conns))
			for next.Before(end) {
				due, sent := next, time.Now()
				from := due // sent late: the previous answer came after due
				if d := due.Sub(sent); d > 0 || rate == 0 {
					time.Sleep(d) // returns at once when d <= 0
					sent = time.Now()
					from = sent // on time: the timer's lateness is ours, not the server's
				}
				next = next.Add(period)
				if rate == 0 {
					next = sent // closed loop: the next request goes when this one is answered
				}
				if err := c.do(); err != nil {
					errs.Add(1)
					c.close()
					continue
				}
				done := time.Now()
				sentN.Add(1)
				if due.Sub(start) >= warmup {
					mine = append(mine, sample{latency: done.Sub(from), service: done.Sub(sent)})
				}
			}
			mu.Lock()
			samples = append(samples, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	report(os.Stdout, samples, sentN.Load(), errs.Load(), duration-warmup, conns)
	return nil
}

// client is one keep-alive connection, dialled on first use and again
// after an error or a "Connection: close".
type client struct {
	addr string
	req  []byte
	conn net.Conn
	br   *bufio.Reader
}

func (c *client) do() error {
	if c.conn == nil {
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			return err
		}
		c.conn = conn
		if c.br == nil {
			c.br = bufio.NewReaderSize(conn, 16<<10)
		} else {
			c.br.Reset(conn)
		}
	}
	if _, err := c.conn.Write(c.req); err != nil {
		return err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.Close {
		c.close()
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

func (c *client) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

func report(w io.Writer, s []sample, sent, errs int64, measured time.Duration, conns int) {
	lat := make([]time.Duration, len(s))
	svc := make([]time.Duration, len(s))
	for i, x := range s {
		lat[i], svc[i] = x.latency, x.service
	}
	slices.Sort(lat)
	slices.Sort(svc)
	ms := func(v []time.Duration, q float64) float64 {
		if len(v) == 0 {
			return 0
		}
		i := min(int(q*float64(len(v))), len(v)-1)
		return float64(v[i]) / float64(time.Millisecond)
	}
	fmt.Fprintf(w, "requests=%d sent=%d errors=%d rate=%.1f conns=%d p50=%.3f p90=%.3f p99=%.3f p999=%.3f max=%.3f service_p50=%.3f service_p99=%.3f\n",
		len(s), sent, errs, float64(len(s))/measured.Seconds(), conns,
		ms(lat, 0.50), ms(lat, 0.90), ms(lat, 0.99), ms(lat, 0.999), ms(lat, 1),
		ms(svc, 0.50), ms(svc, 0.99))
}
