package server

import "sort"

func sortHistory(h []HistoryEntry) {
	sort.SliceStable(h, func(i, j int) bool {
		a, b := h[i].Snapshot, h[j].Snapshot
		if a.ValidFrom != b.ValidFrom {
			return a.ValidFrom < b.ValidFrom
		}
		return a.Seq < b.Seq
	})
}

func sortPacks(ps []PackInfo) {
	sort.Slice(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID })
}
