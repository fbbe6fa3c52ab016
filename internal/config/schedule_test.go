package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseSchedule(t *testing.T) {
	// 1 July: Rome is on CEST (UTC+2); 1 January: CET (UTC+1).
	summer := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	winter := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		spec string
		from time.Time
		want time.Time
	}{
		// No prefix: UTC, whatever time.Local is.
		{"0 12 * * *", summer, time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)},
		{"@daily", summer.Add(time.Minute), time.Date(2025, 7, 2, 0, 0, 0, 0, time.UTC)},
		{"@every 1h", summer, summer.Add(time.Hour)},
		{"CRON_TZ=Europe/Rome 0 12 * * *", summer, time.Date(2025, 7, 1, 10, 0, 0, 0, time.UTC)},
		{"CRON_TZ=Europe/Rome 0 12 * * *", winter, time.Date(2025, 1, 1, 11, 0, 0, 0, time.UTC)},
		{"TZ=America/New_York 0 12 * * *", winter, time.Date(2025, 1, 1, 17, 0, 0, 0, time.UTC)},
	}
	for _, tc := range cases {
		s, err := ParseSchedule(tc.spec)
		if err != nil {
			t.Errorf("ParseSchedule(%q): %v", tc.spec, err)
			continue
		}
		if got := s.Next(tc.from); !got.Equal(tc.want) {
			t.Errorf("ParseSchedule(%q).Next(%v) = %v, want %v", tc.spec, tc.from, got.UTC(), tc.want)
		}
	}
}

func TestParseScheduleLocalIgnored(t *testing.T) {
	saved := time.Local
	t.Cleanup(func() { time.Local = saved })
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	time.Local = loc
	s, err := ParseSchedule("0 12 * * *")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	if got, want := s.Next(from), time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Next = %v, want %v (UTC, not time.Local)", got.UTC(), want)
	}
}

func TestParseScheduleErrors(t *testing.T) {
	cases := map[string]string{
		"":                                    "empty schedule",
		"   ":                                 "empty schedule",
		"every hour":                          "expected exactly 5 fields",
		"0 12 * *":                            "expected exactly 5 fields",
		"61 * * * *":                          "above maximum",
		"CRON_TZ=Mars/Olympus_Mons 0 * * * *": "unknown time zone",
		"@every -1h":                          "must be positive",
		"@every 0s":                           "must be positive",
		"@every soon":                         "bad @every interval",
		"@fortnightly":                        "unrecognized descriptor",
	}
	for spec, want := range cases {
		_, err := ParseSchedule(spec)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "config: schedule ") {
			t.Errorf("ParseSchedule(%q) = %v, want an error containing %q", spec, err, want)
		}
	}
}
