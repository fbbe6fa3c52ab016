package cli_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"annalist/internal/cli"
	"annalist/internal/demosite"
)

// exportFixture is a fixture whose archive holds every demo article once
// and the sample article twice (a real revision between two fetches).
func exportFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	if _, stderr, code := f.run("fetch"); code != 0 {
		t.Fatalf("fetch: exit %d: %s", code, stderr)
	}
	f.site.Revise(sample, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), func(p []string) []string {
		return append(p, "A paragraph added in the revision, about the Kuomintang archives in Taipei.")
	})
	// An hour later, so that the two snapshots' WARC-Dates (to the second,
	// as replay tools tell captures apart) differ.
	var errb bytes.Buffer
	m := &cli.Main{Stdout: io.Discard, Stderr: &errb, Stdin: strings.NewReader(""),
		Now: func() time.Time { return time.Now().Add(time.Hour) },
		Getenv: func(k string) string {
			if k == "ANNALIST_CONFIG" {
				return f.cfg
			}
			return ""
		}}
	if code := m.Run(context.Background(), []string{"fetch"}); code != 0 {
		t.Fatalf("second fetch: exit %d: %s", code, errb.String())
	}
	return f
}

// warcRecord is one record of a WARC file read member by member.
type warcRecord struct {
	offset, length int64
	headers        map[string]string
	block          []byte
}

// readMembers splits gzipped WARC data into its members and parses each as
// one WARC record; a member holding more or less than one record fails.
func readMembers(t *testing.T, data []byte) []warcRecord {
	t.Helper()
	var out []warcRecord
	br := bytes.NewReader(data)
	for br.Len() > 0 {
		start := int64(len(data) - br.Len())
		zr, err := gzip.NewReader(br)
		if err != nil {
			t.Fatalf("member at %d: %v", start, err)
		}
		zr.Multistream(false)
		raw, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("member at %d: %v", start, err)
		}
		end := int64(len(data) - br.Len())
		out = append(out, parseWARCRecord(t, raw, start, end-start))
	}
	return out
}

func parseWARCRecord(t *testing.T, raw []byte, off, n int64) warcRecord {
	t.Helper()
	head, rest, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok || !bytes.HasPrefix(head, []byte("WARC/1.1\r\n")) {
		t.Fatalf("member at %d is not a WARC/1.1 record: %.80q", off, raw)
	}
	h := map[string]string{}
	for _, line := range strings.Split(string(head), "\r\n")[1:] {
		k, v, _ := strings.Cut(line, ":")
		h[strings.ToLower(k)] = strings.TrimSpace(v)
	}
	cl, err := strconv.Atoi(h["content-length"])
	if err != nil || len(rest) != cl+4 || !bytes.HasSuffix(rest, []byte("\r\n\r\n")) {
		t.Fatalf("member at %d: Content-Length %q does not frame one record (%d bytes after the header)", off, h["content-length"], len(rest))
	}
	return warcRecord{offset: off, length: n, headers: h, block: rest[:cl]}
}

func sha1Base32(b []byte) string {
	s := sha1.Sum(b)
	return "sha1:" + base32.StdEncoding.EncodeToString(s[:])
}

