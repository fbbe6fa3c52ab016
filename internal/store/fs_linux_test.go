//go:build linux

package store

import "testing"

func TestFSName(t *testing.T) {
	for magic, want := range map[uint32]string{0x6969: "nfs", 0xFF534D42: "cifs", 0xFE534D42: "smb2", 0x01021997: "9p", 0x65735546: "fuse", 0xEF53: "", 0x01021994: ""} {
		if got := fsName(magic); got != want {
			t.Errorf("fsName(%#x) = %q, want %q", magic, got, want)
		}
	}
}
