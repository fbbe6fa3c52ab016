package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"annalist/internal/evidence"
)

// VerifyProblem is one damaged thing verify found.
type VerifyProblem struct {
	File      string   `json:"file"`      // WARC file name (final, without .open)
	Offset    int64    `json:"offset"`    // where the damaged record or stretch starts
	End       int64    `json:"end"`       // where a damaged stretch ends (0 for a pointer problem: always present in JSON)
	RecordID  string   `json:"record_id"` // "" when the damage hides it
	Problem   string   `json:"problem"`   // what is wrong
	Snapshots []string `json:"snapshots"` // snapshots whose raw record (or WARC copy) this costs
}

// VerifyReport is what Verify checked and found.
type VerifyReport struct {
	Files     int             `json:"files"`
	Records   int             `json:"records"`
	Snapshots int             `json:"snapshots"`
	Bytes     int64           `json:"bytes"`
	Damaged   []VerifyProblem `json:"damaged"`
}

// VerifyProgress is told how far Verify has read: bytes of WARC files done
// of total, and the file being read.
type VerifyProgress func(done, total int64, file string)

// warcRecordAt is what verify remembers of an intact record.
type warcRecordAt struct {
	typ, id, payloadDigest string
	hasMeta                bool // a response with an intact metadata record referring to it
}

// Verify reads every WARC file record by record, checking that each gzip
// member holds a whole record and that its block and payload digests match
// its bytes, then checks every snapshot's pointer: the file exists, a
// record starts at the offset, with the snapshot's record ID and payload
// digest, and (in files written with metadata records) a metadata record
// refers to it. It only reads: safe on a read-only Store and beside a
// running daemon (an unfinished record at the end of a live writer's .open
// file is not damage unless a snapshot points into it).
func (s *Store) Verify(ctx context.Context, progress VerifyProgress) (*VerifyReport, error) {
	dir := s.WARCDir()
	files, total, err := evidence.ListFiles(dir)
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("verify: %w", err)
	}
	rep := &VerifyReport{Files: len(files), Bytes: total, Damaged: []VerifyProblem{}}
	records, withMeta, err := scanForVerify(ctx, dir, files, total, progress, rep)
	if err != nil {
		return nil, err
	}
	pointer, offsets, err := s.checkPointers(ctx, rep, records, withMeta)
	if err != nil {
		return nil, err
	}
	// An unfinished tail of a live file that no snapshot points into is a
	// write in progress (or one repair will cut), not damage.
	kept := rep.Damaged[:0]
	for _, d := range rep.Damaged {
		if strings.HasPrefix(d.Problem, "unfinished record") && len(d.Snapshots) == 0 {
			continue
		}
		kept = append(kept, d)
	}
	rep.Damaged = append(kept, pointer...)
	if err := s.nameOwners(ctx, rep, offsets); err != nil {
		return nil, err
	}
	return rep, nil
}

// snapshotAt is a snapshot's page-1 response offset in its WARC file.
type snapshotAt struct {
	id  string
	off int64
}

// nameOwners names, on each damaged stretch that names no snapshot, the
// snapshot it is one of the records of (a request, a later page): the
// last snapshot whose response precedes it in its file, when that
// snapshot's records no longer read whole (SnapshotRecords: what export
// and the web UI's WARC download read) and no other problem names it
// already (a lost metadata record is a pointer problem of its own).
// offsets are the snapshots' responses by file, in offset order.
func (s *Store) nameOwners(ctx context.Context, rep *VerifyReport, offsets map[string][]snapshotAt) error {
	named := map[string]bool{}
	for _, d := range rep.Damaged {
		for _, id := range d.Snapshots {
			named[id] = true
		}
	}
	for i := range rep.Damaged {
		d := &rep.Damaged[i]
		if len(d.Snapshots) > 0 || d.End == 0 {
			continue
		}
		var owner string
		for _, sn := range offsets[d.File] {
			if sn.off >= d.Offset {
				break
			}
			owner = sn.id
		}
		if owner == "" || named[owner] {
			continue
		}
		if _, err := s.SnapshotRecords(ctx, owner); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			d.Snapshots = append(d.Snapshots, owner)
			named[owner] = true
		}
	}
	return nil
}

