// Package geo converts between the coordinate systems corefence meets in
// real site data and the WGS84 latitudes and longitudes of the inventory
// format. It holds the Lambert Conformal Conic projection with two standard
// parallels (EPSG method 9802) on an ellipsoid, and the French Lambert-93
// system (EPSG:2154) that ARCEP publishes site lists in.
//
// RGF93, the datum of Lambert-93, coincides with WGS84 to well under a
// metre (EPSG's transformation RGF93 to WGS 84 (1) is a null one), so a
// point projected back to RGF93 is taken as a WGS84 point as it is. This is
// what PROJ does too (`cs2cs EPSG:2154 EPSG:4326`); the tests compare the two.
package geo

import "math"

// Ellipsoid is a reference ellipsoid.
type Ellipsoid struct {
	A float64 // semi-major axis, metres
	F float64 // flattening
}

// GRS80 is the ellipsoid of RGF93 (and, to a tenth of a millimetre, of WGS84).
var GRS80 = Ellipsoid{A: 6378137, F: 1 / 298.257222101}

// LCC is a Lambert Conformal Conic projection with two standard parallels
// (EPSG method 9802), ready to convert points both ways. Make one with
// NewLCC; the zero value is not usable.
type LCC struct {
	a, e       float64 // semi-major axis and eccentricity
	n, f, rF   float64 // cone constant, scale term, radius at the false origin
	lonF       float64 // longitude of the false origin, radians
	eF, nF     float64 // false easting and northing, metres
	halfE      float64 // e/2
	reciprocal float64 // 1/n
}

// NewLCC returns the projection on ellipsoid el with standard parallels
// lat1 and lat2, false origin at latF, lonF (all in degrees) and false
// easting and northing eF, nF (metres).
func NewLCC(el Ellipsoid, lat1, lat2, latF, lonF, eF, nF float64) *LCC {
	e := math.Sqrt(el.F * (2 - el.F))
	p := &LCC{a: el.A, e: e, halfE: e / 2, lonF: lonF * deg, eF: eF, nF: nF}
	phi1, phi2 := lat1*deg, lat2*deg
	m1, m2 := p.m(phi1), p.m(phi2)
	t1, t2 := p.t(phi1), p.t(phi2)
	p.n = (math.Log(m1) - math.Log(m2)) / (math.Log(t1) - math.Log(t2))
	p.reciprocal = 1 / p.n
	p.f = m1 / (p.n * math.Pow(t1, p.n))
	p.rF = p.a * p.f * math.Pow(p.t(latF*deg), p.n)
	return p
}

const deg = math.Pi / 180

func (p *LCC) m(phi float64) float64 {
	s := math.Sin(phi)
	return math.Cos(phi) / math.Sqrt(1-p.e*p.e*s*s)
}

func (p *LCC) t(phi float64) float64 {
	s := math.Sin(phi)
	return math.Tan(math.Pi/4-phi/2) / math.Pow((1-p.e*s)/(1+p.e*s), p.halfE)
}

// Forward projects a latitude and longitude (degrees) to easting and
// northing (metres).
func (p *LCC) Forward(lat, lon float64) (x, y float64) {
	r := p.a * p.f * math.Pow(p.t(lat*deg), p.n)
	theta := p.n * (lon*deg - p.lonF)
	return p.eF + r*math.Sin(theta), p.nF + p.rF - r*math.Cos(theta)
}

// Inverse returns the latitude and longitude (degrees) of an easting and
// northing (metres). The latitude is found by iteration to well under a
// micrometre.
func (p *LCC) Inverse(x, y float64) (lat, lon float64) {
	dx, dy := x-p.eF, p.rF-(y-p.nF)
	r := math.Hypot(dx, dy)
	theta := math.Atan2(dx, dy)
	if p.n < 0 {
		r, theta = -r, math.Atan2(-dx, -dy)
	}
	t := math.Pow(r/(p.a*p.f), p.reciprocal)
	phi := math.Pi/2 - 2*math.Atan(t)
	for i := 0; i < 20; i++ {
		s := math.Sin(phi)
		next := math.Pi/2 - 2*math.Atan(t*math.Pow((1-p.e*s)/(1+p.e*s), p.halfE))
		done := math.Abs(next-phi) < 1e-14
		phi = next
		if done {
			break
		}
	}
	return phi / deg, (theta*p.reciprocal + p.lonF) / deg
}

// lambert93 is RGF93 / Lambert-93 (EPSG:2154): GRS80, standard parallels
// 49° and 44°, false origin 46°30'N 3°E at 700 000 m E, 6 600 000 m N.
var lambert93 = NewLCC(GRS80, 49, 44, 46.5, 3, 700_000, 6_600_000)

// Lambert93ToWGS84 converts Lambert-93 (EPSG:2154) easting and northing in
// metres to WGS84 latitude and longitude in degrees.
func Lambert93ToWGS84(x, y float64) (lat, lon float64) { return lambert93.Inverse(x, y) }

// WGS84ToLambert93 converts a WGS84 latitude and longitude in degrees to
// Lambert-93 (EPSG:2154) easting and northing in metres.
func WGS84ToLambert93(lat, lon float64) (x, y float64) { return lambert93.Forward(lat, lon) }

// EarthRadiusKm is the mean radius the inventory format measures distances
// with (haversine on a sphere).
const EarthRadiusKm = 6371.0088

// DistanceKm is the great-circle (haversine) distance between two points in
// degrees, on the sphere the inventory format uses.
func DistanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	dLat, dLon := (lat2-lat1)*deg, (lon2-lon1)*deg
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*deg)*math.Cos(lat2*deg)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * EarthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h))) // rounding can push h past 1
}
