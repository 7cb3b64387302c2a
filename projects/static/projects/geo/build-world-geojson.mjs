// Builds world.geo.json (the overseas map's country shapes) from world-atlas (Natural Earth 1:50m).
// Usage and provenance: ../vendor/README.md.
//   node build-world-geojson.mjs node_modules/world-atlas/countries-50m.json world.geo.json 0.3
// Features are keyed by ISO 3166-1 alpha-2 in properties.code; rings are rounded to 0.01 degree,
// and a small island whose simplified ring would collapse keeps its full ring (rounded to 0.001).
import fs from "node:fs";
import { feature, mergeArcs } from "topojson-client";
import { presimplify, simplify, quantile } from "topojson-simplify";
import countries from "i18n-iso-countries";

const [, , src, out, q] = process.argv;
const original = JSON.parse(fs.readFileSync(src, "utf8"));
const object = original.objects.countries;
// Areas drawn by Natural Earth apart from the state whose territory they are: drawn merged into it.
const MERGE = { "Somaliland": "SO", "N. Cyprus": "CY", "Kosovo": "RS" };
// The world from China's point of view: Taiwan, Hong Kong and Macao are part of China, merged
// into CN with no border between them and the mainland and no feature of their own.
const POINT_OF_VIEW = { TW: "CN", HK: "CN", MO: "CN" };
const isoOf = (g) => (g.id ? countries.numericToAlpha2(g.id) : undefined) || MERGE[g.properties.name] || "";
const codeOf = (g) => POINT_OF_VIEW[isoOf(g)] || isoOf(g);

// Group the features by ISO code and merge each group's arcs (so no border is drawn inside).
const groups = new Map();
for (const g of object.geometries) {
  const code = codeOf(g);
  if (code === "AQ") continue;
  const key = code || `?${g.properties.name}`;
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push(g);
}
object.geometries = [...groups].map(([key, geoms]) => {
  const main = geoms.find((g) => g.id && isoOf(g) === key) || geoms.find((g) => g.id) || geoms[0];
  const geometry = geoms.length > 1 ? mergeArcs(original, geoms) : { ...main };
  return { ...geometry, id: key, properties: { name: main.properties.name } };
});

const build = (topo) => feature(topo, topo.objects.countries).features.map((f) => ({ key: f.id, name: f.properties.name, geometry: f.geometry }));
const full = build(original);
const pre = presimplify(JSON.parse(JSON.stringify(original)));
const small = build(simplify(pre, quantile(pre, Number(q))));

const roundPt = (p, d) => [Math.round(p[0] * d) / d, Math.round(p[1] * d) / d];
// A ring that crosses the antimeridian (Russia's Chukotka, Fiji) would be drawn as a band across
// the whole map on a flat projection: carry its western points on past 180 degrees east.
const unwrap = (ring) =>
  ring.some((p, i) => i > 0 && Math.abs(p[0] - ring[i - 1][0]) > 180) ? ring.map((p) => (p[0] < 0 ? [p[0] + 360, p[1]] : p)) : ring;
const clean = (ring, d) => unwrap(ring).map((p) => roundPt(p, d)).filter((p, i, r) => i === 0 || p[0] !== r[i - 1][0] || p[1] !== r[i - 1][1]);
const asPolys = (g) => (g.type === "Polygon" ? [g.coordinates] : g.coordinates);

let fallbacks = 0;
const features = [];
small.forEach((f, i) => {
  const fullPolys = asPolys(full[i].geometry);
  const polys = asPolys(f.geometry).map((poly, pi) =>
    poly
      .map((ring, ri) => {
        let r = clean(ring, 100);
        if (r.length < 4) { fallbacks++; r = clean(fullPolys[pi][ri], 1000); }
        return r;
      })
      .filter((r) => r.length >= 4),
  ).filter((p) => p.length);
  if (!polys.length) return;
  const code = f.key.startsWith("?") ? "" : f.key;
  features.push({
    type: "Feature",
    properties: { code, name: f.name },
    geometry: polys.length === 1 ? { type: "Polygon", coordinates: polys[0] } : { type: "MultiPolygon", coordinates: polys },
  });
});
fs.writeFileSync(out, JSON.stringify({ type: "FeatureCollection", features }));
console.error("features", features.length, "fallback rings", fallbacks, "unkeyed", features.filter((f) => !f.properties.code).map((f) => f.properties.name).join("; "), "bytes", fs.statSync(out).size);
