package loadtest

import (
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		change  func(o *Options)
		wantErr string // "" for valid
	}{
		{"defaults", func(*Options) {}, ""},
		{"tiny", func(o *Options) {
			o.Accounts, o.Users, o.Teams, o.Collections, o.Heavy, o.Jobs = 300, 50, 5, 10, 100, 40
		}, ""},
		{"tiny sizes need fewer jobs", func(o *Options) {
			o.Accounts, o.Users, o.Teams, o.Collections, o.Heavy = 300, 50, 5, 10, 100
		}, "-jobs"},
		{"no collections without teams", func(o *Options) { o.Teams, o.Collections = 0, 0 }, ""},
		{"no warm-up", func(o *Options) { o.Warmup = 0 }, ""},
		{"no users", func(o *Options) { o.Users = 0 }, "-users"},
		{"no accounts", func(o *Options) { o.Accounts, o.Heavy = 0, 0 }, "-accounts"},
		{"no heavy accounts", func(o *Options) { o.Heavy = 0 }, "-heavy"},
		{"more heavy than all", func(o *Options) { o.Heavy = o.Accounts + 1 }, "-heavy"},
		{"negative teams", func(o *Options) { o.Teams = -1 }, "-teams"},
		{"collections without teams", func(o *Options) { o.Teams = 0 }, "-collections"},
		{"zero duration", func(o *Options) { o.Duration = 0 }, "-duration"},
		{"negative warm-up", func(o *Options) { o.Warmup = -time.Second }, "-warmup"},
		{"no connections", func(o *Options) { o.Connections = 0 }, "-connections"},
		{"no runs", func(o *Options) { o.Runs = 0 }, "-runs"},
		{"no jobs skips T4", func(o *Options) { o.Jobs = 0 }, ""},
		{"one job per user", func(o *Options) { o.Users, o.Jobs = 50, 50 }, ""},
		{"negative jobs", func(o *Options) { o.Jobs = -1 }, "-jobs"},
		{"more jobs than users", func(o *Options) { o.Users, o.Jobs = 50, 51 }, "-jobs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Defaults()
			tt.change(&o)
			err := o.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Validate() = %v, want an error naming %s", err, tt.wantErr)
			}
		})
	}
}
