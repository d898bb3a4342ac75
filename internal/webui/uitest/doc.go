// Package uitest drives the web UI in a real, headless Chromium (through
// the DevTools protocol, with chromedp) against a server the test starts on
// loopback: sign-in per role, every page, console errors, the requests the
// page makes, accessibility with axe-core, and screenshots. It holds tests
// only; the tests skip, saying why, when Chromium is not installed.
package uitest
