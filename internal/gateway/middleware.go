package gateway

import (
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/reqid"
)

// statusWriter remembers the status and whether headers went out.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withBasics gives every request an id, turns a panic into a 500 (or a cut
// stream, if the answer had started) and logs one line per request, never
// with payloads.
func withBasics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := reqid.New()
		w.Header().Set(reqid.Header, id)
		r = r.WithContext(reqid.With(r.Context(), id))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				// The panic value may hold request data: log only where it happened.
				log.Error("panic", "request_id", id, "route", r.Pattern, "stack", string(debug.Stack()))
				if sw.status != 0 {
					panic(http.ErrAbortHandler)
				}
				writeError(sw, r, errInternal(nil))
			}
			// The route pattern, not the path: a path can carry data (an external id).
			log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("request_id", id),
				slog.String("method", r.Method), slog.String("route", r.Pattern), slog.Int("status", sw.status),
				slog.Int64("bytes_out", sw.bytes), slog.Int64("latency_us", time.Since(start).Microseconds()))
		}()
		next.ServeHTTP(sw, r)
	})
}
