package adaptive

import "fmt"

// Algorithm names how a Limiter finds its limit. The zero value means
// AlgorithmGradient. It is a string, so YAML and JSON configs name it
// directly: algorithm: vegas.
type Algorithm string

// The algorithms.
const (
	// AlgorithmGradient compares the short-term round-trip time with the
	// no-load baseline and shrinks the limit by their ratio when latency
	// grows past Gradient.Tolerance, else grows it by a queue allowance;
	// after Netflix's Gradient2. See GradientConfig.
	AlgorithmGradient Algorithm = "gradient"
	// AlgorithmVegas estimates the queue the limit builds,
	// limit × (1 − baseline/rtt), and keeps it between Vegas.Alpha and
	// Vegas.Beta, as TCP Vegas does. See VegasConfig.
	AlgorithmVegas Algorithm = "vegas"
	// AlgorithmAIMD adds to the limit while calls succeed and multiplies it
	// by a backoff ratio when they time out or are dropped, as TCP Reno
	// does. It reacts to loss, not to latency. See AIMDConfig.
	AlgorithmAIMD Algorithm = "aimd"
)

// Algorithms lists every Algorithm.
func Algorithms() []Algorithm {
	return []Algorithm{AlgorithmGradient, AlgorithmVegas, AlgorithmAIMD}
}

func (a Algorithm) orDefault() Algorithm {
	if a == "" {
		return AlgorithmGradient
	}
	return a
}

func (a Algorithm) validate() error {
	switch a.orDefault() {
	case AlgorithmGradient, AlgorithmVegas, AlgorithmAIMD:
		return nil
	}
	s := string(a)
	if len(s) > 32 {
		s = s[:32] + "..."
	}
	return fmt.Errorf("adaptive: Algorithm %q must be gradient, vegas or aimd", s)
}

// algorithm moves a limit, once per window, from what the window's calls
// showed and the no-load round-trip time (ns; 0 when unknown).
type algorithm interface {
	next(limit float64, s sample, baseline float64) float64
}

var (
	_ algorithm = gradient{}
	_ algorithm = vegas{}
	_ algorithm = aimd{}
)

// usesBaseline reports whether the algorithm needs the no-load round-trip
// time, and so the periodic probe that measures it.
func (a Algorithm) usesBaseline() bool {
	return a.orDefault() != AlgorithmAIMD
}
