package discovery

import (
	"strconv"
	"strings"
)

// ParseEndpoint parses one endpoint spec of service into a validated
// Instance with defaults filled in. A spec is "host:port", optionally
// followed by ";key=value" options:
//
//	10.0.0.1:8080
//	[::1]:9090;weight=3;zone=eu-1a;version=v2
//	api-1.internal:443;id=api-1;health=healthy;meta.pool=blue
//
// Options: id (default: the host:port), weight (1 to MaxWeight; default 1),
// zone, version, health (unknown, healthy, unhealthy) and meta.NAME for
// Metadata[NAME]. Space around the spec and its parts is ignored; an
// unknown or repeated option is an error. Errors name the spec and match
// ErrInvalidInstance and the precise sentinel.
func ParseEndpoint(service, spec string) (Instance, error) {
	spec = strings.TrimSpace(spec)
	hostport, opts, _ := strings.Cut(spec, ";")
	host, port, err := ParseHostPort(strings.TrimSpace(hostport))
	if err != nil {
		return Instance{}, err
	}
	inst := Instance{Service: service, Address: host, Port: port}
	seen := map[string]bool{}
	q := strconv.Quote(spec)
	for opts != "" {
		var opt string
		opt, opts, _ = strings.Cut(opts, ";")
		opt = strings.TrimSpace(opt)
		if opt == "" {
			continue
		}
		key, val, ok := strings.Cut(opt, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok {
			return Instance{}, invalidf(ErrInvalidInstance, "endpoint %s: option %q is not key=value", q, opt)
		}
		if seen[key] {
			return Instance{}, invalidf(ErrInvalidInstance, "endpoint %s: option %q is repeated", q, key)
		}
		seen[key] = true
		if err := inst.setOption(q, key, val); err != nil {
			return Instance{}, err
		}
	}
	if inst.ID == "" {
		inst.ID = inst.HostPort()
	}
	inst = inst.normalized()
	if err := inst.Validate(); err != nil {
		return Instance{}, err
	}
	return inst, nil
}

func (i *Instance) setOption(spec, key, val string) error {
	switch key {
	case "id":
		if val == "" {
			return invalidf(ErrInvalidID, "endpoint %s: id is empty", spec)
		}
		i.ID = val
	case "weight":
		w, err := strconv.Atoi(val)
		if err != nil || w < 1 || w > MaxWeight {
			return invalidf(ErrInvalidWeight, "endpoint %s: weight %q must be a whole number from 1 to %d", spec, val, MaxWeight)
		}
		i.Weight = w
	case "zone":
		i.Zone = val
	case "version":
		i.Version = val
	case "health":
		h, err := ParseHealth(val)
		if err != nil {
			return invalidf(ErrInvalidHealth, "endpoint %s: health %q must be unknown, healthy or unhealthy", spec, val)
		}
		i.Health = h
	default:
		name, ok := strings.CutPrefix(key, "meta.")
		if !ok || name == "" {
			return invalidf(ErrInvalidInstance, "endpoint %s: unknown option %q (want id, weight, zone, version, health or meta.NAME)", spec, key)
		}
		if i.Metadata == nil {
			i.Metadata = map[string]string{}
		}
		i.Metadata[name] = val
	}
	return nil
}

// ParseEndpoints parses the specs of one service with ParseEndpoint and
// rejects duplicate IDs (the same host:port twice, unless given distinct
// ids) with ErrDuplicateID.
func ParseEndpoints(service string, specs ...string) ([]Instance, error) {
	out := make([]Instance, 0, len(specs))
	seen := make(map[string]int, len(specs))
	for n, spec := range specs {
		inst, err := ParseEndpoint(service, spec)
		if err != nil {
			return nil, err
		}
		if first, dup := seen[inst.ID]; dup {
			return nil, &invalidError{
				msg: "discovery: endpoint " + strconv.Quote(strings.TrimSpace(spec)) + " (#" + strconv.Itoa(n+1) +
					"): id " + strconv.Quote(inst.ID) + " repeats endpoint #" + strconv.Itoa(first+1),
				err: ErrDuplicateID,
			}
		}
		seen[inst.ID] = n
		out = append(out, inst)
	}
	return out, nil
}
