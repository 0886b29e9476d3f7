package health

import "context"

// Status is a serving status with the values of grpc.health.v1's
// HealthCheckResponse.ServingStatus, so the gRPC health service (grpcx)
// converts it with a cast.
type Status int32

// The serving statuses.
const (
	// StatusUnknown is the zero value: nothing is known yet.
	StatusUnknown Status = 0
	// StatusServing: the service is ready for traffic.
	StatusServing Status = 1
	// StatusNotServing: the service takes no traffic now.
	StatusNotServing Status = 2
	// StatusServiceUnknown: no check has that name.
	StatusServiceUnknown Status = 3
)

// String returns the grpc.health.v1 enum name, e.g. "SERVING".
func (s Status) String() string {
	switch s {
	case StatusServing:
		return "SERVING"
	case StatusNotServing:
		return "NOT_SERVING"
	case StatusServiceUnknown:
		return "SERVICE_UNKNOWN"
	}
	return "UNKNOWN"
}

// Status answers the gRPC health protocol's question for service: the empty
// name is the whole server, which serves while /readyz would pass; any other
// name is the check of that name (or the built-in "shutdown" and
// "startup"), which serves while it passes, critical or not. An unknown
// name is StatusServiceUnknown. It runs the checks as Run does.
func (c *Checker) Status(ctx context.Context, service string) Status {
	if service == "" {
		return servingStatus(c.Run(ctx, ProbeReady).OK)
	}
	res, found := c.runOne(ctx, ProbeLive|ProbeReady|ProbeStartup, service)
	if !found {
		return StatusServiceUnknown
	}
	return servingStatus(res.OK())
}

func servingStatus(ok bool) Status {
	if ok {
		return StatusServing
	}
	return StatusNotServing
}

// runOne runs the check named name if it belongs to one of probes.
func (c *Checker) runOne(ctx context.Context, probes Probe, name string) (Result, bool) {
	if isPseudo(name) {
		for _, r := range c.pseudo(probes) {
			if r.Name == name {
				return r, true
			}
		}
		return Result{}, false
	}
	s := c.lookup(name)
	if s == nil || s.Probes&probes == 0 {
		return Result{}, false
	}
	return s.wait(ctx, s.start(ctx)), true
}
