package evidence

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

// File is one WARC file in the archive's WARC directory.
type File struct {
	Name  string // as on disk, perhaps with OpenSuffix
	Final string // without OpenSuffix
	Size  int64
}

// ListFiles lists dir's WARC files, finished and still open, by name,
// and their total size. An error reading dir itself is returned as it is,
// so that a caller can accept a missing directory (os.IsNotExist).
func ListFiles(dir string) ([]File, int64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, 0, err
	}
	var files []File
	var total int64
	for _, e := range entries {
		final := strings.TrimSuffix(e.Name(), OpenSuffix)
		if e.IsDir() || !ValidName(final) || !strings.HasSuffix(final, ".gz") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, 0, fmt.Errorf("stat %s: %w", e.Name(), err)
		}
		files = append(files, File{e.Name(), final, info.Size()})
		total += info.Size()
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, total, nil
}
