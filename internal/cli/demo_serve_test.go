package cli_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"annalist/internal/cli"
)

// lockedBuffer is a bytes.Buffer safe to read while a command writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestDemoServeListen (issue 12, point 8): `demo --listen ADDR` serves the
// demo archive there and prints the URL; an address that is taken fails at
// once, before the demo runs.
func TestDemoServeListen(t *testing.T) {
	var out, errb lockedBuffer
	m := &cli.Main{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- m.Run(ctx, []string{"demo", "--listen", "127.0.0.1:0"}) }()
	urlRE := regexp.MustCompile(`Browse the demo archive: (http://127\.0\.0\.1:\d+/) `)
	deadline := time.Now().Add(30 * time.Second)
	var url string
	for url == "" {
		if time.Now().After(deadline) {
			t.Fatalf("no URL printed:\n%s\n%s", out.String(), errb.String())
		}
		if m := urlRE.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("demo --listen: exit %d\n%s", code, errb.String())
	}
	// Point 6: the demo's output is not interleaved with INFO log lines.
	if strings.Contains(errb.String(), "level=INFO") || strings.Contains(errb.String(), "database migrated") {
		t.Errorf("demo logged INFO lines by default:\n%s", errb.String())
	}
	if !strings.Contains(out.String(), "Chiang Ching-kuo's Secret Mission and the Independence of Outer Mongolia") {
		t.Errorf("the demo article's title does not read as a title:\n%s", out.String())
	}

	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	var out2, errb2 bytes.Buffer
	m2 := &cli.Main{Stdout: &out2, Stderr: &errb2, Getenv: func(string) string { return "" }}
	if code := m2.Run(context.Background(), []string{"demo", "--listen", held.Addr().String()}); code != 1 || out2.Len() != 0 ||
		!strings.Contains(errb2.String(), "--listen "+held.Addr().String()) {
		t.Fatalf("demo --listen on a taken port: exit %d, stdout %q, stderr %q; want exit 1 before the demo", code, out2.String(), errb2.String())
	}
}
