package store

import (
	"context"
	"sync"
	"time"
)

// batchTimeout bounds one shared transaction. It is not any caller's
// deadline: one caller giving up must not fail the others' writes.
const batchTimeout = 30 * time.Second

// UpdateBatched runs fn in a write transaction it may share with other
// callers' small writes, and returns once that transaction committed: the
// write is as durable as with Update, but many requests pay for one
// commit. Requests that write a record of a read (an activity, a last-use
// time) and nothing else use it; under load they arrive together, and one
// commit each would make the writer the bottleneck.
//
// fn has the same contract as Update's: it may run more than once. If any
// function of a shared transaction fails, the transaction is rolled back
// and each function runs again in a transaction of its own, so one
// caller's error is never another's.
//
// On PostgreSQL it is Update: the server already shares one flush among
// transactions committing together, and concurrent transactions keep its
// round trips overlapping, where a shared one would run them in a row.
func (db *DB) UpdateBatched(ctx context.Context, fn func(*Tx) error) error {
	if db.dialect == Postgres {
		return db.Update(ctx, fn)
	}
	return db.batch.do(ctx, db, fn)
}

// batcher is group commit without a goroutine of its own: the first caller
// to find no transaction running leads one for everything queued, and
// hands the lead to the first caller that queued meanwhile.
type batcher struct {
	mu      sync.Mutex
	queue   []*batchItem
	leading bool
}

type batchItem struct {
	fn   func(*Tx) error
	err  error
	done chan bool // true: lead the next transaction; false: err is the result
}

func (b *batcher) do(ctx context.Context, db *DB, fn func(*Tx) error) error {
	it := &batchItem{fn: fn, done: make(chan bool, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, it)
	lead := !b.leading
	b.leading = true
	b.mu.Unlock()
	if !lead && !<-it.done {
		return it.err
	}

	b.mu.Lock()
	items := b.queue
	b.queue = nil
	b.mu.Unlock()

	db.runBatch(ctx, items)

	b.mu.Lock()
	if len(b.queue) > 0 {
		b.queue[0].done <- true
	} else {
		b.leading = false
	}
	b.mu.Unlock()
	for _, other := range items {
		if other != it {
			other.done <- false
		}
	}
	return it.err
}

// runBatch sets each item's err. The leader's ctx serves alone only when
// the leader is alone.
func (db *DB) runBatch(leaderCtx context.Context, items []*batchItem) {
	if len(items) == 1 {
		items[0].err = db.Update(leaderCtx, items[0].fn)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(leaderCtx), batchTimeout)
	defer cancel()
	err := db.update(ctx, func(tx *Tx) error {
		for _, it := range items {
			if err := it.fn(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		return
	}
	for _, it := range items {
		it.err = db.Update(ctx, it.fn)
	}
}