// scanForVerify reads files record by record, counting records in rep and
// adding the damage it finds to rep.Damaged, and returns the intact records
// by final file name and offset, and the files that hold metadata records.
func scanForVerify(ctx context.Context, dir string, files []evidence.File, total int64, progress VerifyProgress, rep *VerifyReport) (map[string]map[int64]*warcRecordAt, map[string]bool, error) {
	records := map[string]map[int64]*warcRecordAt{} // final name → offset → record
	withMeta := map[string]bool{}                   // files that hold metadata records
	var done int64
	for _, f := range files {
		recs := map[int64]*warcRecordAt{}
		records[f.Final] = recs
		byID := map[string]*warcRecordAt{}
		err := evidence.ScanFile(filepath.Join(dir, f.Name), func(m *evidence.Member) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if progress != nil {
				progress(done+m.End, total, f.Final)
			}
			if m.Err != nil {
				if strings.HasSuffix(f.Name, evidence.OpenSuffix) && m.End == f.Size {
					// Perhaps a record being appended right now: judged
					// below only if a snapshot points into it.
					rep.Damaged = append(rep.Damaged, VerifyProblem{File: f.Final, Offset: m.Offset, End: m.End,
						Problem: "unfinished record at the end of a file still open: " + m.Err.Error(), Snapshots: []string{}})
					return nil
				}
				rep.Damaged = append(rep.Damaged, VerifyProblem{File: f.Final, Offset: m.Offset, End: m.End,
					Problem: "not a whole WARC record: " + m.Err.Error(), Snapshots: []string{}})
				return nil
			}
			rep.Records++
			r := m.Rec
			if bad := r.CheckDigests(); bad != "" {
				rep.Damaged = append(rep.Damaged, VerifyProblem{File: f.Final, Offset: m.Offset, End: m.End,
					RecordID: r.RecordID, Problem: bad, Snapshots: []string{}})
				return nil
			}
			at := &warcRecordAt{typ: r.Type, id: r.RecordID, payloadDigest: r.PayloadDigest}
			recs[m.Offset] = at
			byID[r.RecordID] = at
			if r.Type == "metadata" {
				if _, ok := evidence.ParseSnapshotMeta(r.Block); ok {
					withMeta[f.Final] = true
					if resp := byID[r.RefersTo]; resp != nil {
						resp.hasMeta = true
					}
				}
			}
			return nil
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			return nil, nil, fmt.Errorf("verify %s: %w", f.Name, err)
		}
		done += f.Size
	}
	return records, withMeta, nil
}

// checkPointers checks every snapshot's pointer against the records read:
// a snapshot pointing into a damaged stretch is added to that problem in
// rep.Damaged; any other bad pointer is returned as a problem of its own.
// It also returns every snapshot's response offset by file, in order.
func (s *Store) checkPointers(ctx context.Context, rep *VerifyReport, records map[string]map[int64]*warcRecordAt, withMeta map[string]bool) ([]VerifyProblem, map[string][]snapshotAt, error) {
	// Damaged stretches, by file, to find the snapshots they cost.
	stretch := func(file string, off int64) *VerifyProblem {
		for i := range rep.Damaged {
			d := &rep.Damaged[i]
			if d.File == file && off >= d.Offset && off < d.End {
				return d
			}
		}
		return nil
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT id, warc_file, warc_offset, warc_record_id, payload_digest FROM snapshots
		ORDER BY warc_file, warc_offset, id`)
	if err != nil {
		return nil, nil, fmt.Errorf("verify: read snapshots: %w", err)
	}
	defer rows.Close()
	var pointer []VerifyProblem
	offsets := map[string][]snapshotAt{}
	for rows.Next() {
		var id, file, recID, digest string
		var off int64
		if err := rows.Scan(&id, &file, &off, &recID, &digest); err != nil {
			return nil, nil, fmt.Errorf("verify: read snapshots: %w", err)
		}
		rep.Snapshots++
		offsets[file] = append(offsets[file], snapshotAt{id: id, off: off})
		recs, ok := records[file]
		switch {
		case !ok:
			pointer = append(pointer, VerifyProblem{File: file, Offset: off, RecordID: recID,
				Problem: "WARC file missing", Snapshots: []string{id}})
		case stretch(file, off) != nil:
			d := stretch(file, off)
			d.Snapshots = append(d.Snapshots, id)
		case recs[off] == nil:
			pointer = append(pointer, VerifyProblem{File: file, Offset: off, RecordID: recID,
				Problem: "no record starts at this offset", Snapshots: []string{id}})
		case recs[off].id != recID:
			pointer = append(pointer, VerifyProblem{File: file, Offset: off, RecordID: recID,
				Problem: fmt.Sprintf("the record here is %s, not the snapshot's", recs[off].id), Snapshots: []string{id}})
		case recs[off].payloadDigest != digest:
			pointer = append(pointer, VerifyProblem{File: file, Offset: off, RecordID: recID,
				Problem: fmt.Sprintf("payload digest %s, the snapshot says %s", recs[off].payloadDigest, digest), Snapshots: []string{id}})
		case withMeta[file] && !recs[off].hasMeta:
			pointer = append(pointer, VerifyProblem{File: file, Offset: off, RecordID: recID,
				Problem: "no intact metadata record refers to this response: the WARC files cannot rebuild this snapshot", Snapshots: []string{id}})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("verify: read snapshots: %w", err)
	}
	return pointer, offsets, nil
}
