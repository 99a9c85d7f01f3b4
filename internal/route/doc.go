// Package route is the route stage: it sends an outbound body to a healthy
// upstream endpoint inside a set of destinations the caller already allowed,
// and never anywhere else.
//
// In: a model's candidate destinations (the subject's own jurisdiction first)
// and the bytes to send. Out: an upstream response, or an error when no
// endpoint in the set is healthy. Health is tracked per endpoint: active
// checks (GET {endpoint}{health.path} every interval) and passive ejection
// (after eject_after consecutive failures, for eject_for). One tuned
// http.Transport pools connections to every upstream.
package route
