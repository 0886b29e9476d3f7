package balancer

import (
	"fmt"
	"maps"
)

// MaxWeight is the largest Endpoint.Weight accepted.
const MaxWeight = 1 << 20

// Endpoint is one instance of the dependency a Balancer spreads calls over.
// It is a plain value: discovery sources convert their instances into it
// (discovery.Instance has the same fields under the same names, plus some
// the balancer does not need).
type Endpoint struct {
	// ID identifies the endpoint across updates: state such as in-flight
	// counts, latency averages, ejections and health follows the ID. Empty
	// means Addr.
	ID string `yaml:"id" json:"id"`
	// Addr is where to send calls, usually "host:port". Required.
	Addr string `yaml:"addr" json:"addr"`
	// Weight is the endpoint's share relative to the others for the
	// weighted policies (weighted round robin, random, least request, ring
	// hash). Zero means 1; negative or above MaxWeight is an error.
	Weight int `yaml:"weight" json:"weight"`
	// Zone is the endpoint's locality, for zone preference. Empty means
	// unknown: never local.
	Zone string `yaml:"zone" json:"zone"`
	// Metadata holds labels that routing rules select subsets by, such as
	// version=v2. Nil means none. Update copies it.
	Metadata map[string]string `yaml:"metadata" json:"metadata"`
}

// key returns the identity of e: its ID, or its Addr when ID is empty.
func (e Endpoint) key() string {
	if e.ID != "" {
		return e.ID
	}
	return e.Addr
}

// weight returns e's effective weight.
func (e Endpoint) weight() int {
	if e.Weight == 0 {
		return 1
	}
	return e.Weight
}

func (e Endpoint) validate(i int) error {
	if e.Addr == "" {
		return fmt.Errorf("balancer: endpoints[%d] %q: Addr is empty", i, e.ID)
	}
	if e.Weight < 0 || e.Weight > MaxWeight {
		return fmt.Errorf("balancer: endpoints[%d] %q: Weight %d must be in [0, %d]", i, e.key(), e.Weight, MaxWeight)
	}
	return nil
}

// clone returns e with the effective ID and a private copy of Metadata.
func (e Endpoint) clone() Endpoint {
	e.ID = e.key()
	if e.Metadata != nil {
		e.Metadata = maps.Clone(e.Metadata)
	}
	return e
}

// same reports whether a and b describe the same endpoint in every field.
func same(a, b Endpoint) bool {
	return a.ID == b.ID && a.Addr == b.Addr && a.weight() == b.weight() && a.Zone == b.Zone &&
		maps.Equal(a.Metadata, b.Metadata)
}
