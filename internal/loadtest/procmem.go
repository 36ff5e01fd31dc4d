package loadtest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Memory is a process's resident set, from /proc/PID/status (Linux).
type Memory struct {
	RSS uint64 // VmRSS: resident now, bytes
	HWM uint64 // VmHWM: the most it was ever resident, bytes
}

// ReadMemory reads pid's resident memory.
func ReadMemory(pid int) (Memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, err
	}
	defer f.Close()
	return parseStatus(f)
}

// parseStatus reads VmRSS and VmHWM from a /proc/PID/status text, whose
// lines read "VmRSS:\t   12345 kB".
func parseStatus(r io.Reader) (Memory, error) {
	var m Memory
	var seen int
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		var dst *uint64
		switch {
		case !ok:
			continue
		case name == "VmRSS":
			dst = &m.RSS
		case name == "VmHWM":
			dst = &m.HWM
		default:
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return Memory{}, fmt.Errorf("%s: cannot read %q", name, rest)
		}
		kb, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			return Memory{}, fmt.Errorf("%s: %w", name, err)
		}
		*dst = kb << 10
		seen++
	}
	if err := sc.Err(); err != nil {
		return Memory{}, err
	}
	if seen != 2 {
		return Memory{}, fmt.Errorf("no VmRSS and VmHWM lines")
	}
	return m, nil
}

// MemorySampler polls a process's resident memory in the background and
// keeps the largest VmRSS it saw: VmHWM alone would include whatever the
// process did before the scenario of interest.
type MemorySampler struct {
	stop chan struct{}
	done sync.WaitGroup
	mu   sync.Mutex
	peak Memory
	err  error
}

// SampleMemory starts polling pid every interval.
func SampleMemory(pid int, interval time.Duration) *MemorySampler {
	s := &MemorySampler{stop: make(chan struct{})}
	s.done.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			s.sample(pid)
			select {
			case <-s.stop:
				s.sample(pid)
				return
			case <-t.C:
			}
		}
	})
	return s
}

func (s *MemorySampler) sample(pid int) {
	m, err := ReadMemory(pid)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.err = err
		return
	}
	s.peak.RSS = max(s.peak.RSS, m.RSS)
	s.peak.HWM = max(s.peak.HWM, m.HWM)
}

// Stop ends the polling and returns the largest VmRSS seen and the last
// VmHWM, or the last error when no sample could be read.
func (s *MemorySampler) Stop() (Memory, error) {
	close(s.stop)
	s.done.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.peak.RSS == 0 && s.err != nil {
		return Memory{}, s.err
	}
	return s.peak, nil
}
