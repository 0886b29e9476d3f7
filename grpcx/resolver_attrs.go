package grpcx

import (
	"google.golang.org/grpc/attributes"
	"google.golang.org/grpc/resolver"

	"github.com/resilience-go/resilience/discovery"
)

// instanceKey is the attributes key of the discovery instance behind an
// address or endpoint.
type instanceKey struct{}

// instanceAttr carries an instance in grpc-go attributes. attributes
// compares values with an Equal method when they have one, and with ==
// otherwise, which would panic on the Metadata map.
type instanceAttr struct{ inst discovery.Instance }

// Equal reports whether o is an instanceAttr of an equal instance.
func (a instanceAttr) Equal(o any) bool {
	b, ok := o.(instanceAttr)
	return ok && a.inst.Equal(b.inst)
}

// String names the instance in grpc-go's logs.
func (a instanceAttr) String() string { return a.inst.ID + "@" + a.inst.HostPort() }

// InstanceFromAddress returns the discovery instance that a ResolverBuilder's
// resolver made a into, with its ID, Weight, Zone, Version, Health and
// Metadata; false for an address it did not make. The instance is a shared
// snapshot: do not modify its Metadata.
func InstanceFromAddress(a resolver.Address) (discovery.Instance, bool) {
	return instanceFrom(a.BalancerAttributes)
}

// InstanceFromEndpoint is InstanceFromAddress for an endpoint of the
// resolver's state.
func InstanceFromEndpoint(e resolver.Endpoint) (discovery.Instance, bool) {
	if inst, ok := instanceFrom(e.Attributes); ok {
		return inst, true
	}
	for _, a := range e.Addresses {
		if inst, ok := InstanceFromAddress(a); ok {
			return inst, true
		}
	}
	return discovery.Instance{}, false
}

func instanceFrom(attrs *attributes.Attributes) (discovery.Instance, bool) {
	if a, ok := attrs.Value(instanceKey{}).(instanceAttr); ok {
		return a.inst, true
	}
	return discovery.Instance{}, false
}

// stateOf makes the resolver state of an instance set: one endpoint of one
// address per instance, in the set's order (by ID), the instance in the
// address's BalancerAttributes and the endpoint's Attributes. Balancer
// attributes leave the SubConns alone, so a change of weight or metadata
// does not reconnect. Unhealthy instances are left out unless keep is set.
func stateOf(set []discovery.Instance, keep bool) resolver.State {
	var st resolver.State
	for _, inst := range set {
		if !keep && !inst.Health.Usable() {
			continue
		}
		attrs := attributes.New(instanceKey{}, instanceAttr{inst})
		addr := resolver.Address{Addr: inst.HostPort(), BalancerAttributes: attrs}
		st.Addresses = append(st.Addresses, addr)
		st.Endpoints = append(st.Endpoints, resolver.Endpoint{Addresses: []resolver.Address{addr}, Attributes: attrs})
	}
	return st
}
