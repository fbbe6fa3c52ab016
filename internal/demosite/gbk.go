package demosite

import "time"

// gbkParagraphs is a short Chinese history essay for the charset tests.
var gbkParagraphs = []string{
	"明朝永乐三年，郑和奉命率领庞大的船队从南京出发，开始了七次远航中的第一次。船队有宝船六十余艘，随行人员两万七千余人，规模在当时的世界上无与伦比。",
	"船队沿着中国东南沿海南下，经过占城、爪哇、苏门答腊和锡兰，最远到达东非沿岸。每到一地，郑和都以皇帝的名义赠送丝绸和瓷器，并邀请各国使节随船来华朝贡。",
	"这些远航的目的至今仍有争论。有人认为是为了寻找下落不明的建文帝，也有人认为是为了宣扬国威、建立朝贡秩序。可以肯定的是，远航耗费巨大，朝中反对的声音一直存在。",
	"宣德八年，郑和在最后一次远航的归途中去世。此后明朝逐渐收缩海上活动，许多航海档案也不知去向。六百年后，郑和的船队仍然是人们谈论中国与海洋关系时绕不开的话题。",
}

// AddGBKArticle adds a Chinese article served as GBK bytes with the charset
// declared only in a <meta charset="gbk"> placed after byte 1024, under a
// Content-Type of plain "text/html". Its stamp reads "更新于 2024年1月31日";
// it appears in the feed (as UTF-8) like any other article and takes the same
// mutators.
func (s *Site) AddGBKArticle(slug string) {
	a := &article{
		slug:       slug,
		title:      "郑和宝船队的最后一次远航",
		author:     "王明远",
		published:  time.Date(2024, 1, 20, 2, 0, 0, 0, time.UTC),
		updated:    time.Date(2024, 1, 31, 3, 0, 0, 0, time.UTC),
		views:      2048,
		paragraphs: gbkParagraphs,
		related:    []string{"grand-canal-grain-fleets", "silk-road-caravan-cities"},
		ad:         "免费试用家谱档案三十天",
		gbk:        true,
	}
	a.lastMod = laterOf(a.published, a.updated)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.add(a)
}
