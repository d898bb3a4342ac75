// Package sitemap holds the site map engine that corefence's HTML report
// and its server's web UI both draw with: sitemap.js, a dependency-free ES
// module rendering up to hundreds of thousands of sites on a 2D canvas
// (pan, zoom, screen-space clustering, sensitive areas to scale, colour and
// shape per category, filters, legend counts, picking), and sitemap.css.
// The API is documented at the top of sitemap.js.
//
// The files are served or inlined as they are; Go only embeds them.
package sitemap

import _ "embed"

// JS is sitemap.js: an ES module exporting createSiteMap, OKABE_ITO and
// SHAPES. It loads nothing and needs no other script.
//
//go:embed sitemap.js
var JS string

// CSS is sitemap.css, the styles of the elements createSiteMap makes.
//
//go:embed sitemap.css
var CSS string
