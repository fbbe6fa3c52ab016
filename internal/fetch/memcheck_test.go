package fetch_test

import (
	"bufio"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"annalist/internal/faultsite"
	"annalist/internal/fetch"
)

const envMemURL = "ANNALIST_TEST_MEMCHECK_URL"

// TestMemCheckChild fetches the URL it is given with the default body cap
// and prints its peak RSS (VmHWM); run by TestPeakRSSFetching2GB.
func TestMemCheckChild(t *testing.T) {
	u := os.Getenv(envMemURL)
	if u == "" {
		t.Skip("run by TestPeakRSSFetching2GB")
	}
	c := fetch.New(fetch.Options{AllowPrivateNetworks: true}) // default MaxBody, 15 MiB
	_, err := c.Get(context.Background(), fetch.Request{URL: u})
	if !errors.Is(err, fetch.ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	os.Stdout.WriteString("VmHWM_KB=" + strconv.Itoa(vmHWM(t)) + "\n")
}

func vmHWM(t *testing.T) int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// TestPeakRSSFetching2GB: fetching a 2 GiB response (chunked, gzip bomb,
// brotli bomb) keeps the fetching process's peak RSS under 100 MB. The
// server runs here; the fetch runs in a child process so its peak is its own.
func TestPeakRSSFetching2GB(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc")
	}
	srv := httptest.NewServer(faultsite.New().Handler())
	defer srv.Close()
	for _, path := range []string{faultsite.HTTP2GB, faultsite.HTTPGzipBomb, faultsite.HTTPBrotliBomb} {
		t.Run(strings.TrimPrefix(path, "/http/"), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestMemCheckChild$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), envMemURL+"="+srv.URL+path)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			_, after, ok := strings.Cut(string(out), "VmHWM_KB=")
			if !ok {
				t.Fatalf("child printed no VmHWM:\n%s", out)
			}
			kb, _ := strconv.Atoi(strings.Fields(after)[0])
			t.Logf("peak RSS fetching %s with the default 15 MiB cap: %.1f MB", path, float64(kb)/1024)
			if kb > 100*1000 && !raceEnabled {
				t.Fatalf("peak RSS %d kB, want under 100 MB", kb)
			}
		})
	}
}
