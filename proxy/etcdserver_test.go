package proxy

import (
	"testing"

	"github.com/resilience-go/resilience/internal/etcdtest"
)

// etcdServer is a real etcd started for a test (internal/etcdtest;
// scripts/etcd.sh ensure installs the binary).
type etcdServer = etcdtest.Server

func startEtcd(t *testing.T) *etcdServer { return etcdtest.Start(t) }
