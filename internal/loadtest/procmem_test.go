package loadtest

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseStatus(t *testing.T) {
	tests := []struct {
		name    string
		status  string
		want    Memory
		wantErr bool
	}{
		{
			name:   "a real status",
			status: "Name:\tlatchkey\nVmPeak:\t 1822840 kB\nVmHWM:\t   90112 kB\nVmRSS:\t   81920 kB\nThreads:\t8\n",
			want:   Memory{RSS: 81920 << 10, HWM: 90112 << 10},
		},
		{name: "no memory lines, as of a kernel thread", status: "Name:\tkthreadd\nState:\tS (sleeping)\n", wantErr: true},
		{name: "a unit it does not know", status: "VmHWM:\t1 MB\nVmRSS:\t1 MB\n", wantErr: true},
		{name: "not a number", status: "VmHWM:\tx kB\nVmRSS:\t1 kB\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatus(strings.NewReader(tt.status))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSampleMemoryOfThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc here")
	}
	s := SampleMemory(os.Getpid(), time.Millisecond)
	time.Sleep(10 * time.Millisecond)
	m, err := s.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS == 0 || m.HWM < m.RSS {
		t.Errorf("got %+v, want 0 < RSS ≤ HWM", m)
	}
}
