package store

import (
	"context"
	"errors"
	"fmt"

	"annalist/internal/evidence"
)

// ReadWARCRecord reads the record at offset in file, a name relative to
// WARCDir as stored in Snapshot.WARCFile (package evidence does the
// reading). Names with path elements, and files that are not there, give
// ErrNotFound.
func (s *Store) ReadWARCRecord(ctx context.Context, file string, offset int64) (*WARCRecord, error) {
	rec, err := evidence.ReadRecord(ctx, s.WARCDir(), file, offset)
	if errors.Is(err, evidence.ErrNotFound) {
		return nil, fmt.Errorf("%w: WARC file %q", ErrNotFound, file)
	}
	return rec, err
}
