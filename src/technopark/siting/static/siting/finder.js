/* The site finder's results: the map of the sites found and the stacked cost bars.
 *
 * Offline: Leaflet from django-leaflet's static files over a drawn graticule (no tiles), and
 * plotly.js served by the application. Data come from json_script blocks in the page.
 * Range inputs (the weights) show their value next to them.
 */
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  document.querySelectorAll('input[type="range"]').forEach(function (input) {
    var out = document.querySelector('output[for="' + input.id + '"]');
    if (!out) { return; }
    input.addEventListener("input", function () { out.textContent = input.value; });
  });

  function drawMap() {
    var el = document.getElementById("finder-map");
    var points = data("finder-points");
    if (!el || !points || typeof L === "undefined") { return; }
    var map = L.map(el, { worldCopyJump: true, minZoom: 2, maxZoom: 18 });
    var grid = { color: "#9fb3c8", weight: 1, opacity: 0.8, interactive: false };
    for (var lat = -80; lat <= 80; lat += 10) { L.polyline([[lat, -180], [lat, 180]], grid).addTo(map); }
    for (var lon = -180; lon <= 180; lon += 10) { L.polyline([[-85, lon], [85, lon]], grid).addTo(map); }
    var bounds = [];
    points.forEach(function (p) {
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: 9, color: "#0b5cad", weight: 2, fillColor: "#0b5cad",
        fillOpacity: p.precise ? 0.9 : 0.2, dashArray: p.precise ? null : "3 3"
      }).addTo(map);
      var a = document.createElement("a");
      a.href = p.url;
      a.textContent = p.rank + ". " + p.site_name;
      var div = document.createElement("div");
      div.appendChild(a);
      div.appendChild(document.createElement("br"));
      div.appendChild(document.createTextNode(p.park_name + " · " + p.score));
      marker.bindPopup(div);
      marker.bindTooltip(String(p.rank), { permanent: true, direction: "center", className: "rank-label" });
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 10 }); }
  }

  function drawChart() {
    var el = document.getElementById("cost-chart");
    var fig = data("cost-chart-data");
    if (!el || !fig) { return; }
    if (typeof Plotly === "undefined") { window.addEventListener("load", drawChart, { once: true }); return; }
    Plotly.newPlot(el, fig.data, fig.layout, { responsive: true, displaylogo: false });
  }

  drawMap();
  drawChart();
}());
