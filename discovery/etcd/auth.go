package etcd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// noToken is the token of a Username on an etcd without auth enabled.
const noToken = "\x00none"

// tokenFor returns the token to send, authenticating on ep first when
// Username is set and there is none.
func (c *client) tokenFor(ctx context.Context, ep string) (string, error) {
	if c.username == "" {
		return "", nil
	}
	c.tokenMu.Lock()
	token := c.token
	c.tokenMu.Unlock()
	if token != "" {
		return token, nil
	}
	select { // one authentication at a time; the others wait for its token
	case c.authLock <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-c.authLock }()
	c.tokenMu.Lock()
	token = c.token
	c.tokenMu.Unlock()
	if token != "" {
		return token, nil
	}
	body, err := json.Marshal(authenticateRequest{Name: c.username, Password: c.password})
	if err != nil {
		return "", err
	}
	var out authenticateResponse
	err = c.post(ctx, ep, "/v3/auth/authenticate", body, "", nil, func(ep string, resp *http.Response) error {
		defer resp.Body.Close()
		data, err := readBody(resp.Body)
		if err != nil {
			return &connError{endpoint: ep, err: err}
		}
		if err := json.Unmarshal(data, &out); err != nil {
			return &malformedError{endpoint: ep, err: err}
		}
		if out.Token == "" {
			return &malformedError{endpoint: ep, err: errors.New("authenticate: no token in the answer (is auth enabled?)")}
		}
		return nil
	})
	var se *statusError
	switch {
	case errors.As(err, &se) && se.authNotEnabled():
		out.Token = noToken // like etcd's own client: without auth, send none
	case errors.As(err, &se) && !se.unavailable():
		return "", fmt.Errorf("authenticate as %q: %w", c.username, err)
	case err != nil:
		return "", err
	}
	c.tokenMu.Lock()
	c.token = out.Token
	c.tokenMu.Unlock()
	return out.Token, nil
}

// dropToken forgets token after etcd rejected it, unless it was replaced
// meanwhile.
func (c *client) dropToken(token string) {
	c.tokenMu.Lock()
	if c.token == token {
		c.token = ""
	}
	c.tokenMu.Unlock()
}
