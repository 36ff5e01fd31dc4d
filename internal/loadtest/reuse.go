package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// seededFile records, next to a kept store, what was seeded into it and
// the key the scenarios use.
const seededFile = "seeded.json"

// Seeded is a seeded store ready to measure.
type Seeded struct {
	Plan    SeedPlan      `json:"plan"`
	Summary *SeedSummary  `json:"summary"`
	Wall    time.Duration `json:"wallNs"`
	Key     string        `json:"key"`
	Reused  bool          `json:"-"`
}

// seedOrReuse seeds lk's store and issues the heavy member's key. With a
// kept store directory it first looks for an earlier seed of the same
// plan there; a store seeded to another plan is refused rather than
// replaced, since deleting a directory the user named is not ours to do.
func seedOrReuse(ctx context.Context, lk Latchkey, plan SeedPlan, dir string, logf func(string, ...any)) (*Seeded, error) {
	if dir != "" {
		prev, err := readSeeded(dir)
		switch {
		case err == nil && prev.Plan == plan:
			logf("reusing the store seeded in %s (%s)", dir, prev.Wall.Round(time.Second))
			prev.Reused = true
			return prev, nil
		case err == nil:
			return nil, fmt.Errorf("%s holds a store seeded with other sizes (%+v); remove it or name another -store", dir, prev.Plan)
		case !errors.Is(err, fs.ErrNotExist):
			return nil, err
		}
		if _, err := os.Stat(lk.DataDir); err == nil {
			return nil, fmt.Errorf("%s exists but no seed finished there; remove it or name another -store", lk.DataDir)
		}
	}
	logf("seeding %d accounts (%d of them the heavy member's), %d users, %d teams, %d collections",
		plan.Accounts, plan.Heavy, plan.Users, plan.Teams, plan.Collections)
	summary, wall, err := lk.Seed(ctx, plan)
	if err != nil {
		return nil, err
	}
	logf("seeded in %s", wall.Round(time.Millisecond))
	key, err := lk.APIKey(ctx, plan.Workspace, summary.HeavyEmail, "load", ScenarioScopes)
	if err != nil {
		return nil, err
	}
	s := &Seeded{Plan: plan, Summary: summary, Wall: wall, Key: key}
	if dir != "" {
		if err := writeSeeded(dir, s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func readSeeded(dir string) (*Seeded, error) {
	b, err := os.ReadFile(filepath.Join(dir, seededFile))
	if err != nil {
		return nil, err
	}
	var s Seeded
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Join(dir, seededFile), err)
	}
	if s.Summary == nil || s.Key == "" {
		return nil, fmt.Errorf("%s is incomplete; remove %s", filepath.Join(dir, seededFile), dir)
	}
	return &s, nil
}

// writeSeeded is written last, so its presence means the seed finished.
// It holds an API key: owner-only, like the store beside it.
func writeSeeded(dir string, s *Seeded) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, seededFile), b, 0o600)
}
