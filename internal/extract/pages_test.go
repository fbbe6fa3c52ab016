package extract

import (
	"strings"
	"testing"
	"time"
)

// TestArticleHistoryPages checks every date and the metadata the generic
// extractor finds on the blog, Chinese and Russian fixtures, and that their
// comments, related boxes and share bars stay out of the body.
func TestArticleHistoryPages(t *testing.T) {
	utc := func(s string) *time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		tm = tm.UTC()
		return &tm
	}
	for _, tc := range []struct {
		page, url           string
		title, byline, site string
		lang                string
		published, revised  *time.Time
		revisionText        string
		starts, ends        string
		keep, leaveOut      []string
	}{
		{
			page: "blog-comments.html", url: "https://tudor.example/2023/10/bess-letters/",
			title: "The Lost Letters of Bess of Hardwick", byline: "Margaret Ellis", site: "Tudor Notebook", lang: "en-GB",
			published: utc("2023-10-14T08:15:00Z"), revised: utc("2024-03-03T00:00:00Z"),
			revisionText: "Last modified: 3 March 2024",
			starts:       "Among the papers sold from Hardwick Hall in 1954",
			ends:         "(a correction to the steward's name).",
			keep:         []string{"What the steward was told", "- Glass from the works at Wingfield", "Let the glass be set before Martinmas"},
			// The comments (one of them with a later "Updated on" stamp),
			// the reply form, the share bar and the sidebar are furniture.
			leaveOut: []string{"Fascinating", "Derby note", "Tom Hughes", "thoughts on", "Leave a Reply", "Share this", "Twitter", "Recent Posts", "Posted in", "Posted on"},
		},
		{
			page: "chinese-article.html", url: "https://lishi.example/a/zhenghe.html",
			title: "郑和下西洋的宝船究竟有多大？", byline: "李明", site: "历史频道", lang: "zh-CN",
			published: utc("2023-11-20T00:00:00Z"), revised: utc("2024-01-31T00:00:00Z"),
			revisionText: "更新于 2024年1月31日",
			starts:       "明永乐三年（1405年）",
			ends:         "留下了宝贵的资料。",
			keep:         []string{"学者的质疑", "“观夫海洋，洪涛接天，巨浪如山。”"},
			leaveOut:     []string{"相关文章", "明代海禁政策", "分享到", "版权所有", "首页", "来源"},
		},
		{
			page: "russian-article.html", url: "https://istoria.example/transsib",
			title: "Как строили Транссибирскую магистраль", byline: "Анна Петрова", site: "Исторический журнал", lang: "ru",
			published: utc("2022-09-05T07:00:00Z"), revised: utc("2024-02-12T00:00:00Z"),
			revisionText: "Обновлено 12 февраля 2024",
			starts:       "Строительство Великого Сибирского пути началось весной 1891 года",
			ends:         "у Хабаровска.",
			keep:         []string{"Кругобайкальская дорога", "Уссурийский | 1891–1897"},
			leaveOut:     []string{"Читайте также", "История БАМа", "Комментарии", "прадед", "Главная", "Автор"},
		},
	} {
		t.Run(tc.page, func(t *testing.T) {
			res := mustArticle(t, tc.page, tc.url, Rules{})
			if res.Title != tc.title || res.Byline != tc.byline || res.SiteName != tc.site || res.Lang != tc.lang {
				t.Errorf("Title %q, Byline %q, SiteName %q, Lang %q", res.Title, res.Byline, res.SiteName, res.Lang)
			}
			if res.Published == nil || !res.Published.Equal(*tc.published) {
				t.Errorf("Published = %v, want %v", res.Published, tc.published)
			}
			if res.Revised == nil || !res.Revised.Equal(*tc.revised) || res.RevisionText != tc.revisionText {
				t.Errorf("Revised = %v (%q), want %v (%q)", res.Revised, res.RevisionText, tc.revised, tc.revisionText)
			}
			if !strings.HasPrefix(res.Text, tc.starts) || !strings.HasSuffix(res.Text, tc.ends) {
				t.Errorf("Text does not run from %q to %q:\n%s", tc.starts, tc.ends, res.Text)
			}
			for _, want := range tc.keep {
				if !strings.Contains(res.Text, want) {
					t.Errorf("Text lacks %q", want)
				}
			}
			for _, junk := range tc.leaveOut {
				for name, s := range map[string]string{"Text": res.Text, "Markdown": res.Markdown, "HTML": res.HTML} {
					if strings.Contains(s, junk) {
						t.Errorf("%s keeps %q", name, junk)
					}
				}
			}
			if res.Extractor != "generic" || res.Fallback || len(res.Warnings) != 0 {
				t.Errorf("Extractor %q, Fallback %v, Warnings %q", res.Extractor, res.Fallback, res.Warnings)
			}
		})
	}
}
