package memlimit

import (
	"testing"

	"github.com/resilience-go/resilience/internal/leaktest"
)

func TestMain(m *testing.M) { leaktest.VerifyTestMain(m) }
