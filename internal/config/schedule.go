package config

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// ParseSchedule parses a cron spec the way every annalist component must:
// robfig/cron/v3's standard five-field syntax plus descriptors ("@hourly",
// "@every 1h"). A spec without a "CRON_TZ=" or "TZ=" prefix is evaluated in
// UTC, never in the machine's local zone, so a schedule means the same on
// every host.
func ParseSchedule(spec string) (cron.Schedule, error) {
	s, err := parseSchedule(spec)
	if err != nil {
		return nil, fmt.Errorf("config: schedule %q: %w", spec, err)
	}
	return s, nil
}

func parseSchedule(spec string) (cron.Schedule, error) {
	s := strings.TrimSpace(spec)
	if s == "" {
		return nil, errors.New("empty schedule")
	}
	body := s
	if strings.HasPrefix(s, "CRON_TZ=") || strings.HasPrefix(s, "TZ=") {
		_, rest, _ := strings.Cut(s, " ")
		body = strings.TrimSpace(rest)
		if body == "" {
			// cron v3.0.1 panics on a bare "CRON_TZ=X".
			return nil, errors.New("time zone prefix must be followed by a schedule, e.g. \"CRON_TZ=Europe/Rome 0 6 * * *\"")
		}
	} else {
		s = "CRON_TZ=UTC " + s
	}
	// cron.Every silently turns a zero or negative interval into one second.
	if d, ok := strings.CutPrefix(body, "@every "); ok {
		iv, err := time.ParseDuration(strings.TrimSpace(d))
		if err != nil {
			return nil, fmt.Errorf("bad @every interval: %w", err)
		}
		if iv <= 0 {
			return nil, fmt.Errorf("@every interval must be positive, got %s", iv)
		}
	}
	return safeCronParse(s)
}

// safeCronParse turns a panic inside robfig/cron into an error; its parser
// has panicked on malformed input before.
func safeCronParse(spec string) (s cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("invalid schedule: %v", r)
		}
	}()
	return cron.ParseStandard(spec)
}
