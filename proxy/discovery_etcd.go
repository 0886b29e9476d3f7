package proxy

import (
	"github.com/resilience-go/resilience/config"
	"github.com/resilience-go/resilience/discovery"
	"github.com/resilience-go/resilience/discovery/etcd"
)

// etcdSource returns the etcd registry that watches the instances of a
// cluster's service. It copies config.EtcdDiscovery field by field onto
// etcd.Config (TTL, which only registrations use, keeps its default). The
// registry connects lazily, so this does not wait for etcd; the cluster
// closes it, which ends its watcher and closes its connections.
func etcdSource(name string, e *config.EtcdDiscovery) (discovery.Source, string, error) {
	service := e.Service
	if service == "" {
		service = name
	}
	reg, err := etcd.New(etcd.Config{
		Name:              name,
		Endpoints:         e.Endpoints,
		Prefix:            e.Prefix,
		DialTimeout:       e.DialTimeout,
		OpTimeout:         e.OpTimeout,
		RetryInterval:     e.RetryInterval,
		MaxReconnectDelay: e.MaxReconnectDelay,
		Username:          e.Username,
		Password:          e.Password,
	})
	if err != nil {
		return nil, "", err
	}
	return reg, service, nil
}
