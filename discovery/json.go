package discovery

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
)

// jsonInstance mirrors Instance with a pointer Weight, so that an explicit
// "weight": 0 is told from a missing weight.
type jsonInstance struct {
	ID       string            `json:"id"`
	Service  string            `json:"service"`
	Address  string            `json:"address"`
	Port     int               `json:"port"`
	Weight   *int              `json:"weight"`
	Zone     string            `json:"zone"`
	Version  string            `json:"version"`
	Health   Health            `json:"health"`
	Metadata map[string]string `json:"metadata"`
}

func (j jsonInstance) instance() (Instance, error) {
	inst := Instance{
		ID: j.ID, Service: j.Service, Address: j.Address, Port: j.Port,
		Zone: j.Zone, Version: j.Version, Health: j.Health, Metadata: j.Metadata,
	}
	if j.Weight != nil {
		if *j.Weight <= 0 {
			return Instance{}, invalidf(ErrInvalidWeight, "instance %q: weight %d must be between 1 and %d (leave it out for 1)", j.ID, *j.Weight, MaxWeight)
		}
		inst.Weight = *j.Weight
	}
	return inst, nil
}

// DecodeJSON decodes the instance list of a discovery file: a JSON array of
// objects with the fields of Instance (id, service, address, port, weight,
// zone, version, health, metadata). Unknown fields, trailing data and an
// explicit weight <= 0 are errors naming the instance's position. It is
// File's default Decode: it only decodes, and File then fills in the
// default service and weight, validates every instance and rejects
// duplicate IDs, whichever Decode produced the list.
func DecodeJSON(data []byte) ([]Instance, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var raw []jsonInstance
	if err := dec.Decode(&raw); err != nil {
		return nil, decodeError("decode JSON instance list", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, invalidf(ErrInvalidInstance, "decode JSON instance list: data after the array")
	}
	out := make([]Instance, 0, len(raw))
	for n, j := range raw {
		inst, err := j.instance()
		if err != nil {
			return nil, positioned(n, err)
		}
		out = append(out, inst)
	}
	return out, nil
}

// prepareList fills in defaultService and the default weight, validates
// every instance and rejects duplicate IDs. It returns a new slice.
func prepareList(list []Instance, defaultService string) ([]Instance, error) {
	out := make([]Instance, 0, len(list))
	for n, inst := range list {
		if inst.Service == "" {
			inst.Service = defaultService
		}
		inst = inst.normalized()
		if err := inst.Validate(); err != nil {
			return nil, positioned(n, err)
		}
		out = append(out, inst)
	}
	if err := checkUnique(out); err != nil {
		return nil, err
	}
	return out, nil
}

// DecodeInstance decodes one JSON instance, as a registry stores it, and
// validates it. Unlike DecodeJSON it ignores unknown fields, so that
// readers keep working when writers add fields.
func DecodeInstance(data []byte) (Instance, error) {
	var j jsonInstance
	if err := json.Unmarshal(data, &j); err != nil {
		return Instance{}, decodeError("decode JSON instance", err)
	}
	inst, err := j.instance()
	if err != nil {
		return Instance{}, err
	}
	inst = inst.normalized()
	if err := inst.Validate(); err != nil {
		return Instance{}, err
	}
	return inst, nil
}

// decodeError wraps a JSON error, keeping the sentinel of one of ours (an
// invalid health name) and the message of any.
func decodeError(what string, err error) error {
	var ie *invalidError
	if errors.As(err, &ie) {
		return &invalidError{msg: "discovery: " + what + ": " + trimPrefix(ie.msg), err: ie.err}
	}
	return invalidf(ErrInvalidInstance, "%s: %v", what, err)
}

// positioned prefixes err's message with the instance's 1-based position,
// keeping what it matches.
func positioned(n int, err error) error {
	return &invalidError{msg: "discovery: instance #" + strconv.Itoa(n+1) + ": " + trimPrefix(err.Error()), err: err}
}

func trimPrefix(msg string) string {
	const p = "discovery: "
	if len(msg) >= len(p) && msg[:len(p)] == p {
		return msg[len(p):]
	}
	return msg
}

// checkUnique rejects a list in which an ID appears twice.
func checkUnique(list []Instance) error {
	seen := make(map[string]int, len(list))
	for n, inst := range list {
		if first, dup := seen[inst.ID]; dup {
			return &invalidError{
				msg: "discovery: instance #" + strconv.Itoa(n+1) + ": id " + strconv.Quote(inst.ID) +
					" repeats instance #" + strconv.Itoa(first+1),
				err: ErrDuplicateID,
			}
		}
		seen[inst.ID] = n
	}
	return nil
}
