//go:build !linux

package store

func networkFS(dir string) string { return "" }
