/* Small enhancements shared by every page. */
(function () {
  "use strict";
  // Filters send only what is set, so that URLs stay short and readable when shared.
  document.body.addEventListener("htmx:configRequest", function (evt) {
    var data = evt.detail.formData;
    if (!data || !data.forEach) { return; }
    var empty = [];
    data.forEach(function (value, key) { if (value === "") { empty.push(key); } });
    empty.forEach(function (key) { data.delete(key); });
  });
})();
