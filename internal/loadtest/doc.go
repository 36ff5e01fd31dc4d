// Package loadtest is Latchkey's load harness (cmd/latchkey-load): it
// builds and seeds the server, runs it as a child process next to a bare
// net/http baseline, drives both with a closed-loop HTTP load generator,
// and renders what it measured against PERFORMANCE.md's targets as
// Markdown.
//
// The pieces stand alone: Measure, MeasureN and Histogram are the
// generator, Latchkey and Process run the servers, MemorySampler reads
// /proc, MeasureProvisioning drives and waits for T4's jobs, and Report
// renders. Run ties them together.
package loadtest
