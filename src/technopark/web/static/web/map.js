/* The park map: Leaflet without internet tiles by default.
 *
 * Draws a graticule over a plain background (or the tiles of TECHNOPARK_TILE_URL when the
 * deployment has a tile server) and the markers of the filtered parks. Markers come from
 * /map-data/ with the same filters as the list; crowded parks arrive as server-side grid
 * clusters. Surveyed site points are filled circles; city-centre points are hollow, dashed.
 */
(function () {
  "use strict";

  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") { return; }

  var map = L.map(el, { worldCopyJump: true, minZoom: 2, maxZoom: 18, keyboard: true })
    .setView([45, 62], 3);
  var tileUrl = el.dataset.tileUrl;
  if (tileUrl) {
    L.tileLayer(tileUrl, { maxZoom: 18, attribution: el.dataset.tileAttribution || "" }).addTo(map);
  } else {
    drawGraticule(map);
  }
  var layer = L.layerGroup().addTo(map);
  var status = document.getElementById("map-status");
  var controller = null;
  // After the filters change, show all the matching parks once; later moves are the user's.
  var fitNext = false;

  function drawGraticule(target) {
    var style = { color: "#9fb3c8", weight: 1, opacity: 0.8, interactive: false };
    for (var lat = -80; lat <= 80; lat += 10) {
      L.polyline([[lat, -540], [lat, 540]], style).addTo(target);
    }
    for (var lon = -540; lon <= 540; lon += 10) {
      L.polyline([[-85, lon], [85, lon]], style).addTo(target);
    }
    L.polyline([[0, -540], [0, 540]], { color: "#6f8aa6", weight: 1.5, interactive: false }).addTo(target);
  }

  function currentQuery() {
    var results = document.getElementById("results");
    return results ? results.dataset.query || "" : window.location.search.replace(/^\?/, "");
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function pointMarker(p) {
    var surveyed = p.precision === "site";
    var marker = L.circleMarker([p.lat, p.lon], {
      radius: 7,
      color: "#0b5cad",
      weight: 2,
      fillColor: "#0b5cad",
      fillOpacity: surveyed ? 0.9 : 0,
      dashArray: surveyed ? null : "3 3"
    });
    marker.bindPopup('<a href="' + el.dataset.parkUrl.replace("__id__", encodeURIComponent(p.id)) + '">' +
      escapeHtml(p.name) + "</a><br><small>" +
      escapeHtml(surveyed ? el.dataset.labelSite : el.dataset.labelCity) + "</small>");
    marker.bindTooltip(p.name);
    return marker;
  }

  function clusterMarker(c) {
    var size = Math.round(28 + Math.min(Math.log10(c.count) * 12, 30));
    var icon = L.divIcon({
      className: "",
      html: '<div class="cluster-icon" style="width:' + size + "px;height:" + size + 'px">' + c.count + "</div>",
      iconSize: [size, size]
    });
    var marker = L.marker([c.lat, c.lon], { icon: icon, keyboard: true, title: c.count + " " + el.dataset.labelParks });
    marker.on("click", function () {
      var bounds = L.latLngBounds([c.south, c.west], [c.north, c.east]);
      if (bounds.getNorth() === bounds.getSouth() && bounds.getEast() === bounds.getWest()) {
        map.setView(bounds.getCenter(), Math.min(map.getZoom() + 3, 18));
      } else {
        map.fitBounds(bounds.pad(0.2));
      }
    });
    return marker;
  }

  function load() {
    var b = map.getBounds();
    var params = currentQuery();
    var url = el.dataset.url + "?" + (params ? params + "&" : "") +
      "zoom=" + map.getZoom() + "&bbox=" + [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]
        .map(function (v) { return v.toFixed(4); }).join(",");
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    fetch(url, { headers: { Accept: "application/json" }, signal: controller ? controller.signal : undefined })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        layer.clearLayers();
        (data.clusters || []).forEach(function (c) { layer.addLayer(clusterMarker(c)); });
        (data.points || []).forEach(function (p) { layer.addLayer(pointMarker(p)); });
        if (fitNext) {
          fitNext = false;
          var all = (data.points || []).map(function (p) { return [p.lat, p.lon]; })
            .concat((data.clusters || []).map(function (c) { return [c.lat, c.lon]; }));
          if (all.length) {
            map.fitBounds(L.latLngBounds(all).pad(0.3), { maxZoom: 9 });
          }
        }
        el.dataset.markers = String((data.points || []).length + (data.clusters || []).length);
        el.dataset.parks = String(data.total || 0);
        if (status) {
          status.textContent = el.dataset.labelStatus
            .replace("{total}", data.total || 0)
            .replace("{unplaced}", data.unplaced || 0);
        }
        el.dispatchEvent(new CustomEvent("technopark:map-loaded", { bubbles: true }));
      })
      .catch(function (err) { if (err.name !== "AbortError" && status) { status.textContent = el.dataset.labelError; } });
  }

  // Markers of the whole world (no bbox), so that fitting to them sees every match.
  function loadWorld() {
    map.setView([45, 62], 3, { animate: false });
    load();
  }

  map.on("moveend", load);
  document.body.addEventListener("htmx:afterSettle", function (evt) {
    if (evt.target && evt.target.id === "results") { fitNext = true; loadWorld(); }
  });
  window.addEventListener("popstate", function () { window.setTimeout(load, 0); });
  load();
  window.technoparkMap = map;
})();
