// Builds the web UI into internal/webui/dist, which the Go binary embeds.
//
// The output is a function of the sources and the locked esbuild version
// only: no timestamps, no absolute paths, no source maps, file names
// carrying a hash of their content. scripts/test runs this and fails when
// the committed dist differs, so the embedded UI is always the built one.
import * as esbuild from "esbuild";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "internal", "webui", "dist");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "assets"), { recursive: true });

const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: { app: "src/main.js", style: "src/app.css" },
  bundle: true,
  format: "esm",
  target: ["es2022", "chrome110", "firefox115", "safari16"],
  minify: true,
  legalComments: "none",
  charset: "utf8",
  sourcemap: false,
  outdir: join(out, "assets"),
  entryNames: "[name]-[hash]",
  metafile: true,
  logLevel: "warning",
});

// index.html names the hashed files, so a browser may cache them forever.
const names = {};
for (const [file, info] of Object.entries(result.metafile.outputs)) {
  const entry = info.entryPoint && basename(info.entryPoint);
  if (entry) names[entry] = "assets/" + basename(file);
}
const html = readFileSync(join(here, "src", "index.html"), "utf8")
  .replace("{{app.js}}", names["main.js"])
  .replace("{{style.css}}", names["app.css"]);
writeFileSync(join(out, "index.html"), html);
