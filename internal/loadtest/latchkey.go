package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Listening starts the line `latchkey serve` prints once it accepts
// connections.
const Listening = "latchkey listening on "

// SeedSummary is the part of `latchkey admin seed`'s JSON the harness uses.
type SeedSummary struct {
	Workspace      string        `json:"workspace"`
	HeavyEmail     string        `json:"heavyEmail"`
	Users          int           `json:"users"`
	Teams          int           `json:"teams"`
	Collections    int           `json:"collections"`
	Accounts       int           `json:"accounts"`
	Grants         int           `json:"grants"`
	Elapsed        time.Duration `json:"elapsedNs"`
	SampleAccounts []string      `json:"sampleAccounts"`
}

// Latchkey runs one latchkey binary against one store.
type Latchkey struct {
	Bin         string
	DataDir     string
	DatabaseURL string // "" for SQLite in DataDir
	Log         io.Writer
}

// ModuleRoot finds the directory of the go.mod that holds the current
// directory, which `go build ./cmd/latchkey` needs.
func ModuleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside a Go module: run from the latchkey repository")
	}
	return filepath.Dir(gomod), nil
}

// BuildLatchkey builds ./cmd/latchkey of the module at root into bin.
func BuildLatchkey(ctx context.Context, root, bin string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/latchkey")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/latchkey: %w\n%s", err, out)
	}
	return nil
}

// command builds a latchkey invocation on the harness's store. The
// environment loses every LATCHKEY_ variable, so a database URL or key
// set in the caller's shell cannot point the harness at another store.
func (l Latchkey) command(ctx context.Context, args ...string) *exec.Cmd {
	args = append(args, "--data-dir", l.DataDir)
	if l.DatabaseURL != "" {
		args = append(args, "--database-url", l.DatabaseURL)
	}
	cmd := exec.CommandContext(ctx, l.Bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LATCHKEY_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	return cmd
}

// admin runs a `latchkey admin` command and returns its stdout; stderr
// goes to the log, so the seed's progress shows.
func (l Latchkey) admin(ctx context.Context, args ...string) ([]byte, error) {
	cmd := l.command(ctx, append([]string{"admin"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = io.MultiWriter(l.Log, &stderr)
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("latchkey admin %s: %w: %s", args[0], err, lastLine(stderr.String()))
	}
	return out, nil
}

// SeedPlan is what to seed; Heavy accounts belong to the heavy member.
type SeedPlan struct {
	Workspace                                  string
	Users, Teams, Collections, Accounts, Heavy int
}

// Seed runs `latchkey admin seed` and returns its summary and how long
// the whole command took, store opening and migrations included.
func (l Latchkey) Seed(ctx context.Context, p SeedPlan) (*SeedSummary, time.Duration, error) {
	start := time.Now()
	out, err := l.admin(ctx, "seed", "--workspace", p.Workspace,
		"--users", strconv.Itoa(p.Users), "--teams", strconv.Itoa(p.Teams), "--collections", strconv.Itoa(p.Collections),
		"--accounts", strconv.Itoa(p.Accounts), "--heavy-accounts", strconv.Itoa(p.Heavy))
	wall := time.Since(start)
	if err != nil {
		return nil, 0, err
	}
	var s SeedSummary
	if err := json.Unmarshal(out, &s); err != nil {
		return nil, 0, fmt.Errorf("read the seed's summary: %w", err)
	}
	if s.HeavyEmail == "" || len(s.SampleAccounts) == 0 {
		return nil, 0, fmt.Errorf("the seed's summary names no heavy member or sample accounts")
	}
	return &s, wall, nil
}

// APIKey issues a never-expiring key named name of the member with
// email, holding scopes (comma-separated): each use gets a key of its own
// with only the scopes it needs.
func (l Latchkey) APIKey(ctx context.Context, workspace, email, name, scopes string) (string, error) {
	out, err := l.admin(ctx, "apikey", "create", "--workspace", workspace, "--email", email,
		"--name", name, "--scopes", scopes, "--expires", "never")
	if err != nil {
		return "", err
	}
	key := strings.TrimSpace(string(out))
	if key == "" {
		return "", fmt.Errorf("latchkey admin apikey create printed no key")
	}
	return key, nil
}

// Serve starts `latchkey serve` on a free loopback port, without rate
// limits and with quiet logs, and returns it once GET /readyz answers 200,
// with the time from starting the process to that answer (T5).
func (l Latchkey) Serve(ctx context.Context) (*Process, time.Duration, error) {
	cmd := l.command(ctx, "serve", "--addr", "127.0.0.1:0", "--rate-limit", "0", "--log-level", "error")
	start := time.Now()
	p, err := StartProcess(cmd, Listening, false, 2*time.Minute)
	if err != nil {
		return nil, 0, err
	}
	if err := waitReady(ctx, p.Base+"/readyz", time.Minute); err != nil {
		p.Stop(10 * time.Second)
		return nil, 0, fmt.Errorf("latchkey serve: %w%s", err, p.stderr.quote())
	}
	return p, time.Since(start), nil
}

// waitReady polls url until it answers 200. The interval is short because
// the wait is itself measured.
func waitReady(ctx context.Context, url string, timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(2 * time.Millisecond)
	}
	return fmt.Errorf("GET %s not 200 within %s (last: %s)", url, timeout, last)
}

// lastLine is the last non-empty line of s: a failing admin command's
// one-line reason comes after its progress.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
