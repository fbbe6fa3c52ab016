package cli

import (
	"net"
	"strings"
	"testing"
)

// TestDemoListenFallsBackToAFreePort (issue 12, point 8): with
// 127.0.0.1:8080 taken, `demo --serve` serves on another port instead of
// failing.
func TestDemoListenFallsBackToAFreePort(t *testing.T) {
	if held, err := net.Listen("tcp", demoDefaultListen); err == nil {
		defer held.Close()
	} // else something else holds it, which is the case under test too
	ln, err := demoListen("")
	if err != nil {
		t.Fatalf("demoListen with 8080 taken: %v", err)
	}
	defer ln.Close()
	if strings.HasSuffix(ln.Addr().String(), ":8080") {
		t.Fatalf("demoListen = %s, want another port", ln.Addr())
	}
}