func TestExportWACZ(t *testing.T) {
	f := exportFixture(t)
	out := filepath.Join(t.TempDir(), "kuo.wacz")
	var res map[string]any
	f.runJSON(&res, "export", f.base+demosite.Path(sample), "-o", out, "--json")
	var ks []string
	for k := range res {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	if want := sorted("file", "format", "bytes", "snapshots", "records", "warc_bytes"); !reflect.DeepEqual(ks, want) {
		t.Fatalf("export --json keys = %v, want %v", ks, want)
	}
	if res["format"] != "wacz" || res["snapshots"] != float64(2) || res["file"] != out {
		t.Fatalf("export --json = %v, want 2 snapshots as wacz in %s", res, out)
	}

	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatalf("open %s: %v", out, err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	var names []string
	for _, zf := range zr.File {
		names = append(names, zf.Name)
		if strings.HasPrefix(zf.Name, "archive/") && zf.Method != zip.Store {
			t.Errorf("%s is compressed (method %d); replay reads it by byte range, it must be stored", zf.Name, zf.Method)
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[zf.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("read %s: %v", zf.Name, err)
		}
	}
	if want := []string{"archive/data.warc.gz", "indexes/index.cdxj", "pages/pages.jsonl", "datapackage.json", "datapackage-digest.json"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("WACZ members = %v, want %v", names, want)
	}

	var dp struct {
		Profile     string `json:"profile"`
		WACZVersion string `json:"wacz_version"`
		Created     string `json:"created"`
		Software    string `json:"software"`
		Resources   []struct {
			Name, Path, Hash string
			Bytes            int64
		} `json:"resources"`
	}
	if err := json.Unmarshal(files["datapackage.json"], &dp); err != nil {
		t.Fatalf("datapackage.json: %v", err)
	}
	if dp.Profile != "data-package" || dp.WACZVersion != "1.1.1" || dp.Software == "" {
		t.Fatalf("datapackage.json = %+v", dp)
	}
	if _, err := time.Parse(time.RFC3339, dp.Created); err != nil {
		t.Fatalf("datapackage.json created %q: %v", dp.Created, err)
	}
	if len(dp.Resources) != 3 {
		t.Fatalf("datapackage.json lists %d resources, want 3: %+v", len(dp.Resources), dp.Resources)
	}
	for _, r := range dp.Resources {
		data, ok := files[r.Path]
		sum := sha256.Sum256(data)
		if !ok || r.Hash != "sha256:"+hex.EncodeToString(sum[:]) || r.Bytes != int64(len(data)) {
			t.Errorf("resource %s: hash %s bytes %d; the file has sha256:%x and %d bytes", r.Path, r.Hash, r.Bytes, sum, len(data))
		}
	}
	sum := sha256.Sum256(files["datapackage.json"])
	var dpd struct{ Path, Hash string }
	if err := json.Unmarshal(files["datapackage-digest.json"], &dpd); err != nil || dpd.Path != "datapackage.json" || dpd.Hash != "sha256:"+hex.EncodeToString(sum[:]) {
		t.Errorf("datapackage-digest.json = %s (%v)", files["datapackage-digest.json"], err)
	}

	// The WARC: a warcinfo record, then per snapshot its response, request
	// and metadata records, each its own gzip member.
	recs := readMembers(t, files["archive/data.warc.gz"])
	var types []string
	for _, r := range recs {
		types = append(types, r.headers["warc-type"])
	}
	if want := []string{"warcinfo", "response", "request", "metadata", "response", "request", "metadata"}; !reflect.DeepEqual(types, want) {
		t.Fatalf("WARC record types = %v, want %v", types, want)
	}
	byOffset := map[int64]warcRecord{}
	for _, r := range recs {
		byOffset[r.offset] = r
		if got := r.headers["warc-block-digest"]; r.headers["warc-type"] != "warcinfo" && got != sha1Base32(r.block) {
			t.Errorf("record at %d: block digest %s, the block has %s", r.offset, got, sha1Base32(r.block))
		}
	}

	// The index: sorted CDXJ lines, one per response, each pointing at it.
	lines := strings.Split(strings.TrimSuffix(string(files["indexes/index.cdxj"]), "\n"), "\n")
	keyTS := func(line string) string { f := strings.SplitN(line, " ", 3); return f[0] + " " + f[1] }
	sortedByKey := sort.SliceIsSorted(lines, func(i, j int) bool { return keyTS(lines[i]) < keyTS(lines[j]) })
	if len(lines) != 2 || !sortedByKey {
		t.Fatalf("index.cdxj has %d lines (sorted: %v), want 2 sorted by key and timestamp:\n%s", len(lines), sortedByKey, files["indexes/index.cdxj"])
	}
	if !strings.Contains(lines[0], `"offset":"`+strconv.FormatInt(recs[1].offset, 10)+`"`) {
		t.Errorf("the first capture is not the first of its second in the index:\n%s", files["indexes/index.cdxj"])
	}
	for _, line := range lines {
		parts := strings.SplitN(line, " ", 3)
		if len(parts) != 3 {
			t.Fatalf("CDXJ line %q: want key, timestamp and JSON", line)
		}
		var e map[string]string
		if err := json.Unmarshal([]byte(parts[2]), &e); err != nil {
			t.Fatalf("CDXJ line %q: %v", line, err)
		}
		if want := "1,0,0,127:"; !strings.HasPrefix(parts[0], want) || !strings.Contains(parts[0], ")"+demosite.Path(sample)) {
			t.Errorf("CDXJ key %q is not the SURT of %s", parts[0], e["url"])
		}
		off, _ := strconv.ParseInt(e["offset"], 10, 64)
		n, _ := strconv.ParseInt(e["length"], 10, 64)
		r, ok := byOffset[off]
		if !ok || r.length != n || r.headers["warc-type"] != "response" || r.headers["warc-target-uri"] != e["url"] {
			t.Fatalf("CDXJ %s: offset %d length %d is not a response record of that URL (found %v)", line, off, n, r.headers)
		}
		if e["mime"] != "text/html" || e["status"] != "200" || e["filename"] != "data.warc.gz" ||
			"sha1:"+e["digest"] != r.headers["warc-payload-digest"] {
			t.Errorf("CDXJ %s does not describe the record %v", line, r.headers)
		}
		if len(parts[1]) != 14 || !strings.HasPrefix(strings.NewReplacer("-", "", ":", "", "T", "").Replace(r.headers["warc-date"]), parts[1]) {
			t.Errorf("CDXJ timestamp %s, record dated %s", parts[1], r.headers["warc-date"])
		}
	}

	// pages.jsonl: the header, then one page per snapshot.
	sc := bufio.NewScanner(bytes.NewReader(files["pages/pages.jsonl"]))
	var pl []map[string]any
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("pages.jsonl line %q: %v", sc.Text(), err)
		}
		pl = append(pl, m)
	}
	if len(pl) != 3 || pl[0]["format"] != "json-pages-1.0" {
		t.Fatalf("pages.jsonl = %v, want a json-pages-1.0 header and 2 pages", pl)
	}
	for _, p := range pl[1:] {
		ts, _ := p["ts"].(string)
		if p["url"] != f.base+demosite.Path(sample) || p["title"] != f.site.Title(sample) || p["id"] == "" {
			t.Errorf("page %v, want url %s and title %q", p, f.base+demosite.Path(sample), f.site.Title(sample))
		}
		if _, err := time.Parse(time.RFC3339, ts); err != nil {
			t.Errorf("page ts %q: %v", ts, err)
		}
	}
}

func TestExportWARCBySourceAndSince(t *testing.T) {
	f := exportFixture(t)
	n := len(f.site.Slugs())
	dir := t.TempDir()
	out := filepath.Join(dir, "all.warc.gz")
	stdout, stderr, code := f.run("export", "--source", "mondo-history", "-o", out)
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	if want := "(warc): " + strconv.Itoa(n+1) + " snapshots"; !strings.Contains(stdout, want) {
		t.Errorf("export said %q, want %q", stdout, want)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	recs := readMembers(t, data)
	count := map[string]int{}
	for _, r := range recs {
		count[r.headers["warc-type"]]++
		if p := r.headers["warc-payload-digest"]; p != "" {
			_, body, _ := bytes.Cut(r.block, []byte("\r\n\r\n"))
			if p != sha1Base32(body) {
				t.Errorf("%s record of %s: payload digest %s, the body has %s", r.headers["warc-type"], r.headers["warc-target-uri"], p, sha1Base32(body))
			}
		}
	}
	if want := map[string]int{"warcinfo": 1, "response": n + 1, "request": n + 1, "metadata": n + 1}; !reflect.DeepEqual(count, want) {
		t.Errorf("records by type = %v, want %v", count, want)
	}
	if !strings.Contains(recs[0].headers["warc-filename"], "all.warc.gz") {
		t.Errorf("warcinfo names %q, want the export's name", recs[0].headers["warc-filename"])
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the output directory holds %d files, want only the export (no temporary left)", len(entries))
	}

	// --since after the first fetch keeps only the revision.
	var hist []struct {
		CapturedAt string `json:"captured_at"`
	}
	f.runJSON(&hist, "history", f.base+demosite.Path(sample), "--json")
	if len(hist) != 2 {
		t.Fatalf("history has %d snapshots, want 2", len(hist))
	}
	var res struct {
		Snapshots int    `json:"snapshots"`
		Format    string `json:"format"`
	}
	f.runJSON(&res, "export", "--since", hist[1].CapturedAt, "--format", "warc", "-o", filepath.Join(dir, "since.bin"), "--json")
	if res.Snapshots != 1 || res.Format != "warc" {
		t.Errorf("export --since %s = %+v, want the 1 revision as warc", hist[1].CapturedAt, res)
	}
}

func TestExportErrors(t *testing.T) {
	f := exportFixture(t)
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no output", []string{"export"}, 2, "-o FILE is required"},
		{"bad format", []string{"export", "--format", "zip", "-o", filepath.Join(dir, "x")}, 2, `"zip" is not wacz or warc`},
		{"bad date", []string{"export", "--since", "yesterday", "-o", filepath.Join(dir, "x")}, 2, "--since"},
		{"unknown source", []string{"export", "--source", "nope", "-o", filepath.Join(dir, "x")}, 2, `no source named "nope"`},
		{"unknown article", []string{"export", "no-such-article", "-o", filepath.Join(dir, "x")}, 1, `no article "no-such-article"`},
		{"nothing since", []string{"export", "--since", "2999-01-01", "-o", filepath.Join(dir, "x")}, 1, "no snapshot matches"},
		{"output is a directory", []string{"export", "-o", dir}, 2, "is a directory"},
		{"output in a missing directory", []string{"export", "-o", filepath.Join(dir, "missing", "x.wacz")}, 2, "no directory " + filepath.Join(dir, "missing")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, code := f.run(c.args...)
			if code != c.code || !strings.Contains(stderr, c.want) {
				t.Errorf("annalist %v: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr, c.code, c.want)
			}
		})
	}

	// A WARC file gone from the archive: the export fails naming the
	// snapshot and the file, and leaves nothing behind.
	warcs, _ := filepath.Glob(filepath.Join(filepath.Dir(f.cfg), "archive", "warc", "*.warc.gz*"))
	if len(warcs) == 0 {
		t.Fatal("no WARC file in the archive")
	}
	for _, w := range warcs {
		if err := os.Rename(w, w+".moved"); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "broken.wacz")
	_, stderr, code := f.run("export", f.base+demosite.Path(sample), "-o", out)
	if code != 1 || !strings.Contains(stderr, "snapshot ") || !strings.Contains(stderr, filepath.Base(strings.TrimSuffix(warcs[0], ".open"))) {
		t.Errorf("export with its WARC file gone: exit %d, stderr %q; want exit 1 naming the snapshot and %s", code, stderr, filepath.Base(warcs[0]))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a failed export left %d files in the output directory", len(entries))
	}
}

// A long export says how far it is on stderr, at most once a second (here
// a clock that moves on two seconds at every look).
func TestExportReportsProgress(t *testing.T) {
	f := exportFixture(t)
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var out, errb bytes.Buffer
	m := &cli.Main{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""),
		Now: func() time.Time { clock = clock.Add(2 * time.Second); return clock },
		Getenv: func(k string) string {
			if k == "ANNALIST_CONFIG" {
				return f.cfg
			}
			return ""
		}}
	if code := m.Run(context.Background(), []string{"export", "-o", filepath.Join(t.TempDir(), "all.wacz")}); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errb.String())
	}
	total := len(f.site.Slugs()) + 1
	for i := 1; i < total; i++ {
		if want := "export: " + strconv.Itoa(i) + "/" + strconv.Itoa(total) + " snapshots"; !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
}
