//go:build linux

package store

import "syscall"

// networkFS names the network file system dir is on, or returns "" (also
// when it cannot tell). SQLite's locking is unreliable on these.
func networkFS(dir string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return ""
	}
	return fsName(uint32(st.Type))
}

// fsName names the network file systems among statfs(2) magic numbers.
func fsName(magic uint32) string {
	switch magic {
	case 0x6969:
		return "nfs"
	case 0xFF534D42:
		return "cifs"
	case 0x517B:
		return "smb"
	case 0xFE534D42:
		return "smb2"
	case 0x01021997:
		return "9p"
	case 0x65735546:
		return "fuse"
	case 0x00C36400:
		return "ceph"
	}
	return ""
}
