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

// TestGrowRecordsAdvised: room made for a national section, as the CSV
// reader and the YAML and JSON streams make it, is advised for huge pages,
// keeps the records already there, and is not made again when it is there.
func TestGrowRecordsAdvised(t *testing.T) {
	type record struct {
		ID   string
		Site string
		N    int64
	}
	s := []record{{ID: "a"}, {ID: "b"}}
	n := 2 * minHuge / int(unsafe.Sizeof(record{}))
	grown := growRecords(s, n)
	if len(grown) != 2 || grown[0].ID != "a" || grown[1].ID != "b" || cap(grown) < 2+n {
		t.Fatalf("grown: len %d cap %d, first %+v", len(grown), cap(grown), grown[:min(2, len(grown))])
	}
	mid := uintptr(unsafe.Pointer(unsafe.SliceData(grown))) + uintptr(cap(grown))*unsafe.Sizeof(record{})/2
	if flags := vmFlags(t, mid); !strings.Contains(" "+flags+" ", " hg ") {
		t.Fatalf("grown records have VmFlags %q, want hg", flags)
	}
	if again := growRecords(grown, n); unsafe.SliceData(again) != unsafe.SliceData(grown) {
		t.Fatal("room that was there was made again")
	}
}
