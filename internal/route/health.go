package route

import (
	"context"
	"net/http"
	"time"
)

// Start runs active health checks on every endpoint until Close: one round
// at once, then one every health.interval. Checked is closed once the first
// round is done.
func (r *Router) Start() {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		t := time.NewTicker(r.cfg.Health.Interval)
		defer t.Stop()
		first := true
		for {
			r.CheckAll(context.Background())
			if first {
				close(r.checked)
				first = false
			}
			select {
			case <-r.stop:
				return
			case <-t.C:
			}
		}
	}()
}

// Checked is closed once Start's first round of health checks is done.
func (r *Router) Checked() <-chan struct{} { return r.checked }

// Close stops the health checks and closes idle upstream connections.
func (r *Router) Close() {
	r.stopOnce.Do(func() { close(r.stop) })
	r.wg.Wait()
	r.client.CloseIdleConnections()
}

// CheckAll checks every endpoint once, concurrently, and returns when all
// checks are done.
func (r *Router) CheckAll(ctx context.Context) {
	done := make(chan struct{})
	n := 0
	for _, d := range r.all {
		for _, e := range d.Endpoints {
			n++
			go func() {
				r.check(ctx, e)
				done <- struct{}{}
			}()
		}
	}
	for range n {
		<-done
	}
}

// check probes e once: a 2xx answer to GET {url}{health.path} is healthy.
func (r *Router) check(ctx context.Context, e *Endpoint) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Health.Timeout)
	defer cancel()
	ok := false
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.URL+r.cfg.Health.Path, nil)
	if err == nil {
		if len(e.apiKey) > 0 {
			req.Header.Set("Authorization", "Bearer "+string(e.apiKey))
		}
		req.Header.Set("User-Agent", "sovereign-health")
		resp, err := r.client.Do(req)
		if err == nil {
			ok = resp.StatusCode >= 200 && resp.StatusCode < 300
			drain(resp.Body)
		}
	}
	if was := !e.activeDown.Swap(!ok); was != ok {
		if ok {
			r.opts.Logger.Info("upstream healthy", "destination", e.Dest.Name(), "endpoint", e.Index)
		} else {
			r.opts.Logger.Warn("upstream unhealthy", "destination", e.Dest.Name(), "endpoint", e.Index)
		}
		r.notify(e)
	}
}
