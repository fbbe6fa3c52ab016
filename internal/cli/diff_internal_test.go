package cli

import (
	"bytes"
	"context"
	"testing"

	"annalist/internal/worddiff"
)

// TestPrintChunksKeepsEdgeSpaceOutsideMarkers: a changed stretch's edge
// white space goes outside its markers, as git's --word-diff prints it.
func TestPrintChunksKeepsEdgeSpaceOutsideMarkers(t *testing.T) {
	for _, tc := range []struct{ from, to, want string }{
		{"alpha beta gamma", "alpha delta gamma", "alpha [-beta-]{+delta+} gamma\n"},
		{"alpha beta gamma", "alpha beta gamma delta", "alpha beta gamma {+delta+}\n"},
		{"alpha beta gamma", "beta gamma", "[-alpha-] beta gamma\n"},
	} {
		chunks, err := worddiff.Diff(context.Background(), tc.from, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		printChunks(&b, chunks, true, false)
		if b.String() != tc.want {
			t.Errorf("%q -> %q: printed %q, want %q", tc.from, tc.to, b.String(), tc.want)
		}
	}
	if got := marked("{+", "\n\n", "+}"); got != "{+\n\n+}" {
		t.Errorf("white space only: %q, want it inside the markers", got)
	}
}
