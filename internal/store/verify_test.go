package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"annalist/internal/evidence"
)

func mustVerify(t *testing.T, s *Store) *VerifyReport {
	t.Helper()
	var calls int
	rep, err := s.Verify(context.Background(), func(done, total int64, file string) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files > 0 && calls == 0 {
		t.Error("no progress reported")
	}
	return rep
}

// problemFor finds the problem naming snapshot id.
func problemFor(rep *VerifyReport, id string) *VerifyProblem {
	for i, d := range rep.Damaged {
		for _, s := range d.Snapshots {
			if s == id {
				return &rep.Damaged[i]
			}
		}
	}
	return nil
}

func TestVerifyCleanArchive(t *testing.T) {
	dir, _, snaps := abandonedArchive(t, 5)
	MustOpenDir(t, dir, Options{NoSync: true}).Close() // repair closes the file
	s, err := OpenReadOnly(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rep := mustVerify(t, s)
	// warcinfo + 5 × (response, request, metadata)
	if len(rep.Damaged) != 0 || rep.Files != 1 || rep.Records != 16 || rep.Snapshots != len(snaps) {
		t.Errorf("clean archive: %+v", rep)
	}
}

// TestVerifyFindsDamage: a flipped byte in a response, a lost metadata
// record's worth of bytes, a record whose bytes no longer match its
// digests and a missing file are each reported with the snapshots they
// cost; everything else is not.
func TestVerifyFindsDamage(t *testing.T) {
	ctx := context.Background()
	dir, open, snaps := abandonedArchive(t, 6)
	ms := members(t, open)
	memberAt := func(off int64) (int, evidence.Member) {
		for i, m := range ms {
			if m.Offset == off {
				return i, m
			}
		}
		t.Fatalf("no member at %d", off)
		return 0, evidence.Member{}
	}
	// 1: gzip damage in snapshot 1's response.
	flipBytes(t, open, snaps[1].WARCOffset+50, 2)
	// 2: snapshot 3's metadata record (two members after its response) damaged.
	i3, _ := memberAt(snaps[3].WARCOffset)
	flipBytes(t, open, ms[i3+2].Offset+30, 2)
	// 3: snapshot 5's (the last) response rewritten whole but with one body
	// byte changed: gzip is fine, the digests are not.
	i5, m5 := memberAt(snaps[5].WARCOffset)
	data, _ := os.ReadFile(open)
	zr, _ := gzip.NewReader(bytes.NewReader(data[m5.Offset:m5.End]))
	zr.Multistream(false)
	rec, _ := io.ReadAll(zr)
	j := bytes.LastIndex(rec, []byte("</html>"))
	rec[j+2] = 'X'
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(rec)
	zw.Close()
	spliced := append(append(append([]byte{}, data[:m5.Offset]...), z.Bytes()...), data[ms[i5].End:]...)
	if err := os.WriteFile(open, spliced, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(open, strings.TrimSuffix(open, evidence.OpenSuffix)); err != nil {
		t.Fatal(err)
	}
	// 4: a snapshot pointing into a file that is gone.
	w := MustOpenDir(t, dir, Options{NoSync: true, WARCMaxSize: 1})
	lost := mustSave(t, w, page("lost", "Lost", "lost file text", t0))
	w.Close()
	lostSnap := func() *Snapshot {
		r, _ := OpenReadOnly(ctx, dir, Options{})
		defer r.Close()
		sn, _ := r.Snapshot(ctx, lost.SnapshotID)
		return sn
	}()
	if err := os.Remove(filepath.Join(dir, "warc", lostSnap.WARCFile)); err != nil {
		t.Fatal(err)
	}

	s, err := OpenReadOnly(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rep := mustVerify(t, s)
	for id, want := range map[string]string{
		snaps[1].ID:     "not a whole WARC record",
		snaps[3].ID:     "no intact metadata record",
		snaps[5].ID:     "digest mismatch",
		lost.SnapshotID: "WARC file missing",
	} {
		p := problemFor(rep, id)
		if p == nil || !strings.Contains(p.Problem, want) {
			t.Errorf("snapshot %s: problem %+v, want %q", id, p, want)
		}
	}
	if p := problemFor(rep, snaps[5].ID); p != nil && p.RecordID != snaps[5].WARCRecordID {
		t.Errorf("digest problem names record %q, want %q", p.RecordID, snaps[5].WARCRecordID)
	}
	for _, sn := range []*Snapshot{snaps[0], snaps[2], snaps[4]} {
		if p := problemFor(rep, sn.ID); p != nil {
			t.Errorf("intact snapshot %s reported: %+v", sn.ID, p)
		}
	}
	// The damaged metadata member itself is listed too (no snapshot named).
	if len(rep.Damaged) != 5 {
		t.Errorf("%d problems, want 5: %+v", len(rep.Damaged), rep.Damaged)
	}
}

// TestVerifyNamesTheSnapshotOfADamagedRequest: a damaged request record
// costs its snapshot's WARC copy (export refuses it: "a record among its
// own"), so verify names that snapshot too, as it names the snapshot of a
// damaged response; the snapshots around it are not named.
func TestVerifyNamesTheSnapshotOfADamagedRequest(t *testing.T) {
	ctx := context.Background()
	dir, open, snaps := abandonedArchive(t, 4)
	ms := members(t, open)
	i2 := -1
	for i, m := range ms {
		if m.Offset == snaps[2].WARCOffset {
			i2 = i
		}
	}
	if i2 < 0 {
		t.Fatal("no member at snapshot 2's offset")
	}
	flipBytes(t, open, ms[i2+1].Offset+30, 2) // the member after the response: its request
	if err := os.Rename(open, strings.TrimSuffix(open, evidence.OpenSuffix)); err != nil {
		t.Fatal(err)
	}
	s, err := OpenReadOnly(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.SnapshotRecords(ctx, snaps[2].ID); err == nil {
		t.Fatal("the snapshot's records read whole with its request damaged")
	}
	rep := mustVerify(t, s)
	if len(rep.Damaged) != 1 {
		t.Fatalf("%d problems, want 1: %+v", len(rep.Damaged), rep.Damaged)
	}
	p := rep.Damaged[0]
	if p.Offset != ms[i2+1].Offset || !strings.Contains(p.Problem, "not a whole WARC record") ||
		len(p.Snapshots) != 1 || p.Snapshots[0] != snaps[2].ID {
		t.Errorf("damaged request: %+v, want it to name snapshot %s", p, snaps[2].ID)
	}
}
