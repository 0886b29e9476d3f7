package adaptive

import (
	"fmt"
	"math"
)

// PriorityShares says what fraction of the limit each priority may use:
// a call is admitted only while the calls in flight are fewer than
// Limit × its priority's share. With the defaults, sheddable calls are
// refused once half the limit is in use, low ones at 70%, normal ones at
// 90%, and high and critical calls may use all of it, so under overload the
// least important work goes first. Each field's zero value means its
// default; set every field to 1 to ignore priorities.
type PriorityShares struct {
	// Sheddable is the share of PrioritySheddable calls. Zero means 0.5.
	Sheddable float64 `yaml:"sheddable" json:"sheddable"`
	// Low is the share of PriorityLow calls. Zero means 0.7.
	Low float64 `yaml:"low" json:"low"`
	// Normal is the share of PriorityNormal calls. Zero means 0.9.
	Normal float64 `yaml:"normal" json:"normal"`
	// High is the share of PriorityHigh calls. Zero means 1.
	High float64 `yaml:"high" json:"high"`
	// Critical is the share of PriorityCritical calls. Zero means 1.
	Critical float64 `yaml:"critical" json:"critical"`
}

// DefaultPriorityShares returns 0.5, 0.7, 0.9, 1, 1.
func DefaultPriorityShares() PriorityShares {
	return PriorityShares{Sheddable: 0.5, Low: 0.7, Normal: 0.9, High: 1, Critical: 1}
}

func (s PriorityShares) array() [NumPriorities]float64 {
	d := DefaultPriorityShares()
	a := [NumPriorities]float64{s.Sheddable, s.Low, s.Normal, s.High, s.Critical}
	for i, v := range [NumPriorities]float64{d.Sheddable, d.Low, d.Normal, d.High, d.Critical} {
		if a[i] == 0 {
			a[i] = v
		}
	}
	return a
}

// validate checks each share is in (0, 1], zero meaning its default, and
// that a more important priority never gets a smaller share.
func (s PriorityShares) validate() error {
	raw := [NumPriorities]float64{s.Sheddable, s.Low, s.Normal, s.High, s.Critical}
	for i, v := range raw {
		if math.IsNaN(v) || v < 0 || v > 1 {
			return fmt.Errorf("adaptive: Priorities.%s %v must be in (0, 1]", shareField(i), v)
		}
	}
	a := s.array()
	for i := 1; i < NumPriorities; i++ {
		if a[i] < a[i-1] {
			return fmt.Errorf("adaptive: Priorities.%s %v must be >= Priorities.%s %v", shareField(i), a[i], shareField(i-1), a[i-1])
		}
	}
	return nil
}

func shareField(i int) string {
	return [NumPriorities]string{"Sheddable", "Low", "Normal", "High", "Critical"}[i]
}
