package discovery

import (
	"maps"
	"net"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxWeight is the largest weight an instance may have, so that a
// balancer can add up the weights of a million instances in an int64.
const MaxWeight = 1 << 20

// maxNameLen bounds IDs, service names, zones, versions and metadata.
const maxNameLen = 253

// Instance is one network endpoint of a service.
//
// The zero Weight means the default, 1: sources and registries store the
// defaulted value, so instances read back from them always have Weight >=
// 1. Instances handed out by a source (Lookup, Update) are shared
// snapshots: treat them, their slices and their Metadata as read-only.
type Instance struct {
	// ID identifies the instance within its registry or source, whatever
	// its service: 1 to 253 characters, no '/', whitespace or control
	// characters. Static and DNS sources use the host:port.
	ID string `yaml:"id" json:"id"`
	// Service is the name of the service the instance belongs to, with the
	// same rules as ID.
	Service string `yaml:"service" json:"service"`
	// Address is a host name or an IP address, without a port and without
	// brackets ("10.0.0.1", "::1", "fe80::1%eth0", "api-1.internal").
	Address string `yaml:"address" json:"address"`
	// Port is the TCP or UDP port, 1 to 65535.
	Port int `yaml:"port" json:"port"`
	// Weight is the instance's relative share of traffic, 1 to MaxWeight.
	// Zero means 1; a negative weight is an error.
	Weight int `yaml:"weight,omitempty" json:"weight,omitempty"`
	// Zone is the locality (availability zone, rack, region). Empty is
	// allowed.
	Zone string `yaml:"zone,omitempty" json:"zone,omitempty"`
	// Version is the deployed version, for canary routing. Empty is allowed.
	Version string `yaml:"version,omitempty" json:"version,omitempty"`
	// Health is what is known about the instance's health. The zero value
	// is Unknown, which counts as usable.
	Health Health `yaml:"health,omitempty" json:"health,omitempty"`
	// Metadata holds free-form labels. Nil is allowed; keys must not be
	// empty.
	Metadata map[string]string `yaml:"metadata,omitempty" json:"metadata,omitempty"`
}

// HostPort returns "address:port", with brackets around an IPv6 address:
// what net.Dial wants.
func (i Instance) HostPort() string {
	return net.JoinHostPort(i.Address, strconv.Itoa(i.Port))
}

// Validate reports the first malformed field of i, naming it, or nil. A zero
// Weight is valid (it means 1). The error matches ErrInvalidInstance and a
// more precise sentinel (ErrInvalidID, ErrInvalidAddress, ErrInvalidPort,
// ErrInvalidWeight, ErrInvalidHealth).
func (i Instance) Validate() error {
	if err := validName("instance ID", i.ID); err != nil {
		return err
	}
	if err := validName("instance "+strconv.Quote(i.ID)+": Service", i.Service); err != nil {
		return err
	}
	where := "instance " + strconv.Quote(i.ID)
	if err := validHost(i.Address); err != nil {
		return invalidf(ErrInvalidAddress, "%s: Address %s", where, err.Error())
	}
	if i.Port < 1 || i.Port > 65535 {
		return invalidf(ErrInvalidPort, "%s: Port %d must be between 1 and 65535", where, i.Port)
	}
	if i.Weight < 0 || i.Weight > MaxWeight {
		return invalidf(ErrInvalidWeight, "%s: Weight %d must be between 1 and %d (0 means 1)", where, i.Weight, MaxWeight)
	}
	if !i.Health.valid() {
		return invalidf(ErrInvalidHealth, "%s: Health %d must be Unknown, Healthy or Unhealthy", where, i.Health)
	}
	if err := validLabel(where+": Zone", i.Zone); err != nil {
		return err
	}
	if err := validLabel(where+": Version", i.Version); err != nil {
		return err
	}
	for k, v := range i.Metadata {
		if k == "" {
			return invalidf(ErrInvalidInstance, "%s: Metadata has an empty key", where)
		}
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return invalidf(ErrInvalidInstance, "%s: Metadata[%q] is not valid UTF-8", where, k)
		}
	}
	return nil
}

// normalized returns i with the default weight filled in and its own copy
// of Metadata, so later changes to the caller's map do not leak into a
// published snapshot.
func (i Instance) normalized() Instance {
	if i.Weight == 0 {
		i.Weight = 1
	}
	if i.Metadata != nil {
		i.Metadata = maps.Clone(i.Metadata)
	}
	return i
}

// Equal reports whether i and o are the same in every field, Metadata
// compared by content (nil equals empty).
func (i Instance) Equal(o Instance) bool {
	return i.ID == o.ID && i.Service == o.Service && i.Address == o.Address &&
		i.Port == o.Port && i.Weight == o.Weight && i.Zone == o.Zone &&
		i.Version == o.Version && i.Health == o.Health && maps.Equal(i.Metadata, o.Metadata)
}

// validName checks an ID or service name, which become registry keys.
func validName(what, s string) error {
	if s == "" {
		return invalidf(ErrInvalidID, "%s is empty", what)
	}
	if len(s) > maxNameLen {
		return invalidf(ErrInvalidID, "%s is %d bytes long, more than %d", what, len(s), maxNameLen)
	}
	if !utf8.ValidString(s) {
		return invalidf(ErrInvalidID, "%s %q is not valid UTF-8", what, s)
	}
	for _, r := range s {
		if r == '/' || unicode.IsSpace(r) || unicode.IsControl(r) {
			return invalidf(ErrInvalidID, "%s %q must not contain %q", what, s, r)
		}
	}
	return nil
}

// validLabel checks a free-form label such as Zone or Version: empty is
// fine; no control characters, at most maxNameLen bytes.
func validLabel(what, s string) error {
	if len(s) > maxNameLen {
		return invalidf(ErrInvalidInstance, "%s is %d bytes long, more than %d", what, len(s), maxNameLen)
	}
	if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return invalidf(ErrInvalidInstance, "%s %q holds invalid UTF-8 or control characters", what, s)
	}
	return nil
}
