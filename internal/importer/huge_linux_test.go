package importer

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"
)

// TestAdviseHuge: the memory adviseHuge is given is marked for huge pages
// ("hg" among its mapping's VmFlags in /proc/self/smaps).
func TestAdviseHuge(t *testing.T) {
	big := make([]byte, 2*minHuge)
	adviseHuge(unsafe.Pointer(unsafe.SliceData(big)), uintptr(len(big)))
	if flags := vmFlags(t, uintptr(unsafe.Pointer(&big[len(big)/2]))); !strings.Contains(" "+flags+" ", " hg ") {
		t.Fatalf("advised memory has VmFlags %q, want hg", flags)
	}
	big[0], big[len(big)-1] = 1, 2 // still ordinary memory
	if big[0] != 1 || big[len(big)-1] != 2 {
		t.Fatal("advised memory does not hold what was written")
	}
}

// vmFlags returns the VmFlags of the mapping holding address a.
func vmFlags(t *testing.T, a uintptr) string {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip("no /proc/self/smaps:", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x ", &lo, &hi); n == 2 { // a mapping's first line: its address range
			in = lo <= a && a < hi
			continue
		}
		if in {
			if flags, ok := strings.CutPrefix(line, "VmFlags:"); ok {
				return strings.TrimSpace(flags)
			}
		}
	}
	t.Fatalf("no mapping holds %#x", a)
	return ""
}
