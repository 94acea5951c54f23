// report.html's interactive map (carecircle). Reads the JSON in #map-data, draws it with the
// vendored Leaflet; no tiles, nothing fetched. With #selftest in the URL it checks itself and
// writes the result into #selftest (read by tests/browser_report.rs); with #screenshot only
// the map is shown.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("map-data").textContent);
  var W = D.words;
  var esc = function (s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  };
  if (location.hash === "#screenshot") { document.body.className += " shot"; }
  var map = L.map("map", { zoomSnap: 0.25, preferCanvas: false });
  var kindIndex = 0;
  var kindKey = function () { return D.kinds.length ? D.kinds[kindIndex].key : null; };

  // Roads and boundary under everything.
  var roads = L.layerGroup();
  D.roads.forEach(function (line) {
    L.polyline(line.map(function (c) { return [c[1], c[0]]; }),
      { color: "#9a9a9a", weight: 1, opacity: 0.7, interactive: false }).addTo(roads);
  });
  var polyLatLngs = function (g) {
    return g.map(function (poly) {
      return poly.map(function (ring) { return ring.map(function (c) { return [c[1], c[0]]; }); });
    });
  };
  var boundary = L.layerGroup();
  if (D.boundary) {
    L.polygon(polyLatLngs(D.boundary), { color: "#333", weight: 2, fill: false, interactive: false }).addTo(boundary);
  }

  // Service areas of the chosen kind, one layer per band.
  var bands = {};
  D.areas.forEach(function (a) { bands[a.m] = bands[a.m] || L.layerGroup(); });
  var bandColor = function (m, limit) { return m >= limit ? "#3182bd" : "#9ecae1"; };
  var drawAreas = function () {
    Object.keys(bands).forEach(function (m) { bands[m].clearLayers(); });
    var limit = D.kinds.length ? D.kinds[kindIndex].limit : 0;
    D.areas.forEach(function (a) {
      if (a.k !== kindKey()) { return; }
      // Outline and a light fill, so the communities under it stay readable.
      L.polygon(polyLatLngs(a.g), { color: bandColor(a.m, limit), weight: 1.5, fillOpacity: 0.08,
        interactive: false, className: "cc-area" }).addTo(bands[a.m]);
    });
  };

  // Communities, coloured by coverage of the chosen kind.
  var communities = L.layerGroup();
  var markers = D.communities.map(function (c, i) {
    var mk = L.circleMarker([c.y, c.x], { radius: 5, weight: 1, color: "#222", fillOpacity: 0.9,
      className: "cc-community" });
    mk.bindPopup(function () {
      var rows = D.kinds.map(function (k, j) {
        var r = c.k[j];
        var near = r[0] === null ? esc(W.none)
          : esc(D.facilities[r[0]].n) + " · " + r[1] + " " + esc(W.min);
        return "<tr><td>" + esc(k.name) + "</td><td>" + near + "</td><td class=\"" +
          (r[2] ? "ok\">" + esc(W.covered) : "bad\">" + esc(W.not_covered)) + "</td></tr>";
      }).join("");
      return "<b>" + esc(c.n) + "</b><br>" + esc(W.code) + " " + esc(c.i) + " · " + esc(W.street) + " " +
        esc(c.s) + "<br>" + esc(W.elderly) + " " + esc(c.e) + " " + esc(W.people) +
        "<table class=\"pop\"><tr><th></th><th>" + esc(W.nearest) + "</th><th></th></tr>" + rows + "</table>";
    }, { maxWidth: 420 });
    mk.addTo(communities);
    return mk;
  });
  var colourCommunities = function () {
    markers.forEach(function (mk, i) {
      var r = D.communities[i].k[kindIndex];
      mk.setStyle({ fillColor: r && r[2] ? "#31a354" : "#cb181d" });
    });
  };

  // Facilities: a click shows the facility's service area.
  var highlight = L.layerGroup();
  var facilities = L.layerGroup();
  var areaOf = {};
  D.facility_areas.forEach(function (a) { areaOf[a.f] = a; });
  D.facilities.forEach(function (f, i) {
    var mk = L.circleMarker([f.y, f.x], { radius: 6, weight: 2, color: "#08306b", fillColor: "#fff",
      fillOpacity: 1, className: "cc-facility" });
    mk.bindPopup("<b>" + esc(f.n) + "</b><br>" + esc(f.kn) + " · " + esc(f.i));
    mk.on("click", function () {
      highlight.clearLayers();
      var a = areaOf[i];
      if (a) {
        L.polygon(polyLatLngs(a.g), { color: "#08519c", weight: 2, fillOpacity: 0.15, interactive: false })
          .addTo(highlight);
      }
    });
    mk.addTo(facilities);
  });

  // Proposed sites: a click shows what the site newly covers.
  var sites = L.layerGroup();
  var siteMarkers = D.sites.map(function (s) {
    var mk = L.circleMarker([s.y, s.x], { radius: 8, weight: 3, color: "#6a00a8", fillColor: "#fcd225",
      fillOpacity: 1, className: "cc-site" });
    mk.bindPopup(function () {
      var names = s.c.map(function (d) { return esc(D.communities[d].n); }).join("、");
      return "<b>" + esc(s.n) + "</b><br>" + esc(s.kn) + " · " + esc(s.i) + "<br>" + esc(W.newly) + ": " +
        names + "<br>" + esc(W.newly_elderly) + ": " + esc(s.e) + " " + esc(W.people);
    }, { maxWidth: 420 });
    mk.on("click", function () {
      highlight.clearLayers();
      s.c.forEach(function (d) {
        var c = D.communities[d];
        L.circleMarker([c.y, c.x], { radius: 9, weight: 3, color: "#6a00a8", fill: false, interactive: false })
          .addTo(highlight);
      });
    });
    return mk;
  });
  // Only the sites proposed for the chosen kind.
  var showSites = function () {
    sites.clearLayers();
    siteMarkers.forEach(function (mk, i) {
      if (D.sites[i].k === kindKey()) { mk.addTo(sites); }
    });
  };

  var all = D.communities.map(function (c) { return [c.y, c.x]; })
    .concat(D.facilities.map(function (f) { return [f.y, f.x]; }));
  if (all.length) { map.fitBounds(L.latLngBounds(all).pad(0.03)); } else { map.setView([0, 0], 2); }
  roads.addTo(map);
  boundary.addTo(map);
  Object.keys(bands).forEach(function (m) {
    if (D.kinds.length && Number(m) === D.kinds[kindIndex].limit) { bands[m].addTo(map); }
  });
  communities.addTo(map);
  // The element of each community carries its index, for the self-test's click.
  markers.forEach(function (mk, i) { mk.getElement().setAttribute("data-i", i); });
  facilities.addTo(map);
  sites.addTo(map);
  highlight.addTo(map);
  drawAreas();
  colourCommunities();
  showSites();

  var overlays = {};
  overlays[W.communities] = communities;
  overlays[W.facilities] = facilities;
  Object.keys(bands).sort(function (a, b) { return a - b; }).forEach(function (m) {
    overlays[W.area.replace("{minutes}", m)] = bands[m];
  });
  overlays[W.roads] = roads;
  if (D.sites.length) { overlays[W.sites] = sites; }
  if (D.boundary) { overlays[W.boundary] = boundary; }
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);

  // The kind selector and the search box.
  var tools = L.control({ position: "topleft" });
  tools.onAdd = function () {
    var div = L.DomUtil.create("div", "cc-tools leaflet-bar");
    var label = document.createElement("label");
    label.textContent = W.kind + " ";
    var select = document.createElement("select");
    select.id = "cc-kind";
    D.kinds.forEach(function (k, j) {
      var o = document.createElement("option");
      o.value = j;
      o.textContent = k.name;
      select.appendChild(o);
    });
    select.onchange = function () {
      kindIndex = Number(select.value);
      colourCommunities();
      drawAreas();
      showSites();
    };
    label.appendChild(select);
    div.appendChild(label);
    var search = document.createElement("input");
    search.id = "cc-search";
    search.type = "search";
    search.placeholder = W.search;
    var note = document.createElement("span");
    search.onchange = function () {
      var q = search.value.trim();
      note.textContent = "";
      if (!q) { return; }
      var i = D.communities.findIndex(function (c) { return c.i === q || c.n === q; });
      if (i < 0) {
        i = D.communities.findIndex(function (c) { return c.n.indexOf(q) >= 0 || c.i.indexOf(q) >= 0; });
      }
      if (i < 0) { note.textContent = " " + W.not_found; return; }
      map.setView(markers[i].getLatLng(), Math.max(map.getZoom(), 15));
      markers[i].openPopup();
    };
    div.appendChild(search);
    div.appendChild(note);
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  tools.addTo(map);

  if (location.hash === "#selftest") {
    var res = {
      communities_data: D.communities.length,
      communities_drawn: document.querySelectorAll("#map path.cc-community").length,
      facilities_data: D.facilities.length,
      facilities_drawn: document.querySelectorAll("#map path.cc-facility").length,
      sites_data: D.sites.filter(function (s) { return s.k === kindKey(); }).length,
      sites_drawn: document.querySelectorAll("#map path.cc-site").length,
      areas_drawn: document.querySelectorAll("#map path.cc-area").length,
      tiles: document.querySelectorAll("#map img.leaflet-tile").length
    };
    // A real click on the SVG element of one community.
    var i = Math.floor(D.communities.length / 2);
    var el = document.querySelector("#map path.cc-community[data-i=\"" + i + "\"]");
    if (el) {
      el.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, view: window }));
      var pop = document.querySelector("#map .leaflet-popup-content");
      res.clicked = D.communities[i].n;
      res.popup = pop ? pop.textContent : null;
    }
    // The search box finds a community by code.
    if (D.communities.length) {
      var box = document.getElementById("cc-search");
      box.value = D.communities[0].i;
      box.dispatchEvent(new Event("change"));
      // The last popup element: the one before may still be fading out.
      var pops = document.querySelectorAll("#map .leaflet-popup-content");
      var pop2 = pops[pops.length - 1];
      res.searched = D.communities[0].n;
      res.search_popup = pop2 ? pop2.textContent : null;
    }
    res.requests = performance.getEntriesByType("resource").map(function (e) { return e.name; });
    res.csp_violations = window.ccViolations || [];
    document.getElementById("selftest").textContent = JSON.stringify(res);
  }
})();
