package api

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	requests *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "latchkey_http_request_duration_seconds",
		Help:    "Time to serve API requests, by route and status.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"method", "route", "status"})}
	if reg != nil {
		reg.MustRegister(m.requests)
	}
	return m
}

// route returns the observer of one route, so the hot path does no label
// lookups beyond the status.
func (m *metrics) route(method, path string) func(status int, d time.Duration) {
	curried := m.requests.MustCurryWith(prometheus.Labels{"method": method, "route": path})
	return func(status int, d time.Duration) {
		curried.WithLabelValues(strconv.Itoa(status)).Observe(d.Seconds())
	}
}
