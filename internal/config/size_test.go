package config

import (
	"math"
	"testing"
)

func TestParseSize(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"2048", 2048, true},
		{"0", 0, true},
		{"15MiB", 15 << 20, true},
		{"15 MiB", 15 << 20, true},
		{"15mib", 15 << 20, true},
		{"500KB", 500_000, true},
		{"500KiB", 500 << 10, true},
		{"1GB", 1_000_000_000, true},
		{"1GiB", 1 << 30, true},
		{"2TiB", 2 << 40, true},
		{"10B", 10, true},
		{" 7 ", 7, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"9223372036854775808", 0, false},
		{"9000000TiB", 0, false},
		{"", 0, false},
		{"MiB", 0, false},
		{"-1", 0, false},
		{"1.5MiB", 0, false},
		{"15XB", 0, false},
		{"15 Mi B", 0, false},
	}
	for _, tc := range cases {
		got, err := ParseSize(tc.in)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
