package keyring

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingLoader returns wrapped after release is closed (or at once if
// release is nil) and counts its calls. entered receives once per call.
type countingLoader struct {
	wrapped []byte
	release chan struct{}
	entered chan struct{}
	calls   atomic.Int32
}

func (l *countingLoader) load(ctx context.Context) ([]byte, error) {
	l.calls.Add(1)
	if l.entered != nil {
		l.entered <- struct{}{}
	}
	if l.release != nil {
		select {
		case <-l.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return l.wrapped, nil
}

func newWrapped(t *testing.T, kr *Keyring, workspaceID string) []byte {
	t.Helper()
	w, err := kr.NewWorkspaceKey(workspaceID)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestSealerLoadsOnceUnderConcurrency(t *testing.T) {
	kr := New(newTestKEK(t, 1))
	l := &countingLoader{wrapped: newWrapped(t, kr, "ws-1"), release: make(chan struct{})}

	const n = 64
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		sealers [n]*Sealer
		errs    [n]error
	)
	for i := range n {
		wg.Go(func() {
			<-start
			sealers[i], errs[i] = kr.Sealer(context.Background(), "ws-1", l.load)
		})
	}
	close(start)
	// Give the callers time to pile up behind the first load; correctness
	// does not depend on it, only how much concurrency the test exercises.
	time.Sleep(20 * time.Millisecond)
	close(l.release)
	wg.Wait()

	for i := range n {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if sealers[i] != sealers[0] {
			t.Fatalf("caller %d got a different sealer", i)
		}
	}
	if _, err := kr.Sealer(context.Background(), "ws-1", l.load); err != nil {
		t.Fatal(err)
	}
	if got := l.calls.Load(); got != 1 {
		t.Fatalf("load called %d times, want 1", got)
	}
}

func TestSealerCache(t *testing.T) {
	ctx := context.Background()

	t.Run("failed load is not cached", func(t *testing.T) {
		kr := New(newTestKEK(t, 1))
		wrapped := newWrapped(t, kr, "ws-1")
		errDB := errors.New("database is down")
		calls := 0
		load := func(context.Context) ([]byte, error) {
			calls++
			if calls == 1 {
				return nil, errDB
			}
			return wrapped, nil
		}
		if _, err := kr.Sealer(ctx, "ws-1", load); !errors.Is(err, errDB) {
			t.Fatalf("err = %v, want %v", err, errDB)
		}
		if _, err := kr.Sealer(ctx, "ws-1", load); err != nil {
			t.Fatalf("retry: %v", err)
		}
		if calls != 2 {
			t.Fatalf("load called %d times, want 2", calls)
		}
	})

	t.Run("forget reloads", func(t *testing.T) {
		kr := New(newTestKEK(t, 1))
		l := &countingLoader{wrapped: newWrapped(t, kr, "ws-1")}
		first, err := kr.Sealer(ctx, "ws-1", l.load)
		if err != nil {
			t.Fatal(err)
		}
		kr.Forget("ws-1")
		kr.Forget("never-loaded")
		second, err := kr.Sealer(ctx, "ws-1", l.load)
		if err != nil {
			t.Fatal(err)
		}
		if first == second || l.calls.Load() != 2 {
			t.Fatalf("after Forget: same sealer %v, %d loads", first == second, l.calls.Load())
		}
		// Sealers handed out before Forget keep working.
		ad := AD{"ws-1", "t", "r", "f"}
		if _, err := second.Open(mustSeal(t, first, []byte("x"), ad), ad); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("workspaces are cached separately", func(t *testing.T) {
		kr := New(newTestKEK(t, 1))
		l1 := &countingLoader{wrapped: newWrapped(t, kr, "ws-1")}
		l2 := &countingLoader{wrapped: newWrapped(t, kr, "ws-2")}
		for range 3 {
			if _, err := kr.Sealer(ctx, "ws-1", l1.load); err != nil {
				t.Fatal(err)
			}
			if _, err := kr.Sealer(ctx, "ws-2", l2.load); err != nil {
				t.Fatal(err)
			}
		}
		if l1.calls.Load() != 1 || l2.calls.Load() != 1 {
			t.Fatalf("loads: ws-1 %d, ws-2 %d; want 1 each", l1.calls.Load(), l2.calls.Load())
		}
	})

	t.Run("key of another workspace is rejected", func(t *testing.T) {
		kr := New(newTestKEK(t, 1))
		wrapped := newWrapped(t, kr, "ws-1")
		_, err := kr.Sealer(ctx, "ws-2", func(context.Context) ([]byte, error) { return wrapped, nil })
		if !errors.Is(err, ErrOpen) {
			t.Fatalf("err = %v, want ErrOpen", err)
		}
	})

	t.Run("garbage key is rejected", func(t *testing.T) {
		kr := New(newTestKEK(t, 1))
		_, err := kr.Sealer(ctx, "ws-1", func(context.Context) ([]byte, error) { return []byte("garbage"), nil })
		if !errors.Is(err, ErrOpen) {
			t.Fatalf("err = %v, want ErrOpen", err)
		}
	})

	t.Run("empty workspace id", func(t *testing.T) {
		kr := New(newTestKEK(t, 1))
		if _, err := kr.NewWorkspaceKey(""); err == nil {
			t.Fatal("NewWorkspaceKey accepted an empty id")
		}
		if _, err := kr.Sealer(ctx, "", func(context.Context) ([]byte, error) {
			t.Fatal("load called for an empty id")
			return nil, nil
		}); err == nil {
			t.Fatal("Sealer accepted an empty id")
		}
	})

	t.Run("waiter honours its own context", func(t *testing.T) {
		kr := New(newTestKEK(t, 1))
		l := &countingLoader{
			wrapped: newWrapped(t, kr, "ws-1"),
			release: make(chan struct{}),
			entered: make(chan struct{}, 1),
		}
		leader := make(chan error, 1)
		go func() {
			_, err := kr.Sealer(ctx, "ws-1", l.load)
			leader <- err
		}()
		<-l.entered

		waitCtx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := kr.Sealer(waitCtx, "ws-1", l.load); !errors.Is(err, context.Canceled) {
			t.Fatalf("waiter err = %v, want context.Canceled", err)
		}
		close(l.release)
		if err := <-leader; err != nil {
			t.Fatalf("leader: %v", err)
		}
		if l.calls.Load() != 1 {
			t.Fatalf("load called %d times, want 1", l.calls.Load())
		}
	})

	t.Run("cached key wins over an ended context", func(t *testing.T) {
		kr := New(newTestKEK(t, 1))
		l := &countingLoader{wrapped: newWrapped(t, kr, "ws-1")}
		if _, err := kr.Sealer(ctx, "ws-1", l.load); err != nil {
			t.Fatal(err)
		}
		done, cancel := context.WithCancel(ctx)
		cancel()
		for range 100 {
			if _, err := kr.Sealer(done, "ws-1", l.load); err != nil {
				t.Fatalf("cached sealer not returned: %v", err)
			}
		}
	})

	t.Run("leader cancellation does not fail waiters", func(t *testing.T) {
		kr := New(newTestKEK(t, 1))
		wrapped := newWrapped(t, kr, "ws-1")
		leaderCtx, cancelLeader := context.WithCancel(ctx)
		entered := make(chan struct{})
		leader := make(chan error, 1)
		go func() {
			_, err := kr.Sealer(leaderCtx, "ws-1", func(ctx context.Context) ([]byte, error) {
				close(entered)
				<-ctx.Done()
				return nil, ctx.Err()
			})
			leader <- err
		}()
		<-entered

		waiter := make(chan error, 1)
		go func() {
			_, err := kr.Sealer(ctx, "ws-1", func(context.Context) ([]byte, error) { return wrapped, nil })
			waiter <- err
		}()
		cancelLeader()
		if err := <-leader; !errors.Is(err, context.Canceled) {
			t.Fatalf("leader err = %v, want context.Canceled", err)
		}
		if err := <-waiter; err != nil {
			t.Fatalf("waiter inherited the leader's failure: %v", err)
		}
	})

	t.Run("panicking load releases the slot", func(t *testing.T) {
		kr := New(newTestKEK(t, 1))
		wrapped := newWrapped(t, kr, "ws-1")
		func() {
			defer func() {
				if recover() == nil {
					t.Fatal("panic was swallowed")
				}
			}()
			kr.Sealer(ctx, "ws-1", func(context.Context) ([]byte, error) { panic("boom") })
		}()
		done := make(chan error, 1)
		go func() {
			_, err := kr.Sealer(ctx, "ws-1", func(context.Context) ([]byte, error) { return wrapped, nil })
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Sealer blocked after a panicking load")
		}
	})
}
