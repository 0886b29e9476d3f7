package etcd

import (
	"testing"

	"github.com/resilience-go/resilience/internal/etcdtest"
)

// etcdServer is a real etcd started for a test (internal/etcdtest).
type etcdServer = etcdtest.Server

func startEtcd(t *testing.T) *etcdServer { return etcdtest.Start(t) }

func freePort(t testing.TB) int { return etcdtest.FreePort(t) }
