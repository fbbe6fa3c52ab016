package extract

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min, s int) time.Time {
		return time.Date(y, m, d, h, min, s, 0, time.UTC)
	}
	jan31 := utc(2024, 1, 31, 0, 0, 0)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"Updated on 2024-01-31", jan31},
		{"Updated: Jan 31, 2024", jan31},
		{"Updated 31 January 2024", jan31},
		{"Last modified: 2024-01-31 08:00", utc(2024, 1, 31, 8, 0, 0)},
		{"Last updated January 31, 2024", jan31},
		{"Published on 2023-12-01", utc(2023, 12, 1, 0, 0, 0)},
		{"2024-01-31", jan31},
		{"2024-01-31T08:00:00Z", utc(2024, 1, 31, 8, 0, 0)},
		{"2024-01-31T08:00:00+02:00", utc(2024, 1, 31, 6, 0, 0)},
		{"2024-01-31T08:00:00.123-05:00", utc(2024, 1, 31, 13, 0, 0).Add(123 * time.Millisecond)},
		{"at 2024-01-31T08:00:00.123-05:00 in text", utc(2024, 1, 31, 13, 0, 0)},
		{"posted 2024-01-31T08:00+0530 by admin", utc(2024, 1, 31, 2, 30, 0)},
		{"2024-01-31 23:59:59", utc(2024, 1, 31, 23, 59, 59)},
		{"2024/01/31", jan31},
		{"31.01.2024", jan31},
		{"January 31st, 2024", jan31},
		{"Jan. 31, 2024 at 3:15 pm", utc(2024, 1, 31, 15, 15, 0)},
		{"Sept 3rd, 2023", utc(2023, 9, 3, 0, 0, 0)},
		{"Wed, 31 Jan 2024 08:00:00 GMT", utc(2024, 1, 31, 8, 0, 0)},
		{"Wed, 31 Jan 2024 08:00:00 -0700", utc(2024, 1, 31, 15, 0, 0)},
		{"31st of January, 2024", jan31},
		{"Jan\u00a031,\u00a02024", jan31},
		{"更新于 2024年1月31日", jan31},
		{"最后更新：2024-01-31", jan31},
		{"2024年1月31日", jan31},
		{"2024 年 1 月 31 日 08:30", utc(2024, 1, 31, 8, 30, 0)},
		{"Обновлено 31 января 2024", jan31},
		{"ОБНОВЛЕНО 31 ЯНВАРЯ 2024 г.", jan31},
		{"Обновлено: 31.01.2024", jan31},
		{"UPDATED ON 2024-01-31", jan31},
	} {
		got, ok := ParseDate(tc.in)
		if !ok || !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tc.in, got, ok, tc.want)
		}
	}
}

func TestParseDateRejects(t *testing.T) {
	for _, in := range []string{
		"", "no date here", "2024-02-30", "31.13.2024", "2024-01-311",
		"version 1.2.3", "1234 readers today", "Feb 30, 2024", "2024-01-31T25:00:00",
		"31 Smarch 2024", "0999-01-01",
	} {
		if got, ok := ParseDate(in); ok {
			t.Errorf("ParseDate(%q) = %v, want no date", in, got)
		}
	}
}

func TestParseDateTakesFirst(t *testing.T) {
	got, ok := ParseDate("Published 2023-12-01, updated 2024-01-31")
	if !ok || !got.Equal(time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("got %v, %v; want the first date", got, ok)
	}
}

func TestFindRevisionStamp(t *testing.T) {
	for _, tc := range []struct {
		in, stamp string
		want      time.Time
	}{
		{"Mondo History Updated on 2024-01-31", "Updated on 2024-01-31", time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)},
		{"Mondo History Updated on 2024-01-31 1234 readers today", "Updated on 2024-01-31", time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)},
		{"Published 2023-12-01. Last modified: 2024-01-31 08:00 by staff", "Last modified: 2024-01-31 08:00", time.Date(2024, 1, 31, 8, 0, 0, 0, time.UTC)},
		{"Page last updated January 31, 2024.", "last updated January 31, 2024", time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)},
		{"Updated: Jan 31, 2024", "Updated: Jan 31, 2024", time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)},
		{"Revised 31 January 2024", "Revised 31 January 2024", time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)},
		{"Modified — 2024/01/31", "Modified — 2024/01/31", time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)},
		{"历史网 更新于 2024年1月31日 阅读", "更新于 2024年1月31日", time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)},
		{"最后更新：2024-01-31", "最后更新：2024-01-31", time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)},
		{"Статья. Обновлено 31 января 2024", "Обновлено 31 января 2024", time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)},
		// A keyword without a date is skipped; the next stamp is found.
		{"Updated daily. Updated on 2024-01-31", "Updated on 2024-01-31", time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)},
	} {
		stamp, got, ok := FindRevisionStamp(tc.in)
		if !ok || stamp != tc.stamp || !got.Equal(tc.want) {
			t.Errorf("FindRevisionStamp(%q) = %q, %v, %v; want %q, %v", tc.in, stamp, got, ok, tc.stamp, tc.want)
		}
	}
	for _, in := range []string{"Published on 2023-12-01", "2024-01-31", "We updated our privacy policy.", "Outdated on 2024-01-31", "unmodified 2024-01-31"} {
		if stamp, _, ok := FindRevisionStamp(in); ok {
			t.Errorf("FindRevisionStamp(%q) = %q, want none", in, stamp)
		}
	}
}
