package proxy

import (
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestHedgeStaleHammer sends concurrent requests through a route that
// hedges and falls back to the stale cache, to upstreams that answer at
// once, late, or with 500 at random: every answer is the full body of its
// key, fresh or from the cache, or a failure; never a mix or a truncation.
func TestHedgeStaleHammer(t *testing.T) {
	body := func(key string) string { return key + ":" + string(make([]byte, 4096)) }
	h := func(w http.ResponseWriter, r *http.Request) {
		switch rand.IntN(4) {
		case 0:
			w.WriteHeader(500)
			return
		case 1:
			select {
			case <-time.After(20 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
		io.WriteString(w, body(r.URL.Query().Get("k")))
	}
	p := hedgeConfig(t, `{max_attempts: 2, backoff: {initial: 1ms, max: 2ms}, hedge: {delay: 5ms, max_hedges: 2}}
      fallback:
        stale_cache: {ttl: 1s, stale_ttl: 1m}`, "round_robin",
		upstream(t, "a", h), upstream(t, "b", h), upstream(t, "c", h))
	if pol := p.table.Load().routes[0].pol; pol.cache == nil || pol.hedger == nil {
		t.Fatal("the route has no stale cache or no hedger")
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				k := strconv.Itoa((g + i) % 5)
				resp, err := client.Get("http://" + p.Addr() + "/?k=" + k)
				if err != nil {
					errs <- err.Error()
					return
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				switch {
				case err != nil:
					errs <- "read: " + err.Error()
				case resp.StatusCode == 200 && string(b) != body(k):
					errs <- "key " + k + ": wrong body " + strconv.Itoa(len(b)) + " bytes"
				case resp.StatusCode != 200 && resp.StatusCode < 500:
					errs <- "status " + strconv.Itoa(resp.StatusCode)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
