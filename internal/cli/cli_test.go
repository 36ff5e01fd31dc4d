package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey/internal/cli"
	"github.com/latchkeyhq/latchkey/internal/connector/browser"
	"github.com/latchkeyhq/latchkey/internal/store"
	"github.com/latchkeyhq/latchkey/internal/testdb"
)

// run calls the latchkey command in-process.
func run(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code = cli.Main(ctx, args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func storeEnv(cfg store.Config) map[string]string {
	env := map[string]string{"LATCHKEY_DATA_DIR": cfg.DataDir}
	if cfg.DatabaseURL != "" {
		env["LATCHKEY_DATABASE_URL"] = cfg.DatabaseURL
	}
	return env
}

// syncWriter lets the test read what a running command has printed.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestDemoQuickStart is the README's first command: serve --demo prints an
// API key with which curl lists the demo accounts and reads a password and
// a TOTP code. Then SIGINT (a cancelled context) stops it with exit 0.
func TestDemoQuickStart(t *testing.T) {
	testdb.Each(t, func(t *testing.T, cfg store.Config) {
		env := storeEnv(cfg)
		env["LATCHKEY_LOG_LEVEL"] = "warn"
		env["LATCHKEY_DEMO_APP_ADDR"] = "127.0.0.1:0"
		var out, errOut syncWriter
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan int, 1)
		go func() {
			done <- cli.Main(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
		}()
		var base, key, token string
		deadline := time.Now().Add(time.Minute)
		for time.Now().Before(deadline) && (base == "" || key == "" || token == "") {
			s := out.String()
			if m := regexp.MustCompile(`latchkey listening on (http://\S+)`).FindStringSubmatch(s); m != nil {
				base = m[1]
			}
			if m := regexp.MustCompile(`API key\s+(lk_\S+)`).FindStringSubmatch(s); m != nil {
				key = m[1]
			}
			if m := regexp.MustCompile(`Bearer token\s+(lkt_\S+)`).FindStringSubmatch(s); m != nil {
				token = m[1]
			}
			select {
			case code := <-done:
				t.Fatalf("serve exited with %d:\n%s\n%s", code, out.String(), errOut.String())
			case <-time.After(20 * time.Millisecond):
			}
		}
		if base == "" || key == "" {
			t.Fatalf("no address or key printed:\n%s", out.String())
		}
		send := func(method, path, cred, body string) map[string]any {
			req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
			if strings.HasPrefix(cred, "lkt_") {
				req.Header.Set("Authorization", "Bearer "+cred)
			} else {
				req.Header.Set("X-API-Key", cred)
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 {
				t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
			}
			var v map[string]any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		get := func(path string) map[string]any { return send("GET", path, key, "") }
		list := get("/api/v1/accounts")
		accounts := list["data"].([]any)
		if len(accounts) < 5 {
			t.Fatalf("the demo has %d accounts", len(accounts))
		}
		first := accounts[0].(map[string]any)["id"].(string)
		pw := get("/api/v1/accounts/" + first + "/secrets?filter[secretType]=password")
		if v := pw["data"].([]any)[0].(map[string]any)["attributes"].(map[string]any)["body"].(map[string]any)["value"].(string); !strings.HasPrefix(v, "Demo-") {
			t.Errorf("password %q", v)
		}
		totp := get("/api/v1/accounts/" + first + "/totp")
		if c := totp["data"].(map[string]any)["attributes"].(map[string]any)["code"].(string); !regexp.MustCompile(`^\d{6}$`).MatchString(c) {
			t.Errorf("code %q", c)
		}
		// The demo integration drives the sample application: its first
		// sync, then an invitation, finish as jobs a newcomer can watch.
		if _, err := browser.FindExecPath(""); err != nil {
			t.Logf("Chromium test skipped: %v", err)
		} else {
			attrs := func(doc map[string]any) map[string]any {
				return doc["data"].(map[string]any)["attributes"].(map[string]any)
			}
			wait := func(job string) map[string]any {
				for i := 0; i < 600; i++ {
					a := attrs(send("GET", "/api/v1/jobs/"+job, token, ""))
					if a["status"] == "finished" || a["status"] == "error" {
						return a
					}
					time.Sleep(50 * time.Millisecond)
				}
				t.Fatalf("job %s did not end", job)
				return nil
			}
			integrations := send("GET", "/api/v1/integrations", token, "")["data"].([]any)
			if len(integrations) != 1 {
				t.Fatalf("the demo has %d integrations, want 1", len(integrations))
			}
			integration := integrations[0].(map[string]any)["id"].(string)
			jobs := send("GET", "/api/v1/jobs?filter[workflowType]=get_business", token, "")["data"].([]any)
			if len(jobs) != 1 {
				t.Fatalf("the demo queued %d syncs, want 1", len(jobs))
			}
			if a := wait(jobs[0].(map[string]any)["id"].(string)); a["status"] != "finished" {
				t.Fatalf("the demo's first sync: %v", a)
			}
			var uma string
			for _, u := range send("GET", "/api/v1/users", token, "")["data"].([]any) {
				if u.(map[string]any)["attributes"].(map[string]any)["email"] == "uma@acme.example" {
					uma = u.(map[string]any)["id"].(string)
				}
			}
			invited := send("POST", "/api/v1/integrations/"+integration+"/users", token,
				`{"data":{"type":"invite_tenant_users","attributes":{"role":"account_collaborator","entitlements":[{"id":"member"}],"userIds":["`+uma+`"]}}}`)
			if a := wait(invited["data"].(map[string]any)["id"].(string)); a["status"] != "finished" {
				t.Fatalf("inviting uma into the sample application: %v", a)
			}
			seat := send("GET", "/api/v1/integrations/"+integration+"/users/"+uma, token, "")
			if ents := attrs(seat)["entitlements"].([]any); len(ents) != 1 || ents[0].(map[string]any)["id"] != "member" {
				t.Errorf("uma's seat in the sample application: %v", seat)
			}
		}

		stop()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited with %d after SIGINT:\n%s", code, errOut.String())
			}
		case <-time.After(time.Minute):
			t.Fatal("serve did not stop")
		}

		// A second start with --demo on the same store changes nothing.
		ctx2, stop2 := context.WithCancel(context.Background())
		var out2 syncWriter
		go func() {
			done <- cli.Main(ctx2, []string{"serve", "--demo", "--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, strings.NewReader(""), &out2, io.Discard)
		}()
		for i := 0; i < 500 && !strings.Contains(out2.String(), "changed nothing"); i++ {
			time.Sleep(20 * time.Millisecond)
		}
		stop2()
		<-done
		if !strings.Contains(out2.String(), "changed nothing") || strings.Contains(out2.String(), "lk_") {
			t.Errorf("second --demo start printed:\n%s", out2.String())
		}
	})
}

func TestAdminCommands(t *testing.T) {
	testdb.Each(t, func(t *testing.T, cfg store.Config) {
		env := storeEnv(cfg)
		uuid := regexp.MustCompile(`^[0-9a-f-]{36}\n$`)
		cases := []struct {
			name   string
			args   []string
			code   int
			stdout *regexp.Regexp
			stderr string
		}{
			{"create workspace", []string{"admin", "workspace", "create", "acme"}, 0, uuid, ""},
			{"duplicate workspace", []string{"admin", "workspace", "create", "acme"}, 1, nil, "already exists"},
			{"bad workspace name", []string{"admin", "workspace", "create", "no spaces"}, 1, nil, "lower-case"},
			{"workspace name missing", []string{"admin", "workspace", "create"}, 2, nil, "accepts 1 arg"},
			{"token lifetime", []string{"admin", "workspace", "update", "acme", "--token-ttl", "2h"}, 0, uuid, ""},
			{"token lifetime too long", []string{"admin", "workspace", "update", "acme", "--token-ttl", "9000h"}, 2, nil, "--token-ttl"},
			{"bad lifetime creates nothing", []string{"admin", "workspace", "create", "beta", "--token-ttl", "10s"}, 2, nil, "--token-ttl"},
			{"so the name is still free", []string{"admin", "workspace", "create", "beta", "--token-ttl", "8h"}, 0, uuid, ""},
			{"token lifetime missing", []string{"admin", "workspace", "update", "acme"}, 2, nil, "token-ttl"},
			{"create owner", []string{"admin", "user", "create", "--workspace", "acme", "--email", "o@acme.example", "--role", "owner", "--first-name", "Olive"}, 0, uuid, ""},
			{"second owner", []string{"admin", "user", "create", "--workspace", "acme", "--email", "p@acme.example", "--role", "workspace_owner"}, 1, nil, "exactly one"},
			{"create member", []string{"admin", "user", "create", "--workspace", "acme", "--email", "m@acme.example", "--role", "user"}, 0, uuid, ""},
			{"duplicate email", []string{"admin", "user", "create", "--workspace", "acme", "--email", "M@acme.example", "--role", "user"}, 1, nil, "already exists"},
			{"unknown role", []string{"admin", "user", "create", "--workspace", "acme", "--email", "q@acme.example", "--role", "wizard"}, 2, nil, "--role"},
			{"missing flag", []string{"admin", "user", "create", "--workspace", "acme", "--role", "user"}, 2, nil, "email"},
			{"unknown workspace", []string{"admin", "user", "create", "--workspace", "nope", "--email", "q@acme.example", "--role", "user"}, 1, nil, "No workspace"},
			{"token", []string{"admin", "token", "create", "--workspace", "acme", "--email", "o@acme.example", "--ttl", "30m"}, 0, regexp.MustCompile(`^lkt_\w{43}\n$`), ""},
			{"token, bad ttl", []string{"admin", "token", "create", "--workspace", "acme", "--email", "o@acme.example", "--ttl", "forever"}, 2, nil, "ttl"},
			{"token, unknown user", []string{"admin", "token", "create", "--workspace", "acme", "--email", "x@acme.example"}, 1, nil, "No user"},
			{"api key", []string{"admin", "apikey", "create", "--workspace", "acme", "--email", "o@acme.example", "--name", "ci", "--scopes", "read:items:accounts,Read vaults", "--expires", "1y"}, 0, regexp.MustCompile(`^lk_\w{43}\n$`), ""},
			{"api key, custom expiry", []string{"admin", "apikey", "create", "--workspace", "acme", "--email", "o@acme.example", "--name", "ci2", "--scopes", "read:vaults", "--expires", "2099-01-01T00:00:00Z"}, 0, regexp.MustCompile(`^lk_\w{43}\n$`), ""},
			{"api key, past expiry", []string{"admin", "apikey", "create", "--workspace", "acme", "--email", "o@acme.example", "--name", "ci3", "--scopes", "read:vaults", "--expires", "2001-01-01T00:00:00Z"}, 1, nil, "future"},
			{"api key, unknown scope", []string{"admin", "apikey", "create", "--workspace", "acme", "--email", "o@acme.example", "--name", "ci3", "--scopes", "read:all", "--expires", "1y"}, 2, nil, "read:all"},
			{"api key, bad expiry", []string{"admin", "apikey", "create", "--workspace", "acme", "--email", "o@acme.example", "--name", "ci3", "--scopes", "read:vaults", "--expires", "soon"}, 2, nil, "--expires"},
			{"api key for a member", []string{"admin", "apikey", "create", "--workspace", "acme", "--email", "m@acme.example", "--name", "ci", "--scopes", "read:vaults", "--expires", "1h"}, 1, nil, "Admins can hold"},
			{"api key, duplicate name", []string{"admin", "apikey", "create", "--workspace", "acme", "--email", "o@acme.example", "--name", "CI", "--scopes", "read:vaults", "--expires", "1h"}, 1, nil, "already have"},
			{"unknown command", []string{"admin", "frobnicate"}, 2, nil, ""},
			{"unknown flag", []string{"serve", "--colour"}, 2, nil, "unknown flag"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				code, stdout, stderr := run(t, env, c.args...)
				if code != c.code {
					t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.code, stdout, stderr)
				}
				if c.stdout != nil && !c.stdout.MatchString(stdout) {
					t.Errorf("stdout %q", stdout)
				}
				if c.code != 0 {
					if stdout != "" {
						t.Errorf("stdout on failure: %q", stdout)
					}
					if c.stderr != "" && !strings.Contains(stderr, c.stderr) {
						t.Errorf("stderr %q lacks %q", stderr, c.stderr)
					}
					if first, _, _ := strings.Cut(stderr, "\n"); c.code == 1 && strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
						t.Errorf("the reason spans lines: %q (first: %q)", stderr, first)
					}
				}
			})
		}

		// What admin printed works against a server on the same store.
		_, key, _ := run(t, env, "admin", "apikey", "create", "--workspace", "acme", "--email", "o@acme.example", "--name", "check", "--scopes", "read:vaults", "--expires", "1h")
		key = strings.TrimSpace(key)
		var out syncWriter
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan int, 1)
		go func() {
			done <- cli.Main(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--log-level", "error"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, io.Discard)
		}()
		var base string
		for i := 0; i < 1000 && base == ""; i++ {
			sc := bufio.NewScanner(strings.NewReader(out.String()))
			for sc.Scan() {
				if s, ok := strings.CutPrefix(sc.Text(), "latchkey listening on "); ok {
					base = s
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
		req, _ := http.NewRequest("GET", base+"/api/v1/vaults", nil)
		req.Header.Set("X-API-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("the admin-made key: %d", resp.StatusCode)
		}
		// Tokens made after `workspace update --token-ttl 2h` last two hours.
		_, token, _ := run(t, env, "admin", "token", "create", "--workspace", "acme", "--email", "o@acme.example")
		req, _ = http.NewRequest("GET", base+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(token))
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var me struct {
			Data struct {
				Meta struct {
					Credential struct {
						ExpiresAt time.Time `json:"expiresAt"`
					} `json:"credential"`
				} `json:"meta"`
			} `json:"data"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&me)
		resp.Body.Close()
		if d := time.Until(me.Data.Meta.Credential.ExpiresAt); d < 119*time.Minute || d > 121*time.Minute {
			t.Errorf("a token after --token-ttl 2h lasts %v", d)
		}
		stop()
		if code := <-done; code != 0 {
			t.Errorf("serve exit %d", code)
		}
	})
}

// A flag wins over its environment variable, which wins over the default.
func TestFlagsAndEnvironment(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := run(t, map[string]string{"LATCHKEY_DATA_DIR": dir, "LATCHKEY_RATE_LIMIT": "lots"}, "serve")
	if code != 2 || !strings.Contains(stderr, "LATCHKEY_RATE_LIMIT") {
		t.Errorf("bad environment value: exit %d, %s", code, stderr)
	}
	code, _, stderr = run(t, map[string]string{"LATCHKEY_DATA_DIR": dir}, "serve", "--rate-limit", "-1")
	if code != 2 {
		t.Errorf("negative rate limit: exit %d, %s", code, stderr)
	}
	code, stdout, _ := run(t, map[string]string{"LATCHKEY_DATA_DIR": "/nonexistent/never"}, "admin", "workspace", "create", "--data-dir", dir, "flagwins")
	if code != 0 || !regexp.MustCompile(`^[0-9a-f-]{36}\n$`).MatchString(stdout) {
		t.Errorf("flag over environment: exit %d %q", code, stdout)
	}
	code, _, stderr = run(t, map[string]string{"LATCHKEY_DATA_DIR": dir, "LATCHKEY_MASTER_KEY": "c2hvcnQ="}, "admin", "workspace", "create", "other")
	if code != 1 || strings.Contains(stderr, "c2hvcnQ") {
		t.Errorf("short master key: exit %d, %s", code, stderr)
	}
}
