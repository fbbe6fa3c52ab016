package export

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// WACZVersion is the version of the WACZ specification we write.
const WACZVersion = "1.1.1"

// waczWARCName is the WARC's name inside the package's archive/ folder.
const waczWARCName = "data.warc.gz"

// Resource is one file of a WACZ as datapackage.json lists it.
type Resource struct {
	Name  string `json:"name"`
	Path  string `json:"path"`
	Hash  string `json:"hash"` // "sha256:<hex>"
	Bytes int64  `json:"bytes"`
}

// DataPackage is a WACZ's datapackage.json.
type DataPackage struct {
	Profile      string     `json:"profile"`
	Resources    []Resource `json:"resources"`
	WACZVersion  string     `json:"wacz_version"`
	Title        string     `json:"title,omitempty"`
	Created      string     `json:"created"`
	Modified     string     `json:"modified"`
	Software     string     `json:"software,omitempty"`
	MainPageURL  string     `json:"mainPageUrl,omitempty"`
	MainPageDate string     `json:"mainPageDate,omitempty"`
}

// WriteWACZ writes the snapshots ids as a WACZ package to w. The WARC is
// staged in a temporary file first: the package needs its size, CRC and
// SHA-256 before its bytes, and its index the records' offsets.
func WriteWACZ(ctx context.Context, w io.Writer, src Records, ids []string, o Options) (*Summary, error) {
	tmp, err := os.CreateTemp(o.TempDir, "annalist-export-*.warc.gz")
	if err != nil {
		return nil, fmt.Errorf("stage WARC: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	res, err := writeWARC(ctx, tmp, waczWARCName, src, ids, o)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	mod := now().UTC()
	zw := zip.NewWriter(w)
	var resources []Resource

	// archive/ members are stored, not deflated: replay tools read records
	// by byte range straight out of the zip.
	warcRes, err := addStaged(zw, tmp, "archive/"+waczWARCName, mod)
	if err != nil {
		return nil, err
	}
	resources = append(resources, warcRes)

	// Sorted by key and timestamp; captures within one second stay in the
	// order they were made.
	sort.SliceStable(res.index, func(i, j int) bool {
		a, b := res.index[i], res.index[j]
		if a.key != b.key {
			return a.key < b.key
		}
		return a.ts < b.ts
	})
	var cdxj strings.Builder
	for _, e := range res.index {
		cdxj.WriteString(e.cdxjLine())
	}
	r, err := addFile(zw, "indexes/index.cdxj", []byte(cdxj.String()), mod)
	if err != nil {
		return nil, err
	}
	resources = append(resources, r)

	var pages strings.Builder
	pages.WriteString(`{"format":"json-pages-1.0","id":"pages","title":"All Pages"}` + "\n")
	for _, p := range res.pages {
		b, err := json.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("pages.jsonl: %w", err)
		}
		pages.Write(b)
		pages.WriteByte('\n')
	}
	r, err = addFile(zw, "pages/pages.jsonl", []byte(pages.String()), mod)
	if err != nil {
		return nil, err
	}
	resources = append(resources, r)

	created := mod.Format(time.RFC3339)
	dp := DataPackage{
		Profile: "data-package", Resources: resources, WACZVersion: WACZVersion,
		Title: o.Title, Created: created, Modified: created, Software: o.Software,
	}
	if len(res.pages) > 0 {
		dp.MainPageURL, dp.MainPageDate = res.pages[0].URL, res.pages[0].TS
	}
	dpJSON, err := json.MarshalIndent(dp, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("datapackage.json: %w", err)
	}
	dpRes, err := addFile(zw, "datapackage.json", dpJSON, mod)
	if err != nil {
		return nil, err
	}
	// The digest of datapackage.json, which a signature would cover.
	digest, err := json.MarshalIndent(map[string]string{"path": "datapackage.json", "hash": dpRes.Hash}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("datapackage-digest.json: %w", err)
	}
	if _, err := addFile(zw, "datapackage-digest.json", digest, mod); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("finish WACZ: %w", err)
	}
	return &res.Summary, nil
}

// addStaged stores the staged file f in the zip under path, uncompressed,
// with its size and CRC in the local header (no data descriptor), and
// returns its resource entry.
func addStaged(zw *zip.Writer, f *os.File, path string, mod time.Time) (Resource, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Resource{}, fmt.Errorf("stage %s: %w", path, err)
	}
	crc, sha := crc32.NewIEEE(), sha256.New()
	n, err := io.Copy(io.MultiWriter(crc, sha), f)
	if err != nil {
		return Resource{}, fmt.Errorf("stage %s: %w", path, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Resource{}, fmt.Errorf("stage %s: %w", path, err)
	}
	fh := &zip.FileHeader{Name: path, Method: zip.Store, CRC32: crc.Sum32(),
		CompressedSize64: uint64(n), UncompressedSize64: uint64(n)}
	setModified(fh, mod)
	zf, err := zw.CreateRaw(fh)
	if err != nil {
		return Resource{}, fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := io.Copy(zf, f); err != nil {
		return Resource{}, fmt.Errorf("write %s: %w", path, err)
	}
	return Resource{Name: baseName(path), Path: path, Hash: "sha256:" + hex.EncodeToString(sha.Sum(nil)), Bytes: n}, nil
}

// addFile stores a small file in the zip. Uncompressed like the WARC:
// these are small, and every reader handles a stored member.
func addFile(zw *zip.Writer, path string, data []byte, mod time.Time) (Resource, error) {
	fh := &zip.FileHeader{Name: path, Method: zip.Store, CRC32: crc32.ChecksumIEEE(data),
		CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(len(data))}
	setModified(fh, mod)
	zf, err := zw.CreateRaw(fh)
	if err != nil {
		return Resource{}, fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := zf.Write(data); err != nil {
		return Resource{}, fmt.Errorf("write %s: %w", path, err)
	}
	sum := sha256.Sum256(data)
	return Resource{Name: baseName(path), Path: path, Hash: "sha256:" + hex.EncodeToString(sum[:]), Bytes: int64(len(data))}, nil
}

// setModified dates a header for CreateRaw, which (unlike CreateHeader)
// does not turn Modified into the MS-DOS fields zip tools list.
func setModified(fh *zip.FileHeader, t time.Time) {
	fh.Modified = t
	fh.SetModTime(t) //nolint:staticcheck // the only setter of the MS-DOS date and time
}

func baseName(path string) string {
	return path[strings.LastIndexByte(path, '/')+1:]
}
