package loadtest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process is a server the harness started as a child: the latchkey server
// or the bare one.
type Process struct {
	Base string // http://HOST:PORT, from its "listening on" line
	cmd  *exec.Cmd
	// stdin, when set, is held open for the child's life: the bare server
	// exits when it closes.
	stdin  io.Closer
	stderr *tail
	exited chan struct{}
	err    error // of Wait, once exited is closed
}

// StartProcess starts cmd and waits up to timeout for a stdout line
// beginning with prefix, followed by the server's base URL. stdout is
// drained for the child's whole life so it never blocks on a full pipe.
func StartProcess(cmd *exec.Cmd, prefix string, holdStdin bool, timeout time.Duration) (*Process, error) {
	p := &Process{cmd: cmd, stderr: &tail{max: 16 << 10}, exited: make(chan struct{})}
	// A pipe of our own rather than cmd.StdoutPipe, so Wait may run while
	// stdout is still being read.
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = w, p.stderr
	// An interrupted harness stops its servers gracefully, as Stop does.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	if holdStdin {
		in, err := cmd.StdinPipe()
		if err != nil {
			r.Close()
			w.Close()
			return nil, err
		}
		p.stdin = in
	}
	err = cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		return nil, err
	}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()

	addr := make(chan string, 1)
	go func() {
		defer r.Close()
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if base, ok := strings.CutPrefix(sc.Text(), prefix); ok {
				select {
				case addr <- strings.TrimSpace(base):
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, r)
	}()

	select {
	case p.Base = <-addr:
		return p, nil
	case <-p.exited:
		return nil, fmt.Errorf("%s exited before listening: %v%s", cmd.Path, p.err, p.stderr.quote())
	case <-time.After(timeout):
		p.Stop(5 * time.Second)
		return nil, fmt.Errorf("%s did not print %q within %s%s", cmd.Path, prefix, timeout, p.stderr.quote())
	}
}

// PID is the child's process id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Stop asks the child to finish with SIGTERM, kills it after grace, and
// returns its exit code (-1 when a signal ended it) with an error that
// quotes its stderr when the code is not 0.
func (p *Process) Stop(grace time.Duration) (int, error) {
	if p.stdin != nil {
		p.stdin.Close()
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return -1, fmt.Errorf("%s did not stop within %s of SIGTERM; killed%s", p.cmd.Path, grace, p.stderr.quote())
	}
	code := p.cmd.ProcessState.ExitCode()
	var exit *exec.ExitError
	if p.err != nil && !errors.As(p.err, &exit) {
		return code, p.err
	}
	if code != 0 {
		return code, fmt.Errorf("%s exited %d after SIGTERM%s", p.cmd.Path, code, p.stderr.quote())
	}
	return 0, nil
}

// Stderr is the end of what the child wrote to stderr.
func (p *Process) Stderr() string { return p.stderr.String() }

// tail keeps the last max bytes written to it, for error messages.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(b), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// quote formats the tail for the end of an error message.
func (t *tail) quote() string {
	if s := strings.TrimSpace(t.String()); s != "" {
		return "; its stderr ends:\n" + s
	}
	return ""
}
