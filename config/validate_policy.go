package config

func (v *validator) retry(path string, r *RetryPolicy) {
	v.policy(path, &r.Config)
	nonNegative(v, path+".per_try_timeout", r.PerTryTimeout)
	for i, s := range r.RetryOnStatus {
		if s < 100 || s > 599 {
			v.errf(index(path+".retry_on_status", i), "%d is not an HTTP status (100..599)", s)
		}
	}
	if r.Budget != nil {
		v.policy(path+".budget", r.Budget)
	}
	if r.Hedge != nil {
		v.policy(path+".hedge", r.Hedge)
	}
}

func (v *validator) rateLimit(path string, r *RateLimitPolicy, haveRedis bool) {
	v.oneOf(path, true, "a rate limit takes one limiter",
		choice{"local", r.Local != nil}, choice{"window", r.Window != nil},
		choice{"keyed", r.Keyed != nil}, choice{"redis", r.Redis != nil})
	if r.Local != nil {
		v.policy(path+".local", r.Local)
	}
	if r.Window != nil {
		v.policy(path+".window", r.Window)
	}
	if r.Keyed != nil {
		v.policy(path+".keyed", r.Keyed)
		if r.Key == nil {
			v.errf(path+".key", "is required with keyed: say what to count per (source: header or ip)")
		}
	}
	if r.Redis != nil {
		v.policy(path+".redis", r.Redis)
		if !haveRedis {
			v.errf(path+".redis", "needs the Redis server: set redis.url at the top level")
		}
	}
	if r.Key != nil {
		if r.Keyed == nil && r.Redis == nil {
			v.errf(path+".key", "applies only to keyed and redis limits")
		}
		v.keySource(path+".key", r.Key)
	}
}

// keySource checks what a keyed limit or a hash counts per.
func (v *validator) keySource(path string, k *KeySource) {
	switch k.Source {
	case "header":
		if !validToken(k.Header) {
			if k.Header == "" {
				v.errf(path+".header", "is required with source header")
			} else {
				v.errf(path+".header", "%q is not a valid header name", k.Header)
			}
		}
		if k.TrustedProxies != 0 {
			v.errf(path+".trusted_proxies", "applies only to source ip")
		}
	case "ip":
		if k.Header != "" {
			v.errf(path+".header", "applies only to source header")
		}
		if k.TrustedProxies < 0 {
			v.errf(path+".trusted_proxies", "%d must be >= 0", k.TrustedProxies)
		}
	case "":
		v.errf(path+".source", "is required: header or ip")
	default:
		v.errf(path+".source", "%q must be header or ip", k.Source)
	}
}
