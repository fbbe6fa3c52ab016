package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must return a valid config
// or errors that are all *Error, and never panic.
func FuzzParse(f *testing.F) {
	for _, p := range []string{
		filepath.Join("testdata", "valid", "config.yaml"),
		filepath.Join("testdata", "bad", "source-shapes", "config.yaml"),
		filepath.Join("testdata", "bad", "wrong-type", "config.yaml"),
	} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(bytes.NewReader(data), "fuzz.yaml", dir)
		if err != nil {
			if c != nil {
				t.Fatalf("config and error both returned")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error is not ErrInvalid: %v", err)
			}
			return
		}
		for i, s := range c.Sources {
			if i > 0 && c.Sources[i-1].Name >= s.Name {
				t.Fatalf("sources not sorted and unique: %q then %q", c.Sources[i-1].Name, s.Name)
			}
			if _, err := ParseSchedule(s.Schedule); err != nil {
				t.Fatalf("accepted source %q with bad schedule: %v", s.Name, err)
			}
			if checkFeedURL(s.Feed) != nil || checkName(s.Name) != nil {
				t.Fatalf("accepted invalid source %+v", s)
			}
		}
	})
}
