package store

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkWriterRealPages is the single writer alone on the 72 real
// pages: their snapshots are prepared (compressed, WARC records built)
// before the clock starts, then handed to the group committer in batches
// of the given size, as it takes them when that many callers wait.
// writer-cpu-µs/page is the process's CPU per page, steadier than wall
// time on a shared machine.
func BenchmarkWriterRealPages(b *testing.B) {
	pages, _ := realPages(b)
	for _, size := range []int{1, 4} {
		b.Run(fmt.Sprintf("batch-%d", size), func(b *testing.B) {
			var cpu int64
			for range b.N {
				b.StopTimer()
				s := MustOpenDir(b, b.TempDir(), Options{NoSync: true})
				mustSave(b, s, page("warm", "warm", "warm up", t0))
				reqs := make([]*saveReq, len(pages))
				for i, p := range pages {
					prep, err := prepare(p, false)
					if err != nil {
						b.Fatal(err)
					}
					reqs[i] = &saveReq{ctx: context.Background(), p: p, id: ArticleID(p.Canonical), prep: prep, done: make(chan saveAns, 1)}
				}
				before := selfCPU()
				b.StartTimer()
				for i := 0; i < len(reqs); i += size {
					batch := reqs[i:min(i+size, len(reqs))]
					s.commitBatch(append([]*saveReq(nil), batch...))
					for _, r := range batch {
						if ans := <-r.done; ans.err != nil {
							b.Fatal(ans.err)
						}
					}
				}
				b.StopTimer()
				cpu += int64(selfCPU() - before)
				b.StartTimer()
			}
			b.ReportMetric(float64(cpu)/1e3/float64(b.N*len(pages)), "writer-cpu-µs/page")
		})
	}
}
