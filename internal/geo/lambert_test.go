package geo

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// cs2csPoints were computed with PROJ 9.1.1:
//
//	echo "X Y" | cs2cs -f "%.10f" EPSG:2154 EPSG:4326
//
// on the false origin and on nine rows of ARCEP's 2018 site list: its
// westernmost, easternmost, southernmost and northernmost sites and five
// others across the country. They keep the check against PROJ even where
// cs2cs is not installed.
var cs2csPoints = []struct{ x, y, lat, lon float64 }{
	{700000, 6600000, 46.5000000000, 3.0000000000},
	{102980, 6847973, 48.4565745588, -5.0888561153}, // Ouessant, westernmost
	{1240585, 6154019, 42.2843602751, 9.5503890509}, // Corsica, easternmost
	{1225227, 6050021, 41.3644550220, 9.2653210674}, // Corsica, southernmost
	{572262, 7113682, 51.1053387465, 1.1802870279},  // Pas-de-Calais, northernmost
	{221798, 6759801, 47.7643497445, -3.3905596291}, // Brittany
	{422588, 6528447, 45.7991573089, -0.5726451769}, // Charente
	{610361, 6910411, 49.2870303927, 1.7680949221},  // Vexin
	{694021, 7031548, 50.3815512808, 2.9160542251},  // Pas-de-Calais
	{876133, 6817236, 48.4314992481, 5.3814292172},  // Haute-Marne
	{1228072, 6192281, 42.6363703252, 9.4371537103}, // Corsica
}

// metresBetween is the distance in metres between two nearby points.
func metresBetween(lat1, lon1, lat2, lon2 float64) float64 {
	return 1000 * DistanceKm(lat1, lon1, lat2, lon2)
}

func TestLambert93AgainstPROJPoints(t *testing.T) {
	worst := 0.0
	for _, p := range cs2csPoints {
		lat, lon := Lambert93ToWGS84(p.x, p.y)
		d := metresBetween(lat, lon, p.lat, p.lon)
		worst = math.Max(worst, d)
		if d > 0.001 {
			t.Errorf("Lambert93ToWGS84(%v, %v) = %.10f, %.10f; cs2cs says %.10f, %.10f (%.4f m apart)", p.x, p.y, lat, lon, p.lat, p.lon, d)
		}
	}
	t.Logf("%d points: largest deviation from cs2cs %.2e m", len(cs2csPoints), worst)
}

func TestLambert93RoundTrip(t *testing.T) {
	for _, p := range cs2csPoints {
		x, y := WGS84ToLambert93(p.lat, p.lon)
		if math.Abs(x-p.x) > 1e-3 || math.Abs(y-p.y) > 1e-3 {
			t.Errorf("WGS84ToLambert93(%v, %v) = %.4f, %.4f; want %v, %v", p.lat, p.lon, x, y, p.x, p.y)
		}
	}
}

// arcepFile is ARCEP's 2018 site list in the shared data, from the
// repository root's parent.
var arcepFile = filepath.Join("..", "..", "..", "shared", "data", "fr-arcep-sites-2018", "sites-mobiles-2018-01-L93.csv")

// TestLambert93AgainstCS2CS converts every 1,500th row of ARCEP's site list
// (about 50 points) with cs2cs and with Lambert93ToWGS84, and wants them
// within a millimetre. It needs PROJ's cs2cs on PATH (Debian: proj-bin).
func TestLambert93AgainstCS2CS(t *testing.T) {
	cs2cs, err := exec.LookPath("cs2cs")
	if err != nil {
		t.Skip("cs2cs not on PATH (install PROJ, e.g. `apt-get install proj-bin`); the hard-coded cs2cs points still ran")
	}
	f, err := os.Open(arcepFile)
	if err != nil {
		t.Skipf("ARCEP site list not found (%v); it is in the shared data beside the repository", err)
	}
	defer f.Close()
	var in bytes.Buffer
	var pts [][2]float64
	sc := bufio.NewScanner(f)
	for line := 0; sc.Scan(); line++ {
		if line == 0 || line%1500 != 0 {
			continue
		}
		fields := strings.Split(strings.TrimSpace(sc.Text()), ";")
		x, errX := strconv.ParseFloat(fields[1], 64)
		y, errY := strconv.ParseFloat(fields[2], 64)
		if errX != nil || errY != nil {
			continue
		}
		pts = append(pts, [2]float64{x, y})
		fmt.Fprintf(&in, "%.0f %.0f\n", x, y)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(cs2cs, "-f", "%.10f", "EPSG:2154", "EPSG:4326")
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cs2cs: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(pts) || len(pts) < 40 {
		t.Fatalf("cs2cs gave %d lines for %d points", len(lines), len(pts))
	}
	worst := 0.0
	for i, l := range lines {
		f := strings.Fields(l)
		wantLat, _ := strconv.ParseFloat(f[0], 64)
		wantLon, _ := strconv.ParseFloat(f[1], 64)
		lat, lon := Lambert93ToWGS84(pts[i][0], pts[i][1])
		d := metresBetween(lat, lon, wantLat, wantLon)
		worst = math.Max(worst, d)
		if d > 0.001 {
			t.Errorf("Lambert93ToWGS84(%v, %v) = %.10f, %.10f; cs2cs %.10f, %.10f (%.4f m apart)", pts[i][0], pts[i][1], lat, lon, wantLat, wantLon, d)
		}
	}
	t.Logf("%d ARCEP points: largest deviation from cs2cs %.2e m", len(pts), worst)
}

func TestDistanceKm(t *testing.T) {
	// London to Paris, about 343.5 km on the inventory format's sphere.
	if d := DistanceKm(51.5074, -0.1278, 48.8566, 2.3522); math.Abs(d-343.5) > 0.5 {
		t.Errorf("DistanceKm(London, Paris) = %.2f, want about 343.5", d)
	}
}

func BenchmarkLambert93ToWGS84(b *testing.B) {
	for b.Loop() {
		Lambert93ToWGS84(652_000, 6_862_000)
	}
}
