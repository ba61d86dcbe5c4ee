// Draws the workspace's charts from the JSON the server put in the page, on load and after
// every htmx swap (the simulation). Plotly is served by the app itself (no CDN).
(function () {
  "use strict";
  function draw(root) {
    if (typeof Plotly === "undefined") return;
    (root || document).querySelectorAll("[data-figure]").forEach(function (el) {
      var data = document.getElementById(el.getAttribute("data-figure"));
      if (!data || el.getAttribute("data-drawn") === data.textContent.length.toString()) return;
      var fig = JSON.parse(data.textContent);
      Plotly.react(el, fig.data, fig.layout, { responsive: true, displaylogo: false });
      el.setAttribute("data-drawn", data.textContent.length.toString());
    });
  }
  window.addEventListener("load", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function () { draw(document); });
})();
