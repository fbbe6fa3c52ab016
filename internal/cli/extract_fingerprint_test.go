package cli_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// `annalist extract` shows the fingerprint `fetch` stores, captions and
// all, for a page read by the generic extractor.
func TestExtractFingerprintIsWhatFetchStores(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><head><title>Yalta</title></head><body><article><h1>Yalta</h1>
<div class="meta">Anna Schmidt · vor 3 Stunden · Aktualisiert am 31.01.2024</div>
<p>In February 1945 Roosevelt, Churchill and Stalin met at the Livadia Palace near Yalta to settle the order of post-war Europe.</p>
<figure><img src="/img/yalta.jpg" alt="The three leaders seated"><figcaption>Stalin at Yalta</figcaption></figure>
<p>The communiqué spoke of free elections in Poland, and each side read it differently for decades afterwards.</p>
</article></body></html>`)
	}))
	t.Cleanup(srv.Close)
	url := srv.URL + "/yalta"

	var fetched map[string]any
	f.runJSON(&fetched, "fetch", "--url", url, "--json")
	if fetched["outcome"] != "new" {
		t.Fatalf("fetch --url = %v", fetched)
	}
	var history []map[string]any
	f.runJSON(&history, "history", fetched["article"].(string), "--json")
	var extracted map[string]any
	f.runJSON(&extracted, "extract", "--format", "json", url)
	if len(history) != 1 || history[0]["fingerprint"] != extracted["fingerprint"] {
		t.Fatalf("extract shows fingerprint %v, fetch stored %v", extracted["fingerprint"], history)
	}
	if rev, _ := extracted["revision_date"].(string); rev != "2024-01-31T00:00:00Z" {
		t.Errorf("extract revision_date = %v, want 2024-01-31 from \"Aktualisiert am\"", extracted["revision_date"])
	}
}
