package web

import "github.com/chromedp/cdproto/emulation"

var (
	emulationSetEmulatedMedia = emulation.SetEmulatedMedia
	darkMedia                 = emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}
	lightMedia                = emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "light"}}}
)
