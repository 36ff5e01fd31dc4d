package main

// The crash test: a server killed with SIGKILL in the middle of a batch of
// provisioning jobs loses none of them, and after a restart every job
// finishes with each person provisioned exactly once.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey/internal/connector/webhook/webhooktest"
	"github.com/latchkeyhq/latchkey/internal/loadtest"
	"github.com/latchkeyhq/latchkey/internal/store"
	"github.com/latchkeyhq/latchkey/internal/testdb"
)

var built struct {
	once sync.Once
	bin  string
	err  error
}

// latchkeyBinary builds this command once per test binary.
func latchkeyBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "latchkey-crash-")
		if err != nil {
			built.err = err
			return
		}
		built.bin = filepath.Join(dir, "latchkey")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		root, err := loadtest.ModuleRoot(ctx)
		if err == nil {
			err = loadtest.BuildLatchkey(ctx, root, built.bin)
		}
		built.err = err
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.bin != "" {
		os.RemoveAll(filepath.Dir(built.bin))
	}
	os.Exit(code)
}

// server is a `latchkey serve` child process.
type server struct {
	cmd  *exec.Cmd
	base string
	logs *bytes.Buffer
}

type instance struct {
	bin, dataDir, databaseURL, masterKey string
}

func (in instance) command(ctx context.Context, args ...string) *exec.Cmd {
	args = append(args, "--data-dir", in.dataDir)
	if in.databaseURL != "" {
		args = append(args, "--database-url", in.databaseURL)
	}
	cmd := exec.CommandContext(ctx, in.bin, args...)
	cmd.Env = []string{"LATCHKEY_MASTER_KEY=" + in.masterKey, "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	return cmd
}

func (in instance) admin(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := in.command(ctx, append([]string{"admin"}, args...)...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("latchkey admin %s: %v: %s", strings.Join(args, " "), err, stderr)
	}
	return strings.TrimSpace(string(out))
}

func (in instance) serve(t *testing.T) *server {
	t.Helper()
	s := &server{logs: &bytes.Buffer{}}
	s.cmd = in.command(context.Background(), "serve", "--addr", "127.0.0.1:0", "--rate-limit", "0", "--log-level", "warn",
		"--job-workers", "4", "--job-timeout", "2s", "--job-rescue-after", "3s")
	s.cmd.Stderr = s.logs
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	found := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if rest, ok := strings.CutPrefix(lines.Text(), "latchkey listening on "); ok {
				found <- rest
			}
		}
	}()
	select {
	case s.base = <-found:
	case <-time.After(time.Minute):
		s.cmd.Process.Kill()
		t.Fatalf("latchkey serve did not start: %s", s.logs)
	}
	return s
}

func (s *server) do(t *testing.T, token, method, path string, body any) map[string]any {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode >= 300 {
		t.Fatalf("%s %s: status %d, %v %v", method, path, resp.StatusCode, doc, err)
	}
	return doc
}

func idOf(doc map[string]any) string { return doc["data"].(map[string]any)["id"].(string) }

func statusOf(doc map[string]any) string {
	return doc["data"].(map[string]any)["attributes"].(map[string]any)["status"].(string)
}

func TestKilledServerLosesNoJob(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills servers")
	}
	testdb.Each(t, func(t *testing.T, cfg store.Config) {
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		in := instance{bin: latchkeyBinary(t), dataDir: cfg.DataDir, databaseURL: cfg.DatabaseURL,
			masterKey: base64.StdEncoding.EncodeToString(key)}
		in.admin(t, "workspace", "create", "acme")
		in.admin(t, "user", "create", "--workspace", "acme", "--email", "olivia@acme.example", "--role", "owner")
		token := in.admin(t, "token", "create", "--workspace", "acme", "--email", "olivia@acme.example", "--ttl", "1h")

		const secret = "crash-test-signing-secret"
		app := webhooktest.Start(t, secret, webhooktest.WithInviteDelay(30*time.Millisecond))

		srv := in.serve(t)
		killed := false
		defer func() {
			if !killed {
				srv.cmd.Process.Kill()
				srv.cmd.Wait()
			}
		}()
		const people = 30
		var users []string
		for i := range people {
			doc := srv.do(t, token, "POST", "/api/v1/users", map[string]any{"data": map[string]any{"type": "user",
				"attributes": map[string]any{"email": fmt.Sprintf("p%02d@acme.example", i), "role": "workspace_user"}}})
			users = append(users, idOf(doc))
		}
		integration := idOf(srv.do(t, token, "POST", "/api/v1/integrations", map[string]any{"data": map[string]any{"type": "account",
			"attributes": map[string]any{"application": "acme_tenant", "label": "Acme", "connector": map[string]any{
				"kind": "webhook", "url": app.URL, "signingSecret": secret}}}}))
		sync := idOf(srv.do(t, token, "POST", "/api/v1/integrations/"+integration+"/sync", nil))
		waitFinal(t, srv, token, []string{sync}, 30*time.Second)

		var jobs []string
		for _, u := range users {
			jobs = append(jobs, idOf(srv.do(t, token, "POST", "/api/v1/integrations/"+integration+"/users", map[string]any{
				"data": map[string]any{"type": "invite_tenant_users", "attributes": map[string]any{
					"role": "account_collaborator", "entitlements": []any{map[string]any{"id": "MEMBER"}}, "userIds": []any{u}}}})))
		}
		// Kill the server with a third of the batch provisioned.
		deadline := time.Now().Add(time.Minute)
		for {
			if app.Users() >= people/3 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the batch never got going: %s", srv.logs)
			}
			time.Sleep(5 * time.Millisecond)
		}
		if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		srv.cmd.Wait()
		killed = true
		before := app.Users()
		if before >= people {
			t.Fatalf("all %d were provisioned before the kill; the test proves nothing", before)
		}

		srv = in.serve(t)
		killed = false
		final := waitFinal(t, srv, token, jobs, 2*time.Minute)
		for id, st := range final {
			if st != "finished" {
				t.Errorf("job %s ended %s after the restart", id, st)
			}
		}
		// The application refuses a second invitation of anyone, so a job
		// run twice would show as an error above; here every person must be
		// there.
		for i := range people {
			if _, ok := app.Entitlements(fmt.Sprintf("p%02d@acme.example", i)); !ok {
				t.Errorf("p%02d@acme.example was never provisioned", i)
			}
		}
		if n := app.Users(); n != people {
			t.Errorf("the application holds %d people, want %d", n, people)
		}
		t.Logf("killed with %d of %d provisioned; after restart all %d jobs finished; %d invitations reached the application in all",
			before, people, people, app.Invites())

		// And a graceful stop still exits 0.
		srv.cmd.Process.Signal(syscall.SIGTERM)
		if err := srv.cmd.Wait(); err != nil {
			t.Errorf("stop after the restart: %v\n%s", err, srv.logs)
		}
		killed = true
	})
}

// waitFinal polls jobs until each is finished or error.
func waitFinal(t *testing.T, srv *server, token string, ids []string, within time.Duration) map[string]string {
	t.Helper()
	deadline := time.Now().Add(within)
	final := map[string]string{}
	for len(final) < len(ids) {
		for _, id := range ids {
			if _, ok := final[id]; ok {
				continue
			}
			if st := statusOf(srv.do(t, token, "GET", "/api/v1/jobs/"+id, nil)); st == "finished" || st == "error" {
				final[id] = st
			}
		}
		if len(final) == len(ids) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d jobs still unfinished after %s:\n%s", len(ids)-len(final), len(ids), within, srv.logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return final
}
