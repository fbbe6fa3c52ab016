package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"annalist/internal/evidence"
)

// abandonedArchive stores n pages in one WARC file, closes the store and
// renames the file back to .open, as a writer killed before Close leaves
// it. It returns the archive directory, the .open path and the snapshots.
func abandonedArchive(t *testing.T, n int) (string, string, []*Snapshot) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	var snaps []*Snapshot
	for i := range n {
		res := mustSave(t, s, page(fmt.Sprintf("rep%d", i), fmt.Sprintf("Repair %d", i), fmt.Sprintf("repair text number %d", i), t0.Add(time.Duration(i)*time.Minute)))
		sn, err := s.Snapshot(ctx, res.SnapshotID)
		if err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, sn)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "warc", snaps[0].WARCFile)
	if err := os.Rename(path, path+evidence.OpenSuffix); err != nil {
		t.Fatal(err)
	}
	return dir, path + evidence.OpenSuffix, snaps
}

// members lists the members of a WARC file.
func members(t *testing.T, path string) []evidence.Member {
	t.Helper()
	var ms []evidence.Member
	if err := evidence.ScanFile(path, func(m *evidence.Member) error { ms = append(ms, *m); return nil }); err != nil {
		t.Fatal(err)
	}
	return ms
}

// TestRepairKeepsIntactRecordsAfterDamage reproduces issue 9: two flipped
// bytes early in an abandoned .open file used to make repair cut the file
// there, dropping every intact record after it. Now repair (in a writing
// process only) cuts only the torn tail, the damaged member stays in place,
// and every other snapshot keeps its raw record.
func TestRepairKeepsIntactRecordsAfterDamage(t *testing.T) {
	ctx := context.Background()
	dir, open, snaps := abandonedArchive(t, 30)
	damaged := snaps[1]
	flipBytes(t, open, damaged.WARCOffset+40, 2)
	whole, err := os.ReadFile(open)
	if err != nil {
		t.Fatal(err)
	}
	// A torn tail: half of a record a killed writer was appending.
	tail := whole[snaps[2].WARCOffset : snaps[2].WARCOffset+200]
	f, err := os.OpenFile(open, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(tail)
	f.Close()

	s := MustOpenDir(t, dir, Options{NoSync: true})
	final := filepath.Join(dir, "warc", damaged.WARCFile)
	got, err := os.ReadFile(final)
	if err != nil {
		t.Fatalf("repaired file: %v", err)
	}
	if !bytes.Equal(got, whole) {
		t.Fatalf("repair kept %d bytes of %d (+%d torn): want exactly the file without its torn tail", len(got), len(whole), len(tail))
	}
	for _, sn := range snaps {
		rec, err := s.ReadWARCRecord(ctx, sn.WARCFile, sn.WARCOffset)
		if sn.ID == damaged.ID {
			if err == nil {
				t.Errorf("damaged record %s read back", sn.ID)
			}
			continue
		}
		if err != nil || rec.RecordID != sn.WARCRecordID {
			t.Errorf("intact record of %s after the damaged one: %v", sn.ID, err)
		}
	}
	// The database copy shows every snapshot, the damaged one included.
	for _, sn := range snaps {
		got, err := s.Snapshot(ctx, sn.ID)
		if err != nil || got.Text != sn.Text || got.Damaged != "" {
			t.Errorf("snapshot %s: %v", sn.ID, err)
		}
	}
}

// TestRepairNeverCutsBelowAReferencedOffset: an abandoned file whose last
// whole record is followed by a damaged response that a committed snapshot
// points at is renamed but not cut.
func TestRepairNeverCutsBelowAReferencedOffset(t *testing.T) {
	dir, open, snaps := abandonedArchive(t, 3)
	last := snaps[len(snaps)-1]
	var respEnd int64
	for _, m := range members(t, open) {
		if m.Offset == last.WARCOffset {
			respEnd = m.End
		}
	}
	if respEnd == 0 {
		t.Fatal("last response not found")
	}
	// The request and metadata records after it are lost, the response damaged.
	if err := os.Truncate(open, respEnd); err != nil {
		t.Fatal(err)
	}
	flipBytes(t, open, last.WARCOffset+60, 2)
	MustOpenDir(t, dir, Options{NoSync: true})
	st, err := os.Stat(filepath.Join(dir, "warc", last.WARCFile))
	if err != nil {
		t.Fatalf("repaired file: %v", err)
	}
	if st.Size() != respEnd {
		t.Errorf("file cut to %d bytes below the referenced record at %d (was %d)", st.Size(), last.WARCOffset, respEnd)
	}
}
