package jobs

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestRiverLogsOnlyWarningsAndErrors(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(quieter{slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})}).With("component", "jobs")
	log.Info("producer: Producer job counts")
	log.Debug("fetching")
	log.Warn("leader election lost")
	log.Error("job failed")
	out := buf.String()
	for _, want := range []string{"leader election lost", "job failed", "component=jobs"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, unwanted := range []string{"Producer job counts", "fetching"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("output has River's chatter %q:\n%s", unwanted, out)
		}
	}
}
