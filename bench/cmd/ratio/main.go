// Command ratio summarises `go test -bench` output by area: for each
// benchmark name minus its last /impl element (the -cpu suffix kept), it
// prints the median ns/op and allocs/op of every implementation and the
// ratio of the best peer's median ns/op to ours ("resilience"): above 1
// means ours is faster.
//
// Usage: go run ./cmd/ratio [-md] results/latest.txt
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// ours is the implementation name of resilience-go's own benchmarks.
const ours = "resilience"

type samples struct {
	ns, allocs []float64
}

type area struct {
	name  string
	impls map[string]*samples
	order []string
}

var cpuSuffix = regexp.MustCompile(`-\d+$`)

func main() {
	md := flag.Bool("md", false, "print a Markdown table")
	flag.Parse()
	in := io.Reader(os.Stdin)
	if flag.NArg() > 0 {
		f, err := os.Open(flag.Arg(0))
		if err != nil {
			fmt.Fprintln(os.Stderr, "ratio:", err)
			os.Exit(1)
		}
		defer f.Close()
		in = f
	}
	areas, err := parse(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ratio:", err)
		os.Exit(1)
	}
	if *md {
		printMarkdown(os.Stdout, areas)
	} else {
		printText(os.Stdout, areas)
	}
}

// parse reads benchmark result lines and groups them by area and impl.
func parse(r io.Reader) ([]*area, error) {
	byName := map[string]*area{}
	var areas []*area
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		full := f[0]
		cpu := cpuSuffix.FindString(full)
		base := strings.TrimSuffix(full, cpu)
		i := strings.LastIndex(base, "/")
		if i < 0 {
			continue // not an <Area>/<impl> benchmark
		}
		aname, impl := strings.TrimPrefix(base[:i], "Benchmark")+cpu, base[i+1:]
		var ns, allocs float64 = -1, -1
		for j := 2; j+1 < len(f); j += 2 {
			v, err := strconv.ParseFloat(f[j], 64)
			if err != nil {
				continue
			}
			switch f[j+1] {
			case "ns/op":
				ns = v
			case "allocs/op":
				allocs = v
			}
		}
		if ns < 0 {
			continue
		}
		a := byName[aname]
		if a == nil {
			a = &area{name: aname, impls: map[string]*samples{}}
			byName[aname] = a
			areas = append(areas, a)
		}
		s := a.impls[impl]
		if s == nil {
			s = &samples{}
			a.impls[impl] = s
			a.order = append(a.order, impl)
		}
		s.ns = append(s.ns, ns)
		if allocs >= 0 {
			s.allocs = append(s.allocs, allocs)
		}
	}
	return areas, sc.Err()
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return -1
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// bestPeer returns the fastest implementation that is not ours.
func (a *area) bestPeer() (string, float64) {
	best, bestNs := "", -1.0
	for _, impl := range a.order {
		if strings.HasPrefix(impl, ours) {
			continue
		}
		if ns := median(a.impls[impl].ns); bestNs < 0 || ns < bestNs {
			best, bestNs = impl, ns
		}
	}
	return best, bestNs
}

// ratio is best-peer ns/op over ours, or "-" when either is missing.
func (a *area) ratio() string {
	s := a.impls[ours]
	_, peer := a.bestPeer()
	if s == nil || peer < 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", peer/median(s.ns))
}

func format(v float64) string {
	switch {
	case v < 0:
		return "-"
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func printText(w io.Writer, areas []*area) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "area\timpl\tns/op (median)\tallocs/op\t")
	for _, a := range areas {
		for _, impl := range a.order {
			s := a.impls[impl]
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", a.name, impl, format(median(s.ns)), format(median(s.allocs)))
		}
		peer, _ := a.bestPeer()
		fmt.Fprintf(tw, "%s\tbest peer %s\tratio best-peer/ours\t%s\t\n", a.name, peer, a.ratio())
	}
	tw.Flush()
}

func printMarkdown(w io.Writer, areas []*area) {
	fmt.Fprintln(w, "| area | impl | ns/op | allocs/op | best peer / ours |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|")
	for _, a := range areas {
		for i, impl := range a.order {
			s := a.impls[impl]
			r := ""
			if i == 0 {
				r = a.ratio()
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", a.name, impl, format(median(s.ns)), format(median(s.allocs)), r)
		}
	}
}
