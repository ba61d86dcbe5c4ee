// Draws the calculator's chart from the JSON the server put in the page, on load and after
// every htmx swap of the results. Plotly is served by the app itself (/incentives/plotly.js).
(function () {
  "use strict";
  function draw(root) {
    if (typeof Plotly === "undefined") return;
    (root || document).querySelectorAll("[data-figure]").forEach(function (el) {
      var data = document.getElementById(el.getAttribute("data-figure"));
      if (!data) return;
      var fig = JSON.parse(data.textContent);
      Plotly.newPlot(el, fig.data, fig.layout, { responsive: true, displaylogo: false });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function () { draw(document); });
})();
